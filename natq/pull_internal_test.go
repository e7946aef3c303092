package natq

import (
	"errors"
	"strconv"
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
			p := &puller{inbox: "in", take: func(*pulledMsg) { took++ }, ended: func() { ended++ }, seq: 2}
			p.begin(2, time.Hour)
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
	p := &puller{ended: func() {}}
	p.begin(5, 0) // the deadline is the grace past its expiry
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

// delivered is a job as the server delivers it, with the number of jobs
// still pending behind it in its ack subject.
func delivered(pending int) *nats.Msg {
	m := jobMsg("$JS.ACK.natq_jobs.natq_worker_t.1.7.7.1700000000000000000." + strconv.Itoa(pending))
	m.Sub = &nats.Subscription{} // bound, as nats.go's parsing of the ack subject requires
	return m
}

// The round trip of a pull is sampled only from a request made while jobs
// were left in the stream: one made on an empty stream waits for a
// publish, which says nothing of the round trip.
func TestPullerSamplesRoundTripsOnBacklog(t *testing.T) {
	t.Parallel()
	p := &puller{inbox: "in", take: func(*pulledMsg) {}, ended: func() {}}

	p.begin(1, time.Hour)
	p.receive(delivered(0)) // the stream is empty behind it
	p.begin(1, time.Hour)
	p.receive(delivered(3))
	if got := p.roundTrip(); got != 0 {
		t.Fatalf("sampled a request made on an empty stream: %v", got)
	}
	p.begin(1, time.Hour)
	p.receive(delivered(2))
	if got := p.roundTrip(); got <= 0 {
		t.Errorf("a request made on a backlog was not sampled")
	}
}

func TestAverage(t *testing.T) {
	t.Parallel()
	m := average{limit: 4}
	m.add(8 * time.Millisecond)
	if m.get() != 8*time.Millisecond {
		t.Fatalf("first sample: got %v, want 8ms", m.get())
	}
	m.add(time.Hour) // an outlier counts as 4 × 8ms
	if want := 11 * time.Millisecond; m.get() != want {
		t.Errorf("after an outlier: got %v, want %v", m.get(), want)
	}
	free := average{}
	free.add(8 * time.Millisecond)
	free.add(808 * time.Millisecond)
	if want := 108 * time.Millisecond; free.get() != want {
		t.Errorf("without a limit: got %v, want %v", free.get(), want)
	}
}
