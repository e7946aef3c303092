package natq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/natq/natq-go/codec"
	"github.com/nats-io/nats.go"
	"github.com/oklog/ulid/v2"
)

// syncServer serves one sync task on a queue subscription.
type syncServer struct {
	w   *Worker
	b   *binding
	log *slog.Logger
	sub *nats.Subscription
	// queue hands requests to a pool of long-lived goroutines, one per
	// concurrent run: a goroutine per request would grow a fresh stack
	// for every run.
	queue chan *nats.Msg
	done  chan struct{} // closed when the pool must end
	runs  sync.WaitGroup
}

func newSyncServer(w *Worker, b *binding) *syncServer {
	return &syncServer{
		w:     w,
		b:     b,
		log:   w.log.With("task", b.def.id),
		queue: make(chan *nats.Msg),
		done:  make(chan struct{}),
	}
}

func (s *syncServer) start() error {
	subject := s.w.cfg.names.syncSubject(s.b.def.id)
	before := s.w.nc.LastError()
	sub, err := s.w.nc.QueueSubscribe(subject, s.w.cfg.queueGroup, s.dispatch)
	if err != nil {
		return fmt.Errorf("natq: subscribe %s: %w", subject, err)
	}
	s.sub = sub
	// The server refuses a subscription after the fact; a worker that may
	// not serve its task must not look as if it did.
	if err := subscribed(s.w.nc, before, subject); err != nil {
		return fmt.Errorf("natq: subscribe %s: %w", subject, err)
	}
	for range s.b.def.concurrency {
		s.runs.Go(func() {
			for {
				select {
				case m := <-s.queue:
					s.serve(m)
				case <-s.done:
					return
				}
			}
		})
	}
	return nil
}

// dispatch runs on the subscription's goroutine. It blocks while every
// goroutine of the pool is busy, so that requests wait in the
// subscription's buffer.
func (s *syncServer) dispatch(m *nats.Msg) {
	select {
	case s.queue <- m:
	case <-s.done:
		// Stopped past its deadline: the caller's request times out.
	}
}

func (s *syncServer) serve(m *nats.Msg) {
	in, serr := s.b.admit(m.Data)
	runID := ""
	if in != nil {
		runID = in.RunID
	}
	if runID == "" {
		runID = ulid.Make().String()
	}
	ctx := s.w.runCtx
	var res result
	if serr != nil {
		res = failure(serr)
	} else {
		info := RunInfo{RunID: runID, TaskID: s.b.def.id, WorkerID: s.w.id, Attempt: 1}
		res = s.b.run(ctx, in, info)
	}
	res = s.w.fit(res, m.Reply)
	s.log.DebugContext(ctx, "sync run done", "run", runID, "status", res.status)
	reply := &nats.Msg{Header: nats.Header(codec.ReplyHeaders(res.status, res.msg)), Data: res.data}
	if err := m.RespondMsg(reply); err != nil && !errors.Is(err, nats.ErrMsgNoReply) {
		s.log.WarnContext(ctx, "sync reply not sent", "run", runID, "err", err)
	}
}

// stop drains the subscription (requests already received are served) and
// waits for the runs to be answered.
func (s *syncServer) stop(ctx context.Context) error {
	if s.sub == nil {
		return nil
	}
	err := s.drain(ctx)
	// Every request drained has been handed to the pool; its goroutines
	// finish the run in hand and return.
	close(s.done)
	if err != nil {
		return err
	}
	return waitCtx(ctx, &s.runs, s.b.def.id)
}

// drain serves the requests already received and removes the
// subscription.
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
