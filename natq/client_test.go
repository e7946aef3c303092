package natq_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/natq/natq-go/codec"
	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
)

// gate holds handlers until the test lets them go, and tells the test
// when one has started.
type gate struct {
	started chan string
	release chan struct{}
}

// newGate returns a closed gate. Open it with t.Cleanup(g.open) after
// starting the worker that uses it: cleanups run last first, so the gate
// opens before the worker's graceful stop waits on held handlers.
func newGate() *gate {
	return &gate{started: make(chan string, 16), release: make(chan struct{})}
}

func (g *gate) open() { close(g.release) }

func (g *gate) handler(ctx context.Context, in jobIn) (jobOut, error) {
	info, _ := natq.RunInfoFromContext(ctx)
	g.started <- info.RunID
	select {
	case <-g.release:
	case <-ctx.Done():
		return jobOut{}, ctx.Err()
	}
	return jobOut{N: in.N}, nil
}

var (
	heldSync  = natq.NewTask[jobIn, jobOut]("held-sync", natq.Sync)
	heldAsync = natq.NewTask[jobIn, jobOut]("held-async", natq.Async)
)

// Every failure of a producer can be told apart with errors.Is or
// errors.As.
func TestClientErrorKinds(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	g := newGate()
	natqtest.StartWorker(t, env.Conn, func(w *natq.Worker) {
		natq.Handle(w, heldSync, g.handler)
		natq.Handle(w, heldAsync, g.handler)
	})
	t.Cleanup(g.open)
	stopped := natq.NewTask[jobIn, jobOut]("stopped", natq.Sync)
	w := natqtest.StartWorker(t, env.Conn, func(w *natq.Worker) { natq.Handle(w, stopped, jobHandler) })
	if err := w.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := env.Client
	big := []byte(`{"mode":"` + strings.Repeat("x", int(env.Conn.MaxPayload())) + `"}`)
	short := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	ctx := context.Background()

	tests := []struct {
		name string
		do   func() error
		is   []error
		not  []error
	}{
		{"no worker", func() error {
			_, err := stopped.Call(ctx, c, jobIn{})
			return err
		}, []error{natq.ErrNoWorker}, []error{natq.ErrUnknownTask}},
		{"unknown task called", func() error {
			_, err := c.CallJSON(ctx, "no-such-task", []byte(`{}`))
			return err
		}, []error{natq.ErrUnknownTask, natq.ErrNoWorker}, nil},
		{"unknown task enqueued", func() error {
			_, err := c.EnqueueJSON(ctx, "no-such-task", []byte(`{}`))
			return err
		}, []error{natq.ErrUnknownTask}, []error{natq.ErrNoWorker}},
		{"unknown task read", func() error {
			_, err := c.Task(ctx, "no-such-task")
			return err
		}, []error{natq.ErrUnknownTask}, nil},
		{"async task called", func() error {
			_, err := c.CallJSON(ctx, asyncJob.ID(), []byte(`{"n":1}`))
			return err
		}, []error{natq.ErrWrongKind}, []error{natq.ErrNoWorker}},
		{"sync task enqueued", func() error {
			_, err := c.EnqueueJSON(ctx, syncJob.ID(), []byte(`{"n":1}`))
			return err
		}, []error{natq.ErrWrongKind}, nil},
		{"typed wrong kind", func() error {
			_, err := asyncJob.Call(ctx, c, jobIn{})
			return err
		}, []error{natq.ErrWrongKind}, nil},
		{"call timeout", func() error {
			_, err := heldSync.Call(short(), c, jobIn{})
			return err
		}, []error{natq.ErrTimeout, context.DeadlineExceeded}, nil},
		{"wait timeout", func() error {
			run := natqtest.Enqueue(t, c, heldAsync, jobIn{})
			_, err := run.Wait(short())
			return err
		}, []error{natq.ErrTimeout, context.DeadlineExceeded}, nil},
		{"cancelled is no timeout", func() error {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			_, err := syncJob.Call(cctx, c, jobIn{})
			return err
		}, []error{context.Canceled}, []error{natq.ErrTimeout}},
		{"payload too large called", func() error {
			_, err := c.CallJSON(ctx, syncJob.ID(), big)
			return err
		}, []error{natq.ErrPayloadTooLarge}, nil},
		{"payload too large enqueued", func() error {
			_, err := c.EnqueueJSON(ctx, asyncJob.ID(), big)
			return err
		}, []error{natq.ErrPayloadTooLarge}, nil},
		{"no record", func() error {
			_, err := asyncJob.RunOf(c, "never-enqueued").Record(ctx)
			return err
		}, []error{natq.ErrNoRecord}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if err == nil {
				t.Fatal("got no error")
			}
			for _, want := range tt.is {
				if !errors.Is(err, want) {
					t.Errorf("got %q, want it to match %q", err, want)
				}
			}
			for _, not := range tt.not {
				if errors.Is(err, not) {
					t.Errorf("got %q, want it not to match %q", err, not)
				}
			}
			var serr *natq.Error
			if errors.As(err, &serr) {
				t.Errorf("got status error %d %q, want a producer error", serr.Status, serr.Message)
			}
		})
	}
}

// A missing stream is told apart from a missing task.
func TestClientNoStream(t *testing.T) {
	t.Parallel()
	nc := natqtest.NewServer(t).Connect(t)
	c := natqtest.NewClient(t, nc)
	ctx := context.Background()
	if _, err := asyncJob.Enqueue(ctx, c, jobIn{}); !errors.Is(err, natq.ErrNoStream) {
		t.Errorf("typed enqueue: got %v, want ErrNoStream", err)
	}
	if _, err := c.EnqueueJSON(ctx, asyncJob.ID(), []byte(`{}`)); !errors.Is(err, natq.ErrUnknownTask) {
		t.Errorf("enqueue by id: got %v, want ErrUnknownTask", err)
	}
	tasks, err := c.Tasks(ctx)
	if err != nil || len(tasks) != 0 {
		t.Errorf("tasks without a bucket: got %v, %v; want none", tasks, err)
	}
}

// A run that fails comes back as a *natq.Error, by both paths.
func TestClientStatusErrors(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	ctx := context.Background()
	_, err := env.Client.CallJSON(ctx, syncJob.ID(), []byte(`{"mode":"refuse","n":1}`))
	natqtest.RequireError(t, err, 400, "refused")
	run, err := env.Client.EnqueueJSON(ctx, asyncJob.ID(), []byte(`{"mode":"refuse","n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = natqtest.WaitErr(run)
	natqtest.RequireError(t, err, 400, "refused")
	var serr *natq.Error
	if !errors.As(err, &serr) || serr.Status != 400 {
		t.Errorf("got %v, want a *natq.Error with status 400", err)
	}
}

// The run id and drop flag may come from the input, the options, or both
// when they agree.
func TestClientEnvelopeMerge(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		input  string
		opts   []natq.EnqueueOption
		runID  string
		errSub string
	}{
		{name: "from the input", input: `{"runId":"in-1","n":1}`, runID: "in-1"},
		{name: "from the option", input: `{"n":1}`, opts: []natq.EnqueueOption{natq.WithRunID("opt-1")}, runID: "opt-1"},
		{name: "both agree", input: `{"runId":"both-1","n":1}`, opts: []natq.EnqueueOption{natq.WithRunID("both-1")}, runID: "both-1"},
		{name: "both differ", input: `{"runId":"a","n":1}`, opts: []natq.EnqueueOption{natq.WithRunID("b")}, errSub: `runId "a" differs`},
		{name: "bad option", input: `{"n":1}`, opts: []natq.EnqueueOption{natq.WithRunID("a b")}, errSub: "invalid input: runId must be"},
		{name: "bad input", input: `{"runId":"a b","n":1}`, errSub: "invalid input: runId must be"},
		{
			name: "drop disagrees", input: `{"dropResultOnSuccess":false,"n":1}`,
			opts: []natq.EnqueueOption{natq.WithDropResultOnSuccess()}, errSub: "dropResultOnSuccess is false",
		},
		{name: "not an object", input: `[1]`, errSub: "input must be a JSON object"},
		{name: "not JSON", input: `{"n":`, errSub: "Invalid JSON input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run, err := env.Client.EnqueueJSON(ctx, asyncJob.ID(), []byte(tt.input), tt.opts...)
			if tt.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSub) {
					t.Fatalf("got %v, want an error containing %q", err, tt.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if run.ID != tt.runID {
				t.Errorf("got run id %q, want %q", run.ID, tt.runID)
			}
			if out := natqtest.Wait(t, run); string(out) != `{"n":2,"attempt":1}` {
				t.Errorf("got %s", out)
			}
		})
	}
}

// A call sends the run id it is given, and the handler sees it.
func TestCallWithRunID(t *testing.T) {
	t.Parallel()
	task := natq.NewTask[jobIn, string]("whoami", natq.Sync)
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, task, func(ctx context.Context, _ jobIn) (string, error) {
			info, _ := natq.RunInfoFromContext(ctx)
			return info.RunID, nil
		})
	})
	got, err := task.Call(context.Background(), env.Client, jobIn{}, natq.WithRunID("trace-7"))
	if err != nil || got != "trace-7" {
		t.Errorf("got %q, %v; want trace-7", got, err)
	}
}

// A call without a run id gets one from the worker: a valid run id, the
// same at every look within the run (from any goroutine), another for the
// next call.
func TestCallWithoutRunID(t *testing.T) {
	t.Parallel()
	task := natq.NewTask[jobIn, string]("whoami-made", natq.Sync)
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, task, func(ctx context.Context, _ jobIn) (string, error) {
			looks := make(chan string, 2)
			for range 2 {
				go func() {
					info, _ := natq.RunInfoFromContext(ctx)
					looks <- info.RunID
				}()
			}
			first, second := <-looks, <-looks
			if info, _ := natq.RunInfoFromContext(ctx); info.RunID != first || first != second {
				return "", fmt.Errorf("run id changed within a run: %q, %q, %q", first, second, info.RunID)
			}
			return first, nil
		})
	})
	ctx := context.Background()
	a, err := task.Call(ctx, env.Client, jobIn{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := task.Call(ctx, env.Client, jobIn{})
	if err != nil {
		t.Fatal(err)
	}
	if !codec.ValidRunID(a) || !codec.ValidRunID(b) || a == b {
		t.Errorf("got run ids %q and %q, want two different valid ids", a, b)
	}
}

// A run's record can be read at any time: none before the worker takes
// it, 100 while it runs, the final one after.
func TestRunRecord(t *testing.T) {
	t.Parallel()
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	g := newGate()
	natqtest.StartWorker(t, nc, func(w *natq.Worker) { natq.Handle(w, heldAsync, g.handler) })
	t.Cleanup(g.open)
	c := natqtest.NewClient(t, nc)
	ctx := context.Background()

	if _, err := heldAsync.RunOf(c, "r-1").Record(ctx); !errors.Is(err, natq.ErrNoRecord) {
		t.Errorf("before enqueue: got %v, want ErrNoRecord", err)
	}
	run := natqtest.Enqueue(t, c, heldAsync, jobIn{N: 5}, natq.WithRunID("r-1"))
	<-g.started
	// The worker sends the 100 as the handler starts; it is stored a
	// moment later. Watch until it is.
	for _, err := range run.Watch(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	rec, err := run.Record(ctx)
	if err != nil || rec.Status != 100 || rec.Final() {
		t.Fatalf("while running: got %+v, %v; want status 100, not final", rec, err)
	}
	g.release <- struct{}{} // one handler; the cleanup opens the gate
	natqtest.Wait(t, run)
	rec, err = c.RunOf(heldAsync.ID(), "r-1").Record(ctx)
	if err != nil || rec.Status != 200 || !rec.Final() || string(rec.Data) != `{"n":5,"attempt":0}` {
		t.Errorf("after: got %+v, %v; want the final 200", rec, err)
	}
}

// Watch yields the 100 of each attempt and ends with the final record.
func TestRunWatch(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	run := natqtest.Enqueue(t, env.Client, asyncJob, jobIn{Mode: "flaky", N: 1})
	ctx, cancel := context.WithTimeout(context.Background(), natqtest.WaitTimeout)
	defer cancel()
	var statuses []int
	for rec, err := range run.Watch(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, rec.Status)
	}
	if len(statuses) < 2 || statuses[0] != 100 || statuses[len(statuses)-1] != 200 {
		t.Errorf("got statuses %v, want 100s then 200", statuses)
	}
}

// A waiter sees the success of a run whose result is dropped, whether the
// input or the option asks for the drop.
func TestWaitOnDroppedResult(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		input string
		opts  []natq.EnqueueOption
	}{
		{"input", `{"dropResultOnSuccess":true,"n":4}`, nil},
		{"option", `{"n":4}`, []natq.EnqueueOption{natq.WithDropResultOnSuccess()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run, err := env.Client.EnqueueJSON(ctx, asyncJob.ID(), []byte(tt.input), tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if out := natqtest.Wait(t, run); string(out) != `{"n":8,"attempt":1}` {
				t.Errorf("got %s", out)
			}
			waitDeleted(t, env.Conn, asyncJob.ID()+"."+run.ID)
			if _, err := run.Record(ctx); !errors.Is(err, natq.ErrNoRecord) {
				t.Errorf("after the drop: got %v, want ErrNoRecord", err)
			}
		})
	}
}

// The same run id enqueued twice by id runs once, as with a typed task.
func TestEnqueueJSONIsIdempotent(t *testing.T) {
	t.Parallel()
	runs := make(chan struct{}, 4)
	task := natq.NewTask[jobIn, jobOut]("idem-json", natq.Async)
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, task, func(context.Context, jobIn) (jobOut, error) {
			runs <- struct{}{}
			return jobOut{}, nil
		})
	})
	ctx := context.Background()
	for _, in := range []string{`{"runId":"once","n":1}`, `{"n":1}`} {
		if _, err := env.Client.EnqueueJSON(ctx, task.ID(), []byte(in), natq.WithRunID("once")); err != nil {
			t.Fatal(err)
		}
	}
	natqtest.Wait(t, natqtest.Enqueue(t, env.Client, task, jobIn{}, natq.WithRunID("after")))
	natqtest.Wait(t, env.Client.RunOf(task.ID(), "once"))
	if got := len(runs); got != 2 {
		t.Errorf("got %d handler runs, want 2", got)
	}
}

// Client.Watch follows every run of a task.
func TestClientWatch(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	ctx, cancel := context.WithTimeout(context.Background(), natqtest.WaitTimeout)
	defer cancel()
	natqtest.Wait(t, natqtest.Enqueue(t, env.Client, asyncJob, jobIn{N: 1}, natq.WithRunID("before")))
	seen := map[string][]int{}
	next := env.Client.Watch(ctx, asyncJob.ID())
	for u, err := range next {
		if err != nil {
			t.Fatal(err)
		}
		if u.Record == nil {
			seen[u.RunID] = append(seen[u.RunID], 0)
			break // the dropped run, last of all
		}
		seen[u.RunID] = append(seen[u.RunID], u.Record.Status)
		if u.RunID == "before" {
			natqtest.Enqueue(t, env.Client, asyncJob, jobIn{N: 2},
				natq.WithRunID("dropped"), natq.WithDropResultOnSuccess()).Stop()
		}
	}
	if got := seen["before"]; len(got) != 1 || got[0] != 200 {
		t.Errorf("run before the watch: got %v, want [200]", got)
	}
	// A record replaced before the watch gets it is not seen: the bucket
	// keeps only the latest record of a run. The deletion ends it all.
	got := seen["dropped"]
	if n := len(got); got[n-1] != 0 || slices.ContainsFunc(got[:n-1], func(s int) bool { return s != 100 && s != 200 }) {
		t.Errorf("dropped run: got %v, want 100s and 200s, then 0 (deleted)", got)
	}
}
