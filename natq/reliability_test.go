package natq_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/natq/natq-go/codec"
	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A handler that always fails reaches a final failing record after exactly
// the configured attempts, spaced at least as configured.
func TestAttemptLimitAndSpacing(t *testing.T) {
	t.Parallel()
	const attempts, spacing = 3, 300 * time.Millisecond
	task := natq.NewTask[jobIn, jobOut]("always-fails", natq.Async,
		natq.WithMaxAttempts(attempts),
		natq.WithBackoff(func(int) time.Duration { return spacing }))
	var mu sync.Mutex
	var at []time.Time
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, task, func(context.Context, jobIn) (jobOut, error) {
			mu.Lock()
			at = append(at, time.Now())
			mu.Unlock()
			return jobOut{}, natq.NewError(503, "backend down")
		})
	})
	_, err := natqtest.WaitErr(natqtest.Enqueue(t, env.Client, task, jobIn{}))
	natqtest.RequireError(t, err, 503, "attempts exhausted (3): backend down")

	mu.Lock()
	defer mu.Unlock()
	if len(at) != attempts {
		t.Fatalf("got %d attempts, want %d", len(at), attempts)
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < spacing {
			t.Errorf("attempt %d came %v after the previous one, want at least %v", i+1, gap, spacing)
		}
	}
}

func TestExponentialBackoff(t *testing.T) {
	t.Parallel()
	b := natq.ExponentialBackoff(time.Second, time.Minute, 0)
	for attempt, want := range map[int]time.Duration{
		1: 2 * time.Second, 2: 4 * time.Second, 5: 32 * time.Second, 6: time.Minute, 100: time.Minute,
	} {
		if got := b(attempt); got != want {
			t.Errorf("attempt %d: got %v, want %v", attempt, got, want)
		}
		if got := natq.ProtocolBackoff(attempt); got != want {
			t.Errorf("protocol, attempt %d: got %v, want %v", attempt, got, want)
		}
	}
	jittered := natq.ExponentialBackoff(time.Second, time.Minute, 0.5)
	for range 100 {
		if got := jittered(1); got < time.Second || got > 3*time.Second {
			t.Fatalf("jittered delay %v outside 2s ± 50%%", got)
		}
	}
}

// A handler slower than the consumer's ack wait, within its timeout, is
// kept alive by heartbeats and runs once.
func TestSlowRunWithinTimeoutRunsOnce(t *testing.T) {
	t.Parallel()
	task := natq.NewTask[jobIn, jobOut]("slow", natq.Async,
		natq.WithAckWait(time.Second), natq.WithTimeout(time.Minute))
	var calls atomic.Int32
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, task, func(ctx context.Context, in jobIn) (jobOut, error) {
			calls.Add(1)
			// Two and a half ack waits.
			return jobOut{N: in.N}, hold(ctx, 2500*time.Millisecond)
		})
	})
	if out := natqtest.Wait(t, natqtest.Enqueue(t, env.Client, task, jobIn{N: 1})); out.N != 1 {
		t.Errorf("got %+v", out)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("got %d calls, want 1", got)
	}
}

// A run that exceeds its timeout fails with a 5xx attempt and is retried.
func TestTimeoutIsARetriedFailure(t *testing.T) {
	t.Parallel()
	task := natq.NewTask[jobIn, jobOut]("times-out", natq.Async,
		natq.WithTimeout(100*time.Millisecond),
		natq.WithBackoff(func(int) time.Duration { return 10 * time.Millisecond }))
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, task, func(ctx context.Context, in jobIn) (jobOut, error) {
			info, _ := natq.RunInfoFromContext(ctx)
			if info.Attempt == 1 {
				<-ctx.Done()
				return jobOut{}, ctx.Err()
			}
			return jobOut{N: in.N, Attempt: info.Attempt}, nil
		})
	})
	if out := natqtest.Wait(t, natqtest.Enqueue(t, env.Client, task, jobIn{N: 2})); out.Attempt != 2 {
		t.Errorf("got %+v, want success at attempt 2", out)
	}
}

// A consumer deleted under a running worker is re-created, and jobs
// enqueued afterwards are served.
func TestDeletedConsumerIsRecreated(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	natqtest.Wait(t, natqtest.Enqueue(t, env.Client, asyncJob, jobIn{N: 1}))
	js, err := jetstream.New(env.Conn)
	if err != nil {
		t.Fatal(err)
	}
	if err := js.DeleteConsumer(context.Background(), natq.DefaultNames.Stream, "natq_worker_async-job"); err != nil {
		t.Fatal(err)
	}
	if out := natqtest.Wait(t, natqtest.Enqueue(t, env.Client, asyncJob, jobIn{N: 2})); out.N != 4 {
		t.Errorf("got %+v, want n 4", out)
	}
}

// A results bucket deleted under a running worker is re-created when a
// run's record finds no stream, and the run is finished on its retry.
func TestDeletedResultsBucketIsRecreated(t *testing.T) {
	t.Parallel()
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	task := natq.NewTask[jobIn, jobOut]("results-lost", natq.Async)
	natqtest.StartWorker(t, nc, func(w *natq.Worker) { natq.Handle(w, task, jobHandler) })
	c := natqtest.NewClient(t, nc)
	natqtest.Wait(t, natqtest.Enqueue(t, c, task, jobIn{N: 1}))
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	created := make(chan *nats.Msg, 1)
	stream := "KV_" + natq.DefaultNames.ResultsBucket
	sub, err := nc.ChanSubscribe("$JS.EVENT.ADVISORY.STREAM.CREATED."+stream, created)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	ctx := context.Background()
	if err := js.DeleteKeyValue(ctx, natq.DefaultNames.ResultsBucket); err != nil {
		t.Fatal(err)
	}

	run, err := task.Enqueue(ctx, c, jobIn{N: 2})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-created:
	case <-time.After(30 * time.Second):
		t.Fatalf("the results bucket %s was not re-created", stream)
	}
	if out := natqtest.Wait(t, run); out.N != 4 {
		t.Errorf("got %+v, want n 4", out)
	}
}

// The server restarts, from its file store, while jobs are queued and a
// worker runs: every job finishes, none is lost.
func TestServerRestartLosesNoJob(t *testing.T) {
	t.Parallel()
	const jobs = 300
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t, nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	task := natq.NewTask[jobIn, jobOut]("restart", natq.Async, natq.WithConcurrency(4),
		natq.WithBackoff(func(int) time.Duration { return 50 * time.Millisecond }))
	natqtest.StartWorker(t, nc, func(w *natq.Worker) {
		natq.Handle(w, task, func(_ context.Context, in jobIn) (jobOut, error) {
			return jobOut{N: in.N}, nil
		})
	})
	c := natqtest.NewClient(t, nc)
	ids := make([]string, jobs)
	for i := range ids {
		ids[i] = natqtest.Enqueue(t, c, task, jobIn{N: i}).ID
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	finals := waitFinals(t, nc, "restart", ids)
	for id, rec := range finals {
		if rec.Status != 200 {
			t.Errorf("run %s: got %d %s, want 200", id, rec.Status, rec.Error)
		}
	}
}

// waitFinals watches the results of a task until every run in ids has a
// final record, and returns them.
func waitFinals(t *testing.T, nc *nats.Conn, taskID string, ids []string) map[string]*codec.Record {
	t.Helper()
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*natqtest.WaitTimeout)
	defer cancel()
	finals := make(map[string]*codec.Record, len(ids))
	for len(finals) < len(ids) {
		if err := watchFinals(ctx, nc, taskID, want, finals); err != nil {
			if ctx.Err() != nil {
				t.Fatalf("%d of %d runs final: %v", len(finals), len(ids), err)
			}
			continue // the watch broke with the connection; watch again
		}
	}
	return finals
}

// watchFinals adds the final records of a task's runs in want to finals
// until it has them all or the watch fails.
func watchFinals(ctx context.Context, nc *nats.Conn, taskID string, want map[string]bool, finals map[string]*codec.Record) error {
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	kv, err := js.KeyValue(ctx, natq.DefaultNames.ResultsBucket)
	if err != nil {
		return err
	}
	w, err := kv.Watch(ctx, taskID+".*")
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	for len(finals) < len(want) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("watch closed")
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			var rec codec.Record
			if err := json.Unmarshal(e.Value(), &rec); err != nil {
				return err
			}
			if want[rec.ID] && rec.Final() {
				finals[rec.ID] = &rec
			}
		}
	}
	return nil
}

// Many jobs, three workers, random 5xx failures and one worker restart:
// every run ends in a final record. Executions beyond one per run are
// reported: retries of failures, and any run executed twice.
func TestManyJobsThreeWorkersRandomFailures(t *testing.T) {
	t.Parallel()
	const jobs, failRate = 10000, 0.05
	srv := natqtest.NewServer(t)
	task := natq.NewTask[jobIn, jobOut]("many", natq.Async, natq.WithMaxAttempts(20),
		natq.WithBackoff(natq.ExponentialBackoff(10*time.Millisecond, 200*time.Millisecond, 0.5)))
	var executions, failures atomic.Int64
	handler := func(_ context.Context, in jobIn) (jobOut, error) {
		executions.Add(1)
		if rand.Float64() < failRate { //nolint:gosec // a test's coin
			failures.Add(1)
			return jobOut{}, errors.New("random failure")
		}
		return jobOut{N: in.N}, nil
	}
	register := func(w *natq.Worker) { natq.Handle(w, task, handler) }
	conns := make([]*nats.Conn, 3)
	workers := make([]*natq.Worker, 3)
	for i := range workers {
		conns[i] = srv.Connect(t)
		workers[i] = natqtest.StartWorker(t, conns[i], register)
	}

	producer := srv.Connect(t)
	c := natqtest.NewClient(t, producer)
	ids := make([]string, jobs)
	var wg sync.WaitGroup
	for p := range 8 {
		wg.Go(func() {
			for i := p; i < jobs; i += 8 {
				ids[i] = fmt.Sprintf("many-%05d", i)
				// Not natqtest.Enqueue: FailNow belongs to the test's goroutine.
				if _, err := task.Enqueue(context.Background(), c, jobIn{N: i}, natq.WithRunID(ids[i])); err != nil {
					t.Errorf("enqueue %s: %v", ids[i], err)
				}
			}
		})
		if p == 4 {
			// Restart one worker while jobs flow.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := workers[1].Stop(ctx); err != nil {
				t.Errorf("stop worker: %v", err)
			}
			cancel()
			natqtest.StartWorker(t, conns[1], register)
		}
	}
	wg.Wait()

	finals := waitFinals(t, producer, "many", ids)
	for id, rec := range finals {
		if rec.Status != 200 {
			t.Errorf("run %s: got %d %s, want 200", id, rec.Status, rec.Error)
		}
	}
	extra := executions.Load() - jobs
	duplicates := extra - failures.Load()
	t.Logf("%d runs, %d executions: %d retries after failures, %d duplicate executions",
		jobs, executions.Load(), failures.Load(), duplicates)
	if duplicates < 0 || duplicates > 64*3 {
		t.Errorf("got %d duplicate executions, want between 0 and %d (runs in flight)", duplicates, 64*3)
	}
}

// WithResultTTL sets the lifetime of results on the bucket it creates.
func TestResultTTL(t *testing.T) {
	t.Parallel()
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	natqtest.StartWorker(t, nc, func(w *natq.Worker) {
		natq.Handle(w, asyncJob, jobHandler)
	}, natq.WithResultTTL(time.Hour))
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for bucket, want := range map[string]time.Duration{
		natq.DefaultNames.ResultsBucket: time.Hour,
		natq.DefaultNames.TasksBucket:   0,
	} {
		kv, err := js.KeyValue(ctx, bucket)
		if err != nil {
			t.Fatal(err)
		}
		status, err := kv.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := status.TTL(); got != want {
			t.Errorf("%s: got TTL %v, want %v", bucket, got, want)
		}
	}
	if _, err := natq.NewWorker(nc, natq.WithResultTTL(-time.Second)); err == nil {
		t.Error("a negative TTL was accepted")
	}
}

// Heartbeats stop at a run's timeout: a handler that overruns it and
// ignores its context is not kept alive, and its job is delivered again
// after the ack wait.
func TestHeartbeatsStopAtTheTimeout(t *testing.T) {
	t.Parallel()
	task := natq.NewTask[jobIn, jobOut]("overrun", natq.Async,
		natq.WithTimeout(200*time.Millisecond), natq.WithAckWait(time.Second))
	stuck := make(chan struct{})
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, task, func(ctx context.Context, in jobIn) (jobOut, error) {
			info, _ := natq.RunInfoFromContext(ctx)
			if info.Attempt == 1 {
				<-stuck // ignores its context
				return jobOut{}, errors.New("too late")
			}
			return jobOut{N: in.N, Attempt: info.Attempt}, nil
		})
	})
	t.Cleanup(func() { close(stuck) }) // before the worker stops
	if out := natqtest.Wait(t, natqtest.Enqueue(t, env.Client, task, jobIn{N: 5})); out.Attempt != 2 {
		t.Errorf("got %+v, want the run finished by attempt 2", out)
	}
}
