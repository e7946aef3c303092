package natq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/natq/natq-go/codec"
	"github.com/nats-io/nats.go"
)

// syncServer serves one sync task on a queue subscription.
type syncServer struct {
	w   *Worker
	b   *binding
	log *slog.Logger
	sub *nats.Subscription
	// queue is the subscription's channel: the connection's reader puts
	// each request in it, and the pool's goroutines take them out. A
	// callback subscription would add a goroutine and a hand-over per
	// request, and a goroutine per request would grow a fresh stack for
	// every run.
	queue chan *nats.Msg
	pool  *pool
}

// syncBacklog is how many requests may wait for a goroutine of the pool,
// as nats.go's own buffer of a subscription. Past it, nats.go reports a
// slow consumer and the caller's request times out.
// It is nats.go's default for channel subscriptions; the channel takes
// 512 KiB per sync task.
const syncBacklog = 64 * 1024

func newSyncServer(w *Worker, b *binding) *syncServer {
	s := &syncServer{
		w:     w,
		b:     b,
		log:   w.log.With("task", b.def.id),
		queue: make(chan *nats.Msg, syncBacklog),
	}
	s.pool = newPool(s.queue, b.def.concurrency, s.serve)
	return s
}

func (s *syncServer) start() error {
	subject := s.w.cfg.names.syncSubject(s.b.def.id)
	before := s.w.nc.LastError()
	sub, err := s.w.nc.ChanQueueSubscribe(subject, s.w.cfg.queueGroup, s.queue)
	if err != nil {
		return fmt.Errorf("natq: subscribe %s: %w", subject, err)
	}
	s.sub = sub
	// The server refuses a subscription after the fact; a worker that may
	// not serve its task must not look as if it did.
	if err := subscribed(s.w.nc, before, subject); err != nil {
		return fmt.Errorf("natq: subscribe %s: %w", subject, err)
	}
	s.pool.start()
	return nil
}

// okHeader is the header of every plain success. nats.go only reads a
// reply's header, so all replies share it.
var okHeader = nats.Header(codec.ReplyHeaders(codec.StatusOK, ""))

func (s *syncServer) serve(m *nats.Msg) {
	in, serr := s.b.admit(m.Data)
	runID := ""
	if in != nil {
		runID = in.RunID
	}
	run := newRunState(runID, s.b.def.id, s.w.id, 1)
	ctx := s.w.runCtx
	var res result
	if serr != nil {
		res = failure(serr)
	} else {
		res = s.b.run(ctx, in, run)
	}
	res = s.w.fit(res, m.Reply)
	if s.log.Enabled(ctx, slog.LevelDebug) {
		s.log.DebugContext(ctx, "sync run done", "run", run.id(), "status", res.status)
	}
	reply := &nats.Msg{Header: okHeader, Data: res.data}
	if res.status != codec.StatusOK || res.msg != "" {
		reply.Header = nats.Header(codec.ReplyHeaders(res.status, res.msg))
	}
	if err := m.RespondMsg(reply); err != nil && !errors.Is(err, nats.ErrMsgNoReply) {
		s.log.WarnContext(ctx, "sync reply not sent", "run", run.id(), "err", err)
	}
}

// stop drains the subscription (requests already received are served) and
// waits for the runs to be answered.
func (s *syncServer) stop(ctx context.Context) error {
	if s.sub == nil {
		return nil
	}
	err := s.drain(ctx)
	// Every request received is in the queue; the pool serves those left
	// and returns.
	s.pool.stop()
	if err != nil {
		return err
	}
	return waitCtx(ctx, &s.pool.runs, s.b.def.id)
}

// drain removes the subscription once the requests on their way to it
// are in the queue.
func (s *syncServer) drain(ctx context.Context) error {
	closed := s.sub.StatusChanged(nats.SubscriptionClosed)
	if err := s.sub.Drain(); err != nil {
		s.log.WarnContext(ctx, "drain sync subscription", "err", err)
		return nil
	}
	select {
	case <-closed:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("natq: stop %s: %w", s.b.def.id, ctx.Err())
	}
}

// waitCtx waits for wg or for ctx, whichever is first.
func waitCtx(ctx context.Context, wg *sync.WaitGroup, taskID string) error {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("natq: stop %s: %w", taskID, ctx.Err())
	}
}
