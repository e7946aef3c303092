package natq_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
)

// A rolling restart, one node at a time and then one worker at a time,
// with jobs enqueued all along, loses no job and leaves the sync task
// served. This is the upgrade procedure of docs/operations.md.
func TestRollingRestart(t *testing.T) {
	t.Parallel()
	c := natqtest.NewCluster(t)
	names := uniqueNames("roll")
	opts := []natq.WorkerOption{natq.WithNames(names), natq.WithReplicas(3), quietLogger(t)}
	echo := func(_ context.Context, in countIn) (countOut, error) { return countOut(in), nil }
	register := func(w *natq.Worker) {
		natq.Handle(w, failoverSync, echo)
		natq.Handle(w, failoverAsync, echo)
	}
	workers := []*natq.Worker{
		natqtest.StartWorker(t, c.ConnectTo(t, 0), register, opts...),
		natqtest.StartWorker(t, c.ConnectTo(t, 1), register, opts...),
	}
	client := natqtest.NewClient(t, c.ConnectTo(t, 2), natq.WithNames(names))
	streams := objectStreams(names)

	stop := make(chan struct{})
	accepted := make(chan []string, 1)
	go func() { accepted <- enqueueUntil(client, stop) }()
	for node := range c.Size() {
		c.Stop(t, node)
		c.Restart(t, node)
		c.WaitStreamCurrent(t, streams...)
		callEventually(t, client, 10*time.Second)
	}
	// Then the workers: start the new one before stopping the old. A new
	// worker opens the buckets and the consumer, which answer once their
	// groups have leaders again; a rolling upgrade waits for that too
	// (docs/operations.md).
	for _, stream := range streams {
		c.StreamLeader(t, stream)
	}
	c.ConsumerLeader(t, names.Stream, "natq_worker_"+failoverAsync.ID())
	for i, old := range workers {
		natqtest.StartWorker(t, c.ConnectTo(t, i), register, opts...)
		ctx, cancel := context.WithTimeout(context.Background(), natqtest.StopTimeout)
		err := old.Stop(ctx)
		cancel()
		if err != nil {
			t.Fatalf("stop worker %d: %v", i, err)
		}
	}
	close(stop)
	ids := <-accepted
	t.Logf("%d jobs accepted across the restarts", len(ids))

	js := jsOf(t, c.Connect(t))
	waitStreamEmpty(t, js, names.Stream)
	recs := records(t, js, names.ResultsBucket, failoverAsync.ID())
	for _, id := range ids {
		if st := recs[id]; st != 200 {
			t.Errorf("run %s: status %d, want 200", id, st)
		}
	}
}

// enqueueUntil enqueues jobs from a few goroutines until stop is closed,
// and returns the run ids of those accepted.
func enqueueUntil(c *natq.Client, stop <-chan struct{}) []string {
	const producers = 4
	var mu sync.Mutex
	var ids []string
	var next atomic.Int64
	var wg sync.WaitGroup
	for range producers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := int(next.Add(1))
				id := fmt.Sprintf("roll-%d", i)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, err := failoverAsync.Enqueue(ctx, c, countIn{I: i}, natq.WithRunID(id))
				cancel()
				if err == nil {
					mu.Lock()
					ids = append(ids, id)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return ids
}
