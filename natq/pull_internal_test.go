package natq

import (
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// statusMsg is a status message from the server, as nats.go hands it over.
func statusMsg(subject, code, descr string) *nats.Msg {
	m := nats.NewMsg(subject)
	m.Header.Set("Status", code)
	m.Header.Set("Description", descr)
	return m
}

func jobMsg(reply string) *nats.Msg {
	return &nats.Msg{Subject: "natq.job.t", Reply: reply, Data: []byte(`{}`)}
}

// The open request ends when the server has delivered what it asked for,
// or by a status about it; the status says whether it failed.
func TestPullerRequestEnds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		msgs []*nats.Msg
		open bool
		fail bool  // the request failed
		is   error // what the failure wraps, if it matters
	}{
		{name: "batch delivered", msgs: []*nats.Msg{jobMsg("$JS.ACK.1"), jobMsg("$JS.ACK.2")}},
		{name: "part delivered", msgs: []*nats.Msg{jobMsg("$JS.ACK.1")}, open: true},
		{name: "expired", msgs: []*nats.Msg{statusMsg("in.3", "408", "Request Timeout")}},
		{name: "idle heartbeat", msgs: []*nats.Msg{statusMsg("in.3", "100", "Idle Heartbeat")}, open: true},
		{name: "expiry of an older request", msgs: []*nats.Msg{statusMsg("in.2", "408", "Request Timeout")}, open: true},
		{name: "consumer moved", msgs: []*nats.Msg{statusMsg("in.3", "409", "Leadership Change")}},
		{name: "consumer missing", msgs: []*nats.Msg{statusMsg("in.3", "503", "")}, fail: true, is: nats.ErrNoResponders},
		{name: "consumer deleted", msgs: []*nats.Msg{statusMsg("in.3", "409", "Consumer Deleted")}, fail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var took, ended int
			p := &puller{
				inbox: "in", take: func(*pulledMsg) { took++ }, ended: func() { ended++ },
				seq: 3, open: true, left: 2, deadline: time.Now().Add(time.Hour),
			}
			for _, m := range tt.msgs {
				p.receive(m)
			}

			open, _, err := p.state(time.Now())
			if open != tt.open {
				t.Errorf("open: got %v, want %v", open, tt.open)
			}
			if wantEnded := !tt.open; (ended == 1) != wantEnded || ended > 1 {
				t.Errorf("ended told %d times, want it told once when the request ends", ended)
			}
			if (err != nil) != tt.fail || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Errorf("got error %v, want failed %v (%v)", err, tt.fail, tt.is)
			}
			if want := jobsIn(tt.msgs); took != want {
				t.Errorf("took %d jobs, want %d", took, want)
			}
		})
	}
}

func jobsIn(msgs []*nats.Msg) int {
	n := 0
	for _, m := range msgs {
		if m.Reply != "" {
			n++
		}
	}
	return n
}

// An open request that the server never closes is given up at its
// deadline, as lost.
func TestPullerGivesUpALostRequest(t *testing.T) {
	t.Parallel()
	p := &puller{ended: func() {}, seq: 1, open: true, left: 5, deadline: time.Now().Add(time.Second)}
	if open, _, err := p.state(time.Now()); !open || err != nil {
		t.Fatalf("before the deadline: got open %v, %v; want open", open, err)
	}
	open, _, err := p.state(time.Now().Add(2 * time.Second))
	if open || !errors.Is(err, errPullLost) {
		t.Errorf("after the deadline: got open %v, %v; want closed, %v", open, err, errPullLost)
	}
	if _, _, err := p.state(time.Now()); err != nil {
		t.Errorf("the failure was reported again: %v", err)
	}
}
