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
	w    *Worker
	b    *binding
	log  *slog.Logger
	sub  *nats.Subscription
	sem  chan struct{}
	runs sync.WaitGroup
}

func newSyncServer(w *Worker, b *binding) *syncServer {
	return &syncServer{
		w:   w,
		b:   b,
		log: w.log.With("task", b.def.id),
		sem: make(chan struct{}, b.def.concurrency),
	}
}

func (s *syncServer) start() error {
	subject := s.w.cfg.names.syncSubject(s.b.def.id)
	sub, err := s.w.nc.QueueSubscribe(subject, s.w.cfg.queueGroup, s.dispatch)
	if err != nil {
		return fmt.Errorf("natq: subscribe %s: %w", subject, err)
	}
	s.sub = sub
	return nil
}

// dispatch runs on the subscription's goroutine. It blocks while the task
// is at its concurrency limit, so that requests wait in the subscription's
// buffer rather than in goroutines.
func (s *syncServer) dispatch(m *nats.Msg) {
	s.sem <- struct{}{}
	s.runs.Go(func() {
		defer func() { <-s.sem }()
		s.serve(m)
	})
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
	log := s.log.With("run", runID)
	var res result
	if serr != nil {
		res = failure(serr)
	} else {
		info := RunInfo{RunID: runID, TaskID: s.b.def.id, WorkerID: s.w.id, Attempt: 1}
		res = s.b.run(ctx, in, info)
	}
	log.DebugContext(ctx, "sync run done", "status", res.status)
	reply := &nats.Msg{Header: nats.Header(codec.ReplyHeaders(res.status, res.msg)), Data: res.data}
	if err := m.RespondMsg(reply); err != nil && !errors.Is(err, nats.ErrMsgNoReply) {
		log.WarnContext(ctx, "sync reply not sent", "err", err)
	}
}

// stop drains the subscription (requests already received are served) and
// waits for the runs to be answered.
func (s *syncServer) stop(ctx context.Context) error {
	if s.sub == nil {
		return nil
	}
	closed := s.sub.StatusChanged(nats.SubscriptionClosed)
	if err := s.sub.Drain(); err != nil {
		s.log.WarnContext(ctx, "drain sync subscription", "err", err)
	} else {
		select {
		case <-closed:
		case <-ctx.Done():
			return fmt.Errorf("natq: stop %s: %w", s.b.def.id, ctx.Err())
		}
	}
	return waitCtx(ctx, &s.runs, s.b.def.id)
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
