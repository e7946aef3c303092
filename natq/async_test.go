package natq_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A worker whose runs are short prefetches jobs beyond its free slots. A
// prefetched job is reported in progress like a run, so it outlives the
// ack wait without being delivered again when the runs turn long; and the
// worker never holds more than twice its concurrency.
func TestPrefetchedJobsAreKeptAlive(t *testing.T) {
	t.Parallel()
	const concurrency, jobs = 2, 6
	task := natq.NewTask[jobIn, jobOut]("prefetched", natq.Async,
		natq.WithConcurrency(concurrency), natq.WithAckWait(time.Second))
	var mu sync.Mutex
	executions := make(map[int]int)
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, task, func(ctx context.Context, in jobIn) (jobOut, error) {
			if in.Mode == "fast" {
				return jobOut{}, nil
			}
			mu.Lock()
			executions[in.N]++
			mu.Unlock()
			// Longer than the ack wait.
			return jobOut{N: in.N}, hold(ctx, 1200*time.Millisecond)
		})
	})
	prime(t, env.Conn, env.Client, task)

	runs := make([]*natq.Run[jobOut], jobs)
	for i := range runs {
		runs[i] = natqtest.Enqueue(t, env.Client, task, jobIn{N: i})
	}
	cons := consumer(t, env, "natq_worker_prefetched")
	done := make(chan struct{})
	var most int
	go func() {
		defer close(done)
		most = mostHeld(t, cons, runs)
	}()

	for _, run := range runs {
		natqtest.Wait(t, run)
	}
	<-done
	if most <= concurrency || most > 2*concurrency {
		t.Errorf("the worker held at most %d jobs at once, want more than %d (a prefetch), at most %d",
			most, concurrency, 2*concurrency)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range jobs {
		if executions[i] != 1 {
			t.Errorf("job %d ran %d times, want once", i, executions[i])
		}
	}
}

// prime runs a burst of instant jobs of task, so that the worker learns
// that its runs are short and its pulls quick, and prefetches. The jobs
// are published pipelined, faster than the worker drains them: it learns
// how quick a pull is only from pulls that left jobs behind.
func prime(t *testing.T, nc *nats.Conn, c *natq.Client, task *natq.Task[jobIn, jobOut]) {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 200)
	for i := range ids {
		ids[i] = fmt.Sprintf("prime-%s-%d", task.ID(), i)
		body := fmt.Sprintf(`{"runId":%q,"mode":"fast","n":0}`, ids[i])
		if _, err := js.PublishAsync(natq.DefaultNames.AsyncPrefix+"."+task.ID(), []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(natqtest.WaitTimeout):
		t.Fatal("priming jobs not stored in time")
	}
	for _, id := range ids {
		natqtest.Wait(t, task.RunOf(c, id))
	}
}

// consumer opens a durable consumer of the default job stream.
func consumer(t *testing.T, env *natqtest.Env, name string) jetstream.Consumer {
	t.Helper()
	js, err := jetstream.New(env.Conn)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := js.Consumer(context.Background(), natq.DefaultNames.Stream, name)
	if err != nil {
		t.Fatal(err)
	}
	return cons
}

// mostHeld polls a consumer until every run is final and returns the most
// jobs it saw delivered and not yet acknowledged.
func mostHeld(t *testing.T, cons jetstream.Consumer, runs []*natq.Run[jobOut]) int {
	most := 0
	ctx := context.Background()
	for deadline := time.Now().Add(natqtest.WaitTimeout); time.Now().Before(deadline); {
		info, err := cons.Info(ctx)
		if err != nil {
			t.Errorf("consumer info: %v", err)
			return most
		}
		most = max(most, info.NumAckPending)
		if info.NumPending == 0 && info.NumAckPending == 0 {
			return most
		}
		time.Sleep(20 * time.Millisecond) // a sampling interval, not a wait for an event
	}
	t.Errorf("%d runs not finished in time", len(runs))
	return most
}

// A stopping worker hands the jobs it prefetched back at once, without
// waiting for its runs to end, and another worker finishes them.
func TestStopHandsBackPrefetchedJobs(t *testing.T) {
	t.Parallel()
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	task := natq.NewTask[jobIn, jobOut]("handback-prefetched", natq.Async, natq.WithConcurrency(1))
	started, release := make(chan struct{}), make(chan struct{})
	first, err := natq.NewWorker(nc, natq.WithLogger(natqtest.Logger(t)))
	if err != nil {
		t.Fatal(err)
	}
	natq.Handle(first, task, func(_ context.Context, in jobIn) (jobOut, error) {
		if in.Mode == "fast" {
			return jobOut{}, nil
		}
		close(started) // only job 1 runs here
		<-release
		return jobOut{N: in.N}, nil
	})
	if err := first.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := natqtest.NewClient(t, nc)
	prime(t, nc, c, task)
	run1 := natqtest.Enqueue(t, c, task, jobIn{N: 1})
	<-started
	run2 := natqtest.Enqueue(t, c, task, jobIn{N: 2})
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := js.Consumer(context.Background(), natq.DefaultNames.Stream, "natq_worker_handback-prefetched")
	if err != nil {
		t.Fatal(err)
	}
	waitHeld(t, cons, 2) // job 2 waits in the first worker for the slot job 1 holds

	stopped := make(chan error, 1)
	go func() { stopped <- first.Stop(context.Background()) }()
	natqtest.StartWorker(t, nc, func(w *natq.Worker) { natq.Handle(w, task, attemptHandler) })

	// Job 2 is finished elsewhere while job 1 still runs.
	if out := natqtest.Wait(t, run2); out.N != 2 || out.Attempt != 2 {
		t.Errorf("job 2: got %+v, want n 2 at attempt 2 (a hand-back is a delivery)", out)
	}
	close(release)
	if err := <-stopped; err != nil {
		t.Errorf("stop: %v", err)
	}
	if out := natqtest.Wait(t, run1); out.N != 1 {
		t.Errorf("job 1: got %+v", out)
	}
}

// waitHeld waits until a consumer has n jobs delivered and not yet
// acknowledged.
func waitHeld(t *testing.T, cons jetstream.Consumer, n int) {
	t.Helper()
	for deadline := time.Now().Add(natqtest.WaitTimeout); time.Now().Before(deadline); {
		info, err := cons.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if info.NumAckPending == n {
			return
		}
		time.Sleep(10 * time.Millisecond) // polling the server, which sends no event
	}
	t.Fatalf("consumer never held %d jobs", n)
}

// A worker whose runs are long prefetches nothing: a job it cannot start
// now stays queued for another worker, instead of waiting in this one
// for a run to end.
func TestLongRunsLeaveJobsToOtherWorkers(t *testing.T) {
	t.Parallel()
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	task := natq.NewTask[jobIn, jobOut]("long-runs", natq.Async, natq.WithConcurrency(1))
	started, release := make(chan struct{}), make(chan struct{})
	natqtest.StartWorker(t, nc, func(w *natq.Worker) {
		natq.Handle(w, task, func(_ context.Context, in jobIn) (jobOut, error) {
			if in.Mode == "warm" {
				time.Sleep(300 * time.Millisecond) // a long run, for the worker to learn
				return jobOut{}, nil
			}
			close(started) // only job 1 runs here
			<-release
			return jobOut{N: in.N}, nil
		})
	})
	c := natqtest.NewClient(t, nc)
	warm := make([]*natq.Run[jobOut], 3)
	for i := range warm {
		warm[i] = natqtest.Enqueue(t, c, task, jobIn{Mode: "warm"})
	}
	for _, run := range warm {
		natqtest.Wait(t, run)
	}
	natqtest.Enqueue(t, c, task, jobIn{N: 1})
	<-started
	run2 := natqtest.Enqueue(t, c, task, jobIn{N: 2})
	defer close(release)

	natqtest.StartWorker(t, srv.Connect(t), func(w *natq.Worker) {
		natq.Handle(w, task, func(_ context.Context, in jobIn) (jobOut, error) {
			return jobOut{N: in.N}, nil
		})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := run2.Wait(ctx); err != nil || out.N != 2 {
		t.Fatalf("job 2 while job 1 runs: got %+v, %v; want it run by the idle worker", out, err)
	}
}
