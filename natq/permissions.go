package natq

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrPermissionDenied means the server refused the connection's user a
// subject the operation needs: the user may not call or enqueue the task,
// read its results, or serve it. The error also matches
// nats.ErrPermissionViolation, and its message names the subject.
//
// NATS reports a refused publish only to the connection, not to the
// request that made it, so natq looks for the report itself. A call or an
// enqueue on a subject the client has not used yet fails at once; any
// other refused operation fails when its wait ends (the context's
// deadline, the call timeout, or JetStream's five seconds) with this error
// in place of a timeout.
var ErrPermissionDenied = errors.New("natq: permission denied")

// probeTimeout bounds a probed operation whose context has no deadline,
// as JetStream bounds its own requests.
const probeTimeout = 5 * time.Second

// permits remembers the subjects the server has let a client publish to,
// so that only the first use of a subject pays for a probe.
type permits struct {
	cleared sync.Map // subject → struct{}

	once sync.Once
	js   jetstream.JetStream // for probed enqueues; see publishJob
	err  error
}

// The two kinds of refusal, as nats.go reports them.
const (
	refusedPublish   = "Publish"
	refusedSubscribe = "Subscription"
)

// violationRe finds the kind and subject of a permission violation as
// nats.go reports it: Permissions Violation for Publish to "subject".
var violationRe = regexp.MustCompile(`Permissions Violation for (Publish|Subscription) to "([^"]+)"`)

// refusal returns the kind and subject of a permission violation, or
// empty strings.
func refusal(err error) (kind, subject string) {
	if !errors.Is(err, nats.ErrPermissionViolation) {
		return "", ""
	}
	if m := violationRe.FindStringSubmatch(err.Error()); m != nil {
		return m[1], m[2]
	}
	return "", ""
}

// matches reports whether a refused subject is about what needle names:
// the subject itself, or a JetStream API subject that ends with it (a KV
// read or watch ends with "$KV.<bucket>.<key>").
func matches(subject, needle string) bool {
	return subject == needle || strings.HasSuffix(subject, "."+needle)
}

// denial returns err wrapped in ErrPermissionDenied when it is a refusal
// of the given kind about one of needles, or nil.
func denial(err error, kind string, needles ...string) error {
	k, s := refusal(err)
	if k != kind {
		return nil
	}
	for _, needle := range needles {
		if matches(s, needle) {
			return fmt.Errorf("%w: %w", ErrPermissionDenied, err)
		}
	}
	return nil
}

// explain puts the reason in place of a timeout: when err is one and the
// connection's last error is a refusal to publish one of needles (every
// wait is for the answer to a publish), it returns that refusal. A refusal
// that is old (the permission was granted since) is taken for the cause
// as well; permissions rarely change under a running client.
func explain(nc *nats.Conn, err error, needles ...string) error {
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrTimeout) {
		return err
	}
	if d := denial(nc.LastError(), refusedPublish, needles...); d != nil {
		return d
	}
	return err
}

// sent waits until the server has handled everything published on nc so
// far, and returns the refusal of the given kind of subject it reported
// meanwhile, if any. The server handles a connection's messages in order
// and answers a flush last, so a refusal of what was published before
// arrives first. before is the connection's last error before the
// publish.
//
// A flush cut short by a reconnection proves nothing either way; the
// caller goes on waiting for its answer, as it would without the probe.
func sent(ctx context.Context, nc *nats.Conn, before error, kind, subject string) error {
	flushErr := nc.FlushWithContext(ctx)
	//nolint:errorlint // identity: each refusal is a new error value
	if after := nc.LastError(); after != before {
		if err := denial(after, kind, subject); err != nil {
			return err
		}
	}
	if flushErr != nil {
		return ctx.Err()
	}
	return nil
}

// withProbeTimeout gives ctx a deadline when it has none.
func withProbeTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, probeTimeout)
}

// request sends a sync call and waits for the reply. The first call on a
// subject is probed (see requestProbed); once a subject has been answered,
// calls take nats.go's request path.
func (c *Client) request(ctx context.Context, msg *nats.Msg) (*nats.Msg, error) {
	if _, ok := c.permits.cleared.Load(msg.Subject); ok {
		reply, err := c.nc.RequestMsgWithContext(ctx, msg)
		return reply, explain(c.nc, err, msg.Subject)
	}
	reply, err := c.requestProbed(ctx, msg)
	if err == nil || errors.Is(err, nats.ErrNoResponders) {
		c.permits.cleared.Store(msg.Subject, struct{}{})
	}
	return reply, err
}

// requestProbed is a request on its own reply subscription, with a flush
// between the publish and the wait, so that a refused publish fails at
// once instead of at the deadline.
func (c *Client) requestProbed(ctx context.Context, msg *nats.Msg) (*nats.Msg, error) {
	ctx, cancel := withProbeTimeout(ctx)
	defer cancel()
	sub, err := c.nc.SubscribeSync(c.nc.NewInbox())
	if err != nil {
		return nil, err
	}
	defer func() { _ = sub.Unsubscribe() }()
	before := c.nc.LastError()
	out := *msg
	out.Reply = sub.Subject
	if err := c.nc.PublishMsg(&out); err != nil {
		return nil, err
	}
	if err := sent(ctx, c.nc, before, refusedPublish, msg.Subject); err != nil {
		return nil, explain(c.nc, err, msg.Subject)
	}
	reply, err := sub.NextMsgWithContext(ctx)
	if err != nil {
		return nil, explain(c.nc, err, msg.Subject)
	}
	// The server answers a request nobody listens to with a bare 503.
	if len(reply.Data) == 0 && reply.Header.Get("Status") == "503" {
		return nil, nats.ErrNoResponders
	}
	return reply, nil
}

// publishJob stores a job in the stream, deduplicated by its run id. The
// first job on a subject is probed: it is published asynchronously and
// the connection flushed before waiting for the stream's acknowledgement,
// so that a refused publish fails at once.
func (c *Client) publishJob(ctx context.Context, subject string, doc []byte, runID string) error {
	if _, ok := c.permits.cleared.Load(subject); ok {
		_, err := c.js.Publish(ctx, subject, doc, jetstream.WithMsgID(runID))
		return explain(c.nc, err, subject)
	}
	js, err := c.probeJS()
	if err != nil {
		return err
	}
	ctx, cancel := withProbeTimeout(ctx)
	defer cancel()
	before := c.nc.LastError()
	ack, err := js.PublishAsync(subject, doc, jetstream.WithMsgID(runID))
	if err != nil {
		return err
	}
	if err := sent(ctx, c.nc, before, refusedPublish, subject); err != nil {
		return explain(c.nc, err, subject)
	}
	select {
	case <-ack.Ok():
		c.permits.cleared.Store(subject, struct{}{})
		return nil
	case err := <-ack.Err():
		if errors.Is(err, jetstream.ErrAsyncPublishTimeout) {
			// The probe's own bound (probeTimeout), reported as the
			// timeout it is.
			err = fmt.Errorf("%w: %w", nats.ErrTimeout, err)
		}
		return explain(c.nc, err, subject)
	case <-ctx.Done():
		return explain(c.nc, ctx.Err(), subject)
	}
}

// probeJS returns the JetStream context of probed enqueues. Its
// acknowledgements time out, so that a publish the server refused is not
// kept pending for ever.
func (c *Client) probeJS() (jetstream.JetStream, error) {
	p := &c.permits
	p.once.Do(func() {
		p.js, p.err = jetstream.New(c.nc, jetstream.WithPublishAsyncTimeout(probeTimeout))
	})
	if p.err != nil {
		return nil, fmt.Errorf("natq: jetstream: %w", p.err)
	}
	return p.js, nil
}

// kvSubject is the subject of a key of a bucket, with which KV reads and
// watches end their JetStream API subjects.
func kvSubject(bucket, key string) string { return "$KV." + bucket + "." + key }

// subscribed waits until the server has handled a subscription to subject
// made on nc, and returns its refusal, if the server refused it. before is
// the connection's last error before the subscription. A server that does
// not answer in time is not a refusal: the subscription stands, as it
// would without the check.
func subscribed(nc *nats.Conn, before error, subject string) error {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	if err := sent(ctx, nc, before, refusedSubscribe, subject); errors.Is(err, ErrPermissionDenied) {
		return err
	}
	return nil
}
