package natq_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

type jobIn struct {
	Mode string `json:"mode,omitempty"`
	N    int    `json:"n"`
}

type jobOut struct {
	N       int `json:"n"`
	Attempt int `json:"attempt"`
}

var (
	syncJob  = natq.NewTask[jobIn, jobOut]("sync-job", natq.Sync)
	asyncJob = natq.NewTask[jobIn, jobOut]("async-job", natq.Async, natq.WithMaxAttempts(3))
)

// jobHandler fails as its input's mode says. "flaky" fails the first
// attempt of each run, "always" fails every attempt.
func jobHandler(ctx context.Context, in jobIn) (jobOut, error) {
	info, _ := natq.RunInfoFromContext(ctx)
	out := jobOut{N: in.N * 2, Attempt: info.Attempt}
	switch in.Mode {
	case "refuse":
		return out, natq.BadRequest("refused")
	case "panic":
		panic("boom")
	case "flaky":
		if info.Attempt == 1 {
			return out, errors.New("first attempt fails")
		}
	case "always":
		return out, errors.New("always fails")
	}
	return out, nil
}

// attemptHandler returns its input's n with the attempt it ran in.
func attemptHandler(ctx context.Context, in jobIn) (jobOut, error) {
	info, _ := natq.RunInfoFromContext(ctx)
	return jobOut{N: in.N, Attempt: info.Attempt}, nil
}

// hold waits d, or until ctx ends, and returns ctx's error then: a run
// that takes longer than something (an ack wait, say) and honours its
// context.
func hold(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func startJobs(t *testing.T) *natqtest.Env {
	t.Helper()
	return natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, syncJob, jobHandler)
		natq.Handle(w, asyncJob, jobHandler)
	})
}

func TestSyncStatusPaths(t *testing.T) {
	t.Parallel()
	env := startJobs(t)

	out := natqtest.Call(t, env.Client, syncJob, jobIn{N: 21})
	if out.N != 42 || out.Attempt != 1 {
		t.Errorf("got %+v, want n 42 attempt 1", out)
	}
	ctx := context.Background()
	_, err := syncJob.Call(ctx, env.Client, jobIn{Mode: "refuse"})
	natqtest.RequireError(t, err, 400, "refused")
	_, err = syncJob.Call(ctx, env.Client, jobIn{Mode: "panic"})
	natqtest.RequireError(t, err, 500, "Unhandled exception: boom")
	_, err = syncJob.Call(ctx, env.Client, jobIn{Mode: "always"})
	natqtest.RequireError(t, err, 500, "Unhandled exception: always fails")

	// What a producer without the Go types could send.
	raw := []struct {
		body   string
		status string
		errSub string
	}{
		{`{"n":`, "406", "Invalid JSON input"},
		{`{"n":"x"}`, "400", "/n"},
		{`{"n":1,"unknown":true}`, "400", "unknown"},
		{`{"n":1,"runId":"bad id"}`, "400", "runId"},
		{`{"n":1,"runId":"good-id","dropResultOnSuccess":false}`, "200", ""},
	}
	for _, r := range raw {
		msg, err := env.Conn.Request("natq.req.sync-job", []byte(r.body), natqtest.WaitTimeout)
		if err != nil {
			t.Fatal(err)
		}
		if got := msg.Header.Get("status"); got != r.status {
			t.Errorf("%s: got status %s (%s), want %s", r.body, got, msg.Header.Get("error"), r.status)
		}
		if !strings.Contains(msg.Header.Get("error"), r.errSub) {
			t.Errorf("%s: error %q does not contain %q", r.body, msg.Header.Get("error"), r.errSub)
		}
	}
}

func TestAsyncStatusPaths(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	tests := []struct {
		name   string
		in     jobIn
		status int
		errSub string
		out    jobOut
	}{
		{name: "success", in: jobIn{N: 2}, status: 200, out: jobOut{N: 4, Attempt: 1}},
		{name: "refused", in: jobIn{Mode: "refuse"}, status: 400, errSub: "refused"},
		{name: "retried then success", in: jobIn{Mode: "flaky", N: 1}, status: 200, out: jobOut{N: 2, Attempt: 2}},
		{name: "panic until attempts run out", in: jobIn{Mode: "panic"}, status: 500, errSub: "attempts exhausted (3): Unhandled exception: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run := natqtest.Enqueue(t, env.Client, asyncJob, tt.in)
			out, err := natqtest.WaitErr(run)
			if tt.status != 200 {
				natqtest.RequireError(t, err, tt.status, tt.errSub)
				return
			}
			if err != nil || out != tt.out {
				t.Errorf("got %+v, %v; want %+v", out, err, tt.out)
			}
		})
	}
}

// The record of a run is at 100 while it runs, and stays at 100 while it
// is retried: a watcher never sees a 5xx before the run ends.
func TestAsyncRecordsSeenByAWatcher(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	js, err := jetstream.New(env.Conn)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(context.Background(), natq.DefaultNames.ResultsBucket)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), natqtest.WaitTimeout)
	defer cancel()
	watcher, err := kv.Watch(ctx, "async-job.watched-1")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = watcher.Stop() }()
	natqtest.Enqueue(t, env.Client, asyncJob, jobIn{Mode: "flaky", N: 5}, natq.WithRunID("watched-1"))

	var statuses []int
	for e := range watcher.Updates() {
		if e == nil {
			continue
		}
		var rec struct{ Status int }
		if err := json.Unmarshal(e.Value(), &rec); err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, rec.Status)
		if rec.Status != 100 {
			break
		}
	}
	if len(statuses) < 2 || statuses[len(statuses)-1] != 200 {
		t.Fatalf("got statuses %v, want 100s then 200", statuses)
	}
	for _, s := range statuses[:len(statuses)-1] {
		if s != 100 {
			t.Errorf("got statuses %v, want only 100 before the final 200", statuses)
		}
	}
}

func TestAsyncDropResult(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	run := natqtest.Enqueue(t, env.Client, asyncJob, jobIn{N: 1}, natq.WithDropResultOnSuccess())
	// Enqueue watches the key before it publishes a run whose result is
	// dropped, so the waiter sees the success although the record is
	// deleted right after it is written.
	if out := natqtest.Wait(t, run); out.N != 2 {
		t.Errorf("got %+v, want n 2", out)
	}
	// A late waiter finds the key deleted and is told so.
	waitDeleted(t, env.Conn, "async-job."+run.ID)
	_, err := natqtest.WaitErr(run)
	if !errors.Is(err, natq.ErrResultDropped) {
		t.Errorf("late waiter: got %v, want ErrResultDropped", err)
	}
}

// waitDeleted waits until a result key has been deleted.
func waitDeleted(t *testing.T, nc *nats.Conn, key string) {
	t.Helper()
	waitKey(t, nc, key, "deleted", func(e jetstream.KeyValueEntry) bool {
		return e.Operation() != jetstream.KeyValuePut
	})
}

// waitKey watches a result key until an entry satisfies done.
func waitKey(t *testing.T, nc *nats.Conn, key, what string, done func(jetstream.KeyValueEntry) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), natqtest.WaitTimeout)
	defer cancel()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx, natq.DefaultNames.ResultsBucket)
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.Watch(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			t.Fatalf("key %s was not %s", key, what)
		case e := <-w.Updates():
			if e != nil && done(e) {
				return
			}
		}
	}
}

// An async job whose run id cannot be stored is terminated without a
// record, and the worker goes on.
func TestAsyncUnusableRunID(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	js, err := jetstream.New(env.Conn)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, body := range []string{`{"runId":"a b","n":1}`, `{"runId":7,"n":1}`, `[1,2]`, `{"n":`} {
		if _, err := js.Publish(ctx, "natq.job.async-job", []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	run := natqtest.Enqueue(t, env.Client, asyncJob, jobIn{N: 3})
	if out := natqtest.Wait(t, run); out.N != 6 {
		t.Errorf("got %+v, want n 6", out)
	}
	kv, err := js.KeyValue(ctx, natq.DefaultNames.ResultsBucket)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := kv.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != "async-job."+run.ID {
		t.Errorf("got result keys %v, want only the good run's", keys)
	}
	cons, err := js.Consumer(ctx, natq.DefaultNames.Stream, "natq_worker_async-job")
	if err != nil {
		t.Fatal(err)
	}
	// The bad jobs are terminated, not left for redelivery. Terms travel
	// without a reply, so give the server a bounded moment to count them.
	deadline := time.Now().Add(5 * time.Second)
	for {
		info, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.NumAckPending == 0 && info.NumPending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d pending, %d ack pending; want none", info.NumPending, info.NumAckPending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// An async run invalid for its schema gets a final 400 record.
func TestAsyncValidationFailure(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	js, err := jetstream.New(env.Conn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(context.Background(), "natq.job.async-job", []byte(`{"runId":"v-1","n":"x"}`)); err != nil {
		t.Fatal(err)
	}
	_, err = natqtest.WaitErr(asyncJob.RunOf(env.Client, "v-1"))
	natqtest.RequireError(t, err, 400, "/n")
}

func TestEnqueueRefusesBadRunID(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	_, err := asyncJob.Enqueue(context.Background(), env.Client, jobIn{}, natq.WithRunID("a b"))
	if err == nil || !strings.Contains(err.Error(), "runId") {
		t.Errorf("got %v, want an error about the run id", err)
	}
}

// Enqueueing the same run id twice within the dedup window runs it once.
func TestEnqueueIsIdempotent(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	task := natq.NewTask[jobIn, jobOut]("idem", natq.Async)
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, task, func(context.Context, jobIn) (jobOut, error) {
			runs.Add(1)
			return jobOut{}, nil
		})
	})
	natqtest.Enqueue(t, env.Client, task, jobIn{}, natq.WithRunID("once"))
	natqtest.Enqueue(t, env.Client, task, jobIn{}, natq.WithRunID("once"))
	natqtest.Wait(t, natqtest.Enqueue(t, env.Client, task, jobIn{}, natq.WithRunID("after")))
	natqtest.Wait(t, task.RunOf(env.Client, "once"))
	if got := runs.Load(); got != 2 {
		t.Errorf("got %d handler runs, want 2", got)
	}
}

func TestCallErrors(t *testing.T) {
	t.Parallel()
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	c := natqtest.NewClient(t, nc)
	ctx := context.Background()
	if _, err := syncJob.Call(ctx, c, jobIn{}); !errors.Is(err, natq.ErrNoWorker) {
		t.Errorf("call without a worker: got %v, want ErrNoWorker", err)
	}
	if _, err := asyncJob.Enqueue(ctx, c, jobIn{}); !errors.Is(err, natq.ErrNoStream) {
		t.Errorf("enqueue without a stream: got %v, want ErrNoStream", err)
	}
	if _, err := asyncJob.Call(ctx, c, jobIn{}); err == nil {
		t.Error("Call on an async task succeeded")
	}
	if _, err := syncJob.Enqueue(ctx, c, jobIn{}); err == nil {
		t.Error("Enqueue on a sync task succeeded")
	}
}

// A peer created the consumer with a short ack wait. The worker uses it as
// it is and beats often enough that a run longer than the ack wait is not
// delivered twice.
func TestHeartbeatKeepsALongRunAlive(t *testing.T) {
	t.Parallel()
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{
		Name: "natq_jobs", Subjects: []string{"natq.job.>"}, Retention: jetstream.WorkQueuePolicy,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateConsumer(ctx, "natq_jobs", jetstream.ConsumerConfig{
		Durable: "natq_worker_long", FilterSubject: "natq.job.long",
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: time.Second,
	}); err != nil {
		t.Fatal(err)
	}
	var attempts atomic.Int32
	task := natq.NewTask[jobIn, jobOut]("long", natq.Async)
	natqtest.StartWorker(t, nc, func(w *natq.Worker) {
		natq.Handle(w, task, func(ctx context.Context, in jobIn) (jobOut, error) {
			attempts.Add(1)
			select { // three ack waits
			case <-time.After(3 * time.Second):
			case <-ctx.Done():
			}
			return jobOut{N: in.N}, nil
		})
	})
	c := natqtest.NewClient(t, nc)
	natqtest.Wait(t, natqtest.Enqueue(t, c, task, jobIn{N: 1}))
	if got := attempts.Load(); got != 1 {
		t.Errorf("got %d attempts, want 1", got)
	}
}

// Stop waits for in-flight runs: a sync call in progress is answered and an
// async run in progress is finished and acknowledged.
func TestGracefulStop(t *testing.T) {
	t.Parallel()
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	started := make(chan struct{}, 2)
	release := make(chan struct{})
	block := func(ctx context.Context, in jobIn) (jobOut, error) {
		started <- struct{}{}
		<-release
		return jobOut{N: in.N}, nil
	}
	st := natq.NewTask[jobIn, jobOut]("stop-sync", natq.Sync)
	at := natq.NewTask[jobIn, jobOut]("stop-async", natq.Async)
	w, err := natq.NewWorker(nc, natq.WithLogger(natqtest.Logger(t)))
	if err != nil {
		t.Fatal(err)
	}
	natq.Handle(w, st, block)
	natq.Handle(w, at, block)
	ctx := context.Background()
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	c := natqtest.NewClient(t, nc)
	run := natqtest.Enqueue(t, c, at, jobIn{N: 2})
	var wg sync.WaitGroup
	var callOut jobOut
	var callErr error
	wg.Go(func() { callOut, callErr = st.Call(ctx, c, jobIn{N: 1}) })
	<-started
	<-started

	stopped := make(chan error, 1)
	go func() { stopped <- w.Stop(ctx) }()
	close(release)
	if err := <-stopped; err != nil {
		t.Fatalf("stop: %v", err)
	}
	wg.Wait()
	if callErr != nil || callOut.N != 1 {
		t.Errorf("sync call across stop: got %+v, %v", callOut, callErr)
	}
	if out := natqtest.Wait(t, run); out.N != 2 {
		t.Errorf("async run across stop: got %+v", out)
	}
	if _, err := st.Call(ctx, c, jobIn{}); !errors.Is(err, natq.ErrNoWorker) {
		t.Errorf("call after stop: got %v, want ErrNoWorker", err)
	}
}

// A stop whose deadline passes cancels the handlers and hands their runs
// back for another worker, which finishes them.
func TestStopDeadlineHandsRunsBack(t *testing.T) {
	t.Parallel()
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	task := natq.NewTask[jobIn, jobOut]("handback", natq.Async)
	started := make(chan struct{}, 1)
	stubborn, err := natq.NewWorker(nc, natq.WithLogger(natqtest.Logger(t)))
	if err != nil {
		t.Fatal(err)
	}
	natq.Handle(stubborn, task, func(ctx context.Context, _ jobIn) (jobOut, error) {
		started <- struct{}{}
		<-ctx.Done()
		return jobOut{}, ctx.Err()
	})
	if err := stubborn.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := natqtest.NewClient(t, nc)
	run := natqtest.Enqueue(t, c, task, jobIn{N: 4})
	<-started
	stopCtx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := stubborn.Stop(stopCtx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stop: got %v, want deadline exceeded", err)
	}

	natqtest.StartWorker(t, nc, func(w *natq.Worker) { natq.Handle(w, task, attemptHandler) })
	if out := natqtest.Wait(t, run); out.N != 4 || out.Attempt != 2 {
		t.Errorf("got %+v, want n 4 at attempt 2", out)
	}
}

func TestHandleMisuse(t *testing.T) {
	t.Parallel()
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	w, err := natq.NewWorker(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(context.Background()); err == nil {
		t.Error("a worker with no task started")
	}
	mustPanic(t, "nil handler", func() { natq.Handle[jobIn, jobOut](w, syncJob, nil) })
	natq.Handle(w, syncJob, jobHandler)
	mustPanic(t, "duplicate", func() { natq.Handle(w, syncJob, jobHandler) })
	w2 := natqtest.StartWorker(t, nc, func(w *natq.Worker) { natq.Handle(w, syncJob, jobHandler) })
	mustPanic(t, "after start", func() { natq.Handle(w2, asyncJob, jobHandler) })
	if _, err := natq.NewWorker(nil); err == nil {
		t.Error("NewWorker accepted a nil connection")
	}
	if _, err := natq.NewWorker(nc, natq.WithHeartbeat(0)); err == nil || !strings.Contains(err.Error(), "WithHeartbeat") {
		t.Errorf("got %v, want an error naming WithHeartbeat", err)
	}
	if _, err := natq.NewWorker(nc, natq.WithNames(natq.Names{})); err == nil {
		t.Error("empty names accepted")
	}
}

func mustPanic(t *testing.T, name string, fn func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", name)
		}
	}()
	fn()
}

// Workers with their own names share a server without meeting.
func TestCustomNames(t *testing.T) {
	t.Parallel()
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	names := natq.Names{
		TasksBucket: "a_tasks", ResultsBucket: "a_results", Stream: "a_jobs",
		SyncPrefix: "a.req", AsyncPrefix: "a.job",
	}
	natqtest.StartWorker(t, nc, func(w *natq.Worker) {
		natq.Handle(w, syncJob, jobHandler)
		natq.Handle(w, asyncJob, jobHandler)
	}, natq.WithNames(names))
	c := natqtest.NewClient(t, nc, natq.WithNames(names))
	if out := natqtest.Call(t, c, syncJob, jobIn{N: 1}); out.N != 2 {
		t.Errorf("got %+v", out)
	}
	if out := natqtest.Wait(t, natqtest.Enqueue(t, c, asyncJob, jobIn{N: 2})); out.N != 4 {
		t.Errorf("got %+v", out)
	}
	if _, err := nc.Request("natq.req.sync-job", []byte(`{}`), time.Second); !errors.Is(err, nats.ErrNoResponders) {
		t.Errorf("default subject answered: %v", err)
	}
}
