package bench

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/nats-io/nats.go/jetstream"
)

const inFlight = 1000

var benchHold = natq.NewTask[DelayIn, DelayOut]("bench-hold", natq.Async,
	natq.WithConcurrency(inFlight), natq.WithMaxAckPending(2*inFlight))

// benchMemory measures the process's heap while one worker holds 1 000
// runs in flight, against the heap before the worker started. With an
// embedded server the server's own memory is in both figures; the
// difference is what the worker and its runs cost.
func (r *runner) benchMemory(ctx context.Context) error {
	nc, err := r.connect("bench-memory")
	if err != nil {
		return err
	}
	defer nc.Close()
	w, err := natq.NewWorker(nc)
	if err != nil {
		return err
	}
	var started atomic.Int64
	all, release := make(chan struct{}), make(chan struct{})
	natq.Handle(w, benchHold, func(context.Context, DelayIn) (DelayOut, error) {
		if started.Add(1) == inFlight {
			close(all)
		}
		<-release
		return DelayOut{Delayed: true}, nil
	})
	before := heap()
	if err := w.Start(ctx); err != nil {
		return err
	}
	defer func() { _ = w.Stop(context.Background()) }()
	defer close(release)
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	if err := queue(ctx, js, natq.DefaultNames.AsyncPrefix+"."+benchHold.ID(), inFlight); err != nil {
		return err
	}
	select {
	case <-all:
	case <-time.After(time.Minute):
		return fmt.Errorf("memory: %d of %d runs started within a minute", started.Load(), inFlight)
	}
	during := heap()
	r.report.comment = append(r.report.comment, fmt.Sprintf(
		"\nmemory: heap %.1f MiB before the worker, %.1f MiB with %d runs in flight (%+.1f MiB)",
		mib(before), mib(during), inFlight, mib(during)-mib(before)))
	return nil
}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
