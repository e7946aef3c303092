package main

import (
	"context"
	"sync"
	"time"

	"github.com/natq/natq-go/natq"
)

// The conformance task set of the natq protocol. Producers written for any
// natq SDK run their tester against these tasks.

// AddIn is the input of e2e-add.
type AddIn struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

// AddOut is the output of e2e-add.
type AddOut struct {
	Sum float64 `json:"sum"`
}

// DelayIn is the input of e2e-delay.
type DelayIn struct {
	DelayMs float64 `json:"delayMs,omitempty" jsonschema:"minimum=0"`
}

// DelayOut is the output of e2e-delay.
type DelayOut struct {
	Delayed bool `json:"delayed"`
}

// RetryIn is the input of e2e-retry.
type RetryIn struct {
	FailCount int `json:"failCount,omitempty" jsonschema:"minimum=0"`
}

// RetryOut is the output of e2e-retry.
type RetryOut struct {
	Attempts int `json:"attempts"`
}

// DropOut is the output of e2e-drop-result.
type DropOut struct {
	Dropped bool `json:"dropped"`
}

// Any is the input of tasks that take whatever object they are given.
type Any = map[string]any

// None is the output of tasks that never succeed.
type None = struct{}

// The tasks, declared once for the worker and for the tests that drive it.
var (
	Add              = natq.NewTask[AddIn, AddOut]("e2e-add", natq.Sync)
	Echo             = natq.NewTask[Any, Any]("e2e-echo", natq.Sync)
	ClientError      = natq.NewTask[Any, None]("e2e-client-error", natq.Sync)
	Delay            = natq.NewTask[DelayIn, DelayOut]("e2e-delay", natq.Async)
	Retry            = natq.NewTask[RetryIn, RetryOut]("e2e-retry", natq.Async)
	AsyncClientError = natq.NewTask[Any, None]("e2e-async-client-error", natq.Async)
	DropResult       = natq.NewTask[Any, DropOut]("e2e-drop-result", natq.Async)
)

// dropDelay is how long e2e-drop-result works, so that a watcher sees its
// run at 100 before the success and the deletion.
const dropDelay = 500 * time.Millisecond

// register binds the conformance handlers to w.
func register(w *natq.Worker) {
	natq.Handle(w, Add, func(_ context.Context, in AddIn) (AddOut, error) {
		return AddOut{Sum: in.A + in.B}, nil
	})
	natq.Handle(w, Echo, func(_ context.Context, in Any) (Any, error) {
		return in, nil
	})
	natq.Handle(w, ClientError, func(context.Context, Any) (None, error) {
		return None{}, natq.BadRequest("Client requested failure")
	})
	natq.Handle(w, Delay, func(ctx context.Context, in DelayIn) (DelayOut, error) {
		if err := sleep(ctx, time.Duration(in.DelayMs*float64(time.Millisecond))); err != nil {
			return DelayOut{}, err
		}
		return DelayOut{Delayed: true}, nil
	})
	counter := &attempts{seen: make(map[string]int)}
	natq.Handle(w, Retry, func(ctx context.Context, in RetryIn) (RetryOut, error) {
		info, _ := natq.RunInfoFromContext(ctx)
		n := counter.next(info.RunID)
		if n <= in.FailCount {
			return RetryOut{}, natq.Errorf(500, "attempt %d of run %s fails on purpose", n, info.RunID)
		}
		return RetryOut{Attempts: n}, nil
	})
	natq.Handle(w, AsyncClientError, func(context.Context, Any) (None, error) {
		return None{}, natq.BadRequest("Async client error")
	})
	natq.Handle(w, DropResult, func(ctx context.Context, _ Any) (DropOut, error) {
		if err := sleep(ctx, dropDelay); err != nil {
			return DropOut{}, err
		}
		return DropOut{Dropped: true}, nil
	})
}

// attempts counts the attempts of each run, as the other SDKs' e2e-retry
// does: in memory, per worker.
type attempts struct {
	mu   sync.Mutex
	seen map[string]int
}

func (a *attempts) next(runID string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seen[runID]++
	return a.seen[runID]
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
