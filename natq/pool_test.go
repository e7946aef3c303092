package natq_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go"
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

// TestSyncStopServesQueuedRequests checks that a stop answers the
// requests that wait for a goroutine, not only the runs in progress.
func TestSyncStopServesQueuedRequests(t *testing.T) {
	t.Parallel()
	task := natq.NewTask[gateIn, gateOut]("queued", natq.Sync, natq.WithConcurrency(1))
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	var first sync.Once
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	w, err := natq.NewWorker(nc, natq.WithLogger(natqtest.Logger(t)))
	if err != nil {
		t.Fatal(err)
	}
	natq.Handle(w, task, func(_ context.Context, in gateIn) (gateOut, error) {
		first.Do(func() {
			started <- struct{}{}
			<-release
		})
		return gateOut(in), nil
	})
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := natqtest.NewClient(t, srv.Connect(t))
	before := nc.Stats().InMsgs

	const calls = 5
	errs := make(chan error, calls)
	for i := range calls {
		go func() {
			out, err := task.Call(context.Background(), c, gateIn{N: i})
			if err == nil && out.N != i {
				err = fmt.Errorf("got %d, want %d", out.N, i)
			}
			errs <- err
		}()
	}
	<-started
	waitDelivered(t, nc, before+calls)
	stopped := make(chan error, 1)
	go func() { stopped <- w.Stop(context.Background()) }()
	// Release the run in progress once the subscription is gone, so that
	// the queued requests are served by the stopping pool.
	waitUnsubscribed(t, c, task)
	close(release)

	if err := <-stopped; err != nil {
		t.Fatalf("stop: %v", err)
	}
	for range calls {
		if err := <-errs; err != nil {
			t.Errorf("call across stop: %v", err)
		}
	}
}

// waitDelivered waits until the server has delivered n messages to the
// worker's connection: there, that the requests are in the worker's queue.
func waitDelivered(t *testing.T, nc *nats.Conn, n uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for nc.Stats().InMsgs < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests delivered, want %d", nc.Stats().InMsgs, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitUnsubscribed waits until a call of task finds no worker.
func waitUnsubscribed(t *testing.T, c *natq.Client, task *natq.Task[gateIn, gateOut]) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := task.Call(ctx, c, gateIn{})
		cancel()
		if errors.Is(err, natq.ErrNoWorker) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a call during stop: got %v, want ErrNoWorker", err)
		}
	}
}
