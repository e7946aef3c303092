package natq

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// pullGrace is how long past its expiry a pull request may stay
// unanswered before it is given up as lost (with the connection, say).
const pullGrace = time.Second

// errPullLost reports a pull request that the server never closed.
var errPullLost = errors.New("pull request unanswered")

// puller asks a consumer for jobs on one long-lived inbox, with at most one
// pull request open at a time. Unlike [jetstream.Consumer.Fetch] it makes
// no subscription per request; unlike [jetstream.Consumer.Consume] it asks
// for exactly the number of jobs its owner has room for, and never for
// more, so no job is delivered that the owner cannot take at once.
//
// Request n replies on "<inbox>.<n>": a status that names an older
// request (one given up as lost) cannot close the current one.
type puller struct {
	nc      *nats.Conn
	subject string // the consumer's next-message API subject
	inbox   string
	sub     *nats.Subscription
	// take receives every job, on the subscription's goroutine, before
	// the request it came with is counted down. It must not block.
	take func(*pulledMsg)
	// ended is told, without blocking, that the open request ended.
	ended func()

	mu       sync.Mutex
	seq      uint64    // number of the last request made
	open     bool      // whether request seq may still deliver
	left     int       // jobs request seq may still deliver
	deadline time.Time // after which an open request is given up
	err      error     // why the last request failed, until told
	// trip is the time from a request to its first job, sampled only
	// when jobs were left in the stream as the request before it ended: a
	// request made while jobs are queued is answered at once, where one
	// made on an empty stream waits for a publish.
	trip    average
	backlog bool      // the last request ended with jobs left to pull
	sampled time.Time // when request seq was made, if it is sampled
}

func newPuller(nc *nats.Conn, subject string, take func(*pulledMsg), ended func()) (*puller, error) {
	p := &puller{nc: nc, subject: subject, inbox: nc.NewInbox(), take: take, ended: ended}
	// A request that waited for a publish after all is an outlier: it
	// must not make the worker prefetch more.
	p.trip.limit = 4
	sub, err := nc.Subscribe(p.inbox+".*", p.receive)
	if err != nil {
		return nil, fmt.Errorf("natq: subscribe to pulled jobs: %w", err)
	}
	p.sub = sub
	return p, nil
}

// request opens a request for up to n jobs, which the server closes once
// it has delivered n, or after expires. It returns the deadline past which
// the request is given up as lost.
func (p *puller) request(n int, expires time.Duration) (time.Time, error) {
	// JetStream's request for the next messages of a pull consumer; the
	// expiry is in nanoseconds.
	body := fmt.Appendf(nil, `{"batch":%d,"expires":%d}`, n, expires.Nanoseconds())
	reply, deadline := p.begin(n, expires)
	if err := p.nc.PublishRequest(p.subject, reply, body); err != nil {
		p.close(err)
		return time.Time{}, err
	}
	return deadline, nil
}

// begin records a request for n jobs as the open one, and returns the
// subject it is answered on and its deadline.
func (p *puller) begin(n int, expires time.Duration) (string, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	p.open, p.left, p.err = true, n, nil
	now := time.Now()
	p.deadline = now.Add(expires + pullGrace)
	p.sampled = time.Time{}
	if p.backlog {
		p.sampled = now
	}
	return p.inbox + "." + strconv.FormatUint(p.seq, 10), p.deadline
}

// state reports whether a request is open and until when it may be, and
// why the last one failed, once. An open request past its deadline is
// given up.
func (p *puller) state(now time.Time) (open bool, deadline time.Time, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open && now.After(p.deadline) {
		p.open, p.backlog, p.err = false, false, errPullLost
	}
	err, p.err = p.err, nil
	return p.open, p.deadline, err
}

// roundTrip is the moving average of the time from a request to its
// first job; zero until a request has brought one.
func (p *puller) roundTrip() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.trip.get()
}

// isOpen reports whether a request is open.
func (p *puller) isOpen() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.open
}

// close ends the open request, with err when it failed.
func (p *puller) close(err error) {
	p.mu.Lock()
	p.open, p.backlog, p.err = false, false, err
	p.mu.Unlock()
	p.ended()
}

// receive handles what the server sends to the inbox: jobs, and the
// statuses that close a request.
func (p *puller) receive(m *nats.Msg) {
	if m.Reply == "" && m.Header.Get("Status") != "" {
		p.status(m)
		return
	}
	msg := &pulledMsg{m}
	p.take(msg)
	p.mu.Lock()
	done := false
	if p.open {
		if !p.sampled.IsZero() {
			p.trip.add(time.Since(p.sampled))
			p.sampled = time.Time{}
		}
		p.left--
		done = p.left <= 0
		p.open = !done
		if done {
			p.backlog = msg.pending() > 0
		}
	}
	p.mu.Unlock()
	if done {
		p.ended()
	}
}

// status closes the request a status is about, unless it is an idle
// heartbeat or about an older request.
func (p *puller) status(m *nats.Msg) {
	code, descr := m.Header.Get("Status"), m.Header.Get("Description")
	var err error
	switch {
	case code == "100":
		return // an idle heartbeat
	case code == "408", code == "404":
		// expired, or nothing to deliver
	case code == "409" && strings.Contains(strings.ToLower(descr), "leadership change"):
		// the consumer moved; ask again
	case code == "503":
		err = fmt.Errorf("consumer or stream missing: %w", nats.ErrNoResponders)
	default:
		err = fmt.Errorf("pull refused: %s %s", code, descr)
	}
	p.mu.Lock()
	current := p.open && m.Subject == p.inbox+"."+strconv.FormatUint(p.seq, 10)
	if current {
		p.open, p.backlog, p.err = false, false, err
	}
	p.mu.Unlock()
	if current {
		p.ended()
	}
}

// stop unsubscribes. Call it only when no request is open: a job the
// server sends afterwards would wait out its ack wait unseen.
func (p *puller) stop() {
	_ = p.sub.Unsubscribe()
}

// pulledMsg is a job delivered to the inbox of a [puller]. The
// acknowledgements are nats.go's own for JetStream messages.
type pulledMsg struct{ m *nats.Msg }

var _ jetstream.Msg = (*pulledMsg)(nil)

func (p *pulledMsg) Data() []byte         { return p.m.Data }
func (p *pulledMsg) Headers() nats.Header { return p.m.Header }
func (p *pulledMsg) Subject() string      { return p.m.Subject }
func (p *pulledMsg) Reply() string        { return p.m.Reply }
func (p *pulledMsg) Ack() error           { return p.m.Ack() }
func (p *pulledMsg) Nak() error           { return p.m.Nak() }
func (p *pulledMsg) InProgress() error    { return p.m.InProgress() }
func (p *pulledMsg) Term() error          { return p.m.Term() }

func (p *pulledMsg) DoubleAck(ctx context.Context) error {
	return p.m.AckSync(nats.Context(ctx))
}

func (p *pulledMsg) NakWithDelay(delay time.Duration) error {
	return p.m.NakWithDelay(delay)
}

// TermWithReason terminates the message; the reason is shown in the
// server's advisory.
func (p *pulledMsg) TermWithReason(reason string) error {
	return p.m.Respond([]byte("+TERM " + reason))
}

// pending is how many jobs the stream held for the consumer after this
// one was delivered, 0 if that cannot be told.
func (p *pulledMsg) pending() uint64 {
	md, err := p.m.Metadata()
	if err != nil {
		return 0
	}
	return md.NumPending
}

func (p *pulledMsg) Metadata() (*jetstream.MsgMetadata, error) {
	md, err := p.m.Metadata()
	if err != nil {
		return nil, err
	}
	return &jetstream.MsgMetadata{
		Sequence:     jetstream.SequencePair{Consumer: md.Sequence.Consumer, Stream: md.Sequence.Stream},
		NumDelivered: md.NumDelivered,
		NumPending:   md.NumPending,
		Timestamp:    md.Timestamp,
		Stream:       md.Stream,
		Consumer:     md.Consumer,
		Domain:       md.Domain,
	}, nil
}

// nextSubject is the API subject on which js asks a consumer for its next
// messages.
func nextSubject(js jetstream.JetStream, stream, consumer string) string {
	opts := js.Options()
	prefix := "$JS.API."
	switch {
	case opts.APIPrefix != "":
		prefix = strings.TrimSuffix(opts.APIPrefix, ".") + "."
	case opts.Domain != "":
		prefix = "$JS." + opts.Domain + ".API."
	}
	return prefix + "CONSUMER.MSG.NEXT." + stream + "." + consumer
}
