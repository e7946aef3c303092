package natq_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
)

type gateIn struct {
	N int `json:"n"`
}

type gateOut struct {
	N int `json:"n"`
}

// TestSyncConcurrency checks that a sync task runs as many blocked
// handlers at once as its concurrency allows, although its pool starts
// with one goroutine per processor, and never more.
func TestSyncConcurrency(t *testing.T) {
	t.Parallel()
	const limit = 8
	task := natq.NewTask[gateIn, gateOut]("gate", natq.Sync, natq.WithConcurrency(limit))
	var (
		running, peak atomic.Int32
		full          = make(chan struct{})
		once          sync.Once
	)
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, task, func(ctx context.Context, in gateIn) (gateOut, error) {
			n := running.Add(1)
			defer running.Add(-1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			if n == limit {
				once.Do(func() { close(full) })
			}
			// Block, as a handler waiting on I/O does, until the limit is
			// reached: a pool that does not grow never gets there.
			select {
			case <-full:
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
			}
			return gateOut(in), nil
		})
	})

	var wg sync.WaitGroup
	for i := range 2 * limit {
		wg.Go(func() {
			if out := natqtest.Call(t, env.Client, task, gateIn{N: i}); out.N != i {
				t.Errorf("call %d: got %d, want %d", i, out.N, i)
			}
		})
	}
	wg.Wait()

	select {
	case <-full:
	default:
		t.Fatalf("at most %d handlers ran at once, want %d", peak.Load(), limit)
	}
	if got := peak.Load(); got > limit {
		t.Errorf("%d handlers ran at once, want at most %d", got, limit)
	}
}
