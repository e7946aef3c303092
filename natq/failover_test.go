package natq_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
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

// failoverJobs is how many async jobs are in flight when the stream's
// leader stops.
const failoverJobs = 5000

type countIn struct {
	I int `json:"i"`
}

type countOut struct {
	I int `json:"i"`
}

// Jobs whose acknowledgement is lost with a node come back after the ack
// wait; a short one keeps the test short.
var failoverTask = natq.NewTask[countIn, countOut]("failover", natq.Async,
	natq.WithAckWait(2*time.Second))

// Stopping the node that leads the job stream, with thousands of jobs
// queued and running on workers connected to different nodes, loses none:
// every job whose enqueue succeeded ends with a final record.
func TestFailoverStreamLeader(t *testing.T) {
	t.Parallel()
	c := natqtest.NewCluster(t)
	names := uniqueNames("fo")
	opts := []natq.WorkerOption{natq.WithNames(names), natq.WithReplicas(3)}

	var handled atomic.Int64
	midway := make(chan struct{})
	var once sync.Once
	handler := func(_ context.Context, in countIn) (countOut, error) {
		if handled.Add(1) == failoverJobs/10 {
			once.Do(func() { close(midway) })
		}
		return countOut(in), nil
	}
	register := func(w *natq.Worker) { natq.Handle(w, failoverTask, handler) }
	provision(t, c.Connect(t), register, opts...)
	leader := c.StreamLeader(t, names.Stream)
	other, producerNode := (leader+1)%c.Size(), (leader+2)%c.Size()

	pnc := c.ConnectTo(t, producerNode)
	client := natqtest.NewClient(t, pnc, natq.WithNames(names))

	// Most jobs are queued before the workers start, so that thousands
	// are in flight when the leader stops; the rest are enqueued while it
	// stops.
	accepted := make(chan string, failoverJobs)
	queued := failoverJobs * 4 / 5
	<-enqueueAll(client, 1, queued, accepted)
	if len(accepted) != queued {
		t.Fatalf("%d of %d enqueues failed before any failover", queued-len(accepted), queued)
	}
	// One worker on the leader, which will lose its server, one on
	// another node; the producer on the third.
	for _, node := range []int{leader, other} {
		natqtest.StartWorker(t, c.ConnectTo(t, node), register, append(opts, quietLogger(t))...)
	}
	enqueued := enqueueAll(client, queued+1, failoverJobs, accepted)
	waitClosed(t, midway, "the first tenth of the jobs to run")
	inFlight := len(accepted) - int(handled.Load())
	c.Stop(t, leader)
	<-enqueued
	close(accepted)
	var ids []string
	for id := range accepted {
		ids = append(ids, id)
	}
	t.Logf("stopped node %d with at least %d jobs in flight; %d of %d enqueues accepted",
		leader, inFlight, len(ids), failoverJobs)
	if inFlight < failoverJobs/2 {
		t.Fatalf("only %d jobs were in flight when node %d stopped", inFlight, leader)
	}

	js := jsOf(t, pnc)
	waitStreamEmpty(t, js, names.Stream)
	recs := records(t, js, names.ResultsBucket, failoverTask.ID())
	var missing, unfinished int
	for _, id := range ids {
		switch st, ok := recs[id]; {
		case !ok:
			missing++
		case st != 200:
			unfinished++
		}
	}
	if missing > 0 || unfinished > 0 {
		t.Errorf("of %d accepted jobs, %d have no record and %d are not at 200", len(ids), missing, unfinished)
	}
	t.Logf("%d handler runs for %d accepted jobs", handled.Load(), len(ids))
}

// provision creates the objects with a worker that stops right away, so
// that the test can see where JetStream put them before it places the
// workers that stay.
func provision(t *testing.T, nc *nats.Conn, register func(*natq.Worker), opts ...natq.WorkerOption) {
	t.Helper()
	w, err := natq.NewWorker(nc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	register(w)
	ctx, cancel := context.WithTimeout(context.Background(), natqtest.ClusterTimeout)
	defer cancel()
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// enqueueAll enqueues jobs from to through, from a few goroutines. It sends
// the run id of each accepted one, and closes the returned channel when
// all are done.
func enqueueAll(c *natq.Client, from, through int, accepted chan<- string) <-chan struct{} {
	const producers = 16
	next := atomic.Int64{}
	next.Store(int64(from - 1))
	var wg sync.WaitGroup
	for range producers {
		wg.Go(func() {
			for i := int(next.Add(1)); i <= through; i = int(next.Add(1)) {
				id := fmt.Sprintf("job-%d", i)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, err := failoverTask.Enqueue(ctx, c, countIn{I: i}, natq.WithRunID(id))
				cancel()
				if err == nil {
					accepted <- id
				}
			}
		})
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	return done
}

// waitStreamEmpty waits until every job of a work-queue stream has been
// acknowledged. JetStream raises no event for it, so it polls.
func waitStreamEmpty(t *testing.T, js jetstream.JetStream, stream string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), natqtest.ClusterTimeout)
	defer cancel()
	for {
		s, err := js.Stream(ctx, stream)
		if err == nil && s.CachedInfo().State.Msgs == 0 {
			return
		}
		select {
		case <-ctx.Done():
			var left uint64
			if err == nil {
				left = s.CachedInfo().State.Msgs
			}
			t.Fatalf("stream %s still holds %d jobs (%v)", stream, left, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// records reads the current record of every run of a task: run id to
// status.
func records(t *testing.T, js jetstream.JetStream, bucket, taskID string) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), natqtest.ClusterTimeout)
	defer cancel()
	kv, err := js.KeyValue(ctx, bucket)
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.Watch(ctx, taskID+".*")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Stop() }()
	out := map[string]int{}
	for {
		select {
		case <-ctx.Done():
			t.Fatalf("read records: %v", ctx.Err())
		case e := <-w.Updates():
			if e == nil {
				return out // the end of the current values
			}
			var rec struct {
				ID     string `json:"id"`
				Status int    `json:"status"`
			}
			if err := json.Unmarshal(e.Value(), &rec); err != nil {
				t.Fatalf("record %s: %v", e.Key(), err)
			}
			out[rec.ID] = rec.Status
		}
	}
}

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(natqtest.WaitTimeout):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// quietLogger logs only errors to the test: a failover makes many
// expected warnings.
func quietLogger(t *testing.T) natq.WorkerOption {
	h := natqtest.Logger(t).Handler()
	return natq.WithLogger(slog.New(levelFilter{Handler: h, min: slog.LevelError}))
}

// levelFilter passes on the records at min level and above.
type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(_ context.Context, l slog.Level) bool { return l >= f.min }

func (f levelFilter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelFilter{Handler: f.Handler.WithAttrs(attrs), min: f.min}
}

func (f levelFilter) WithGroup(name string) slog.Handler {
	return levelFilter{Handler: f.Handler.WithGroup(name), min: f.min}
}

var (
	failoverSync  = natq.NewTask[countIn, countOut]("failover-sync", natq.Sync)
	failoverAsync = natq.NewTask[countIn, countOut]("failover-async", natq.Async,
		natq.WithAckWait(2*time.Second))
)

// callTimeout bounds each sync call made across a failover.
const callTimeout = 2 * time.Second

// Stopping the node a worker is connected to: the worker reconnects to
// another node and serves sync and async tasks again, and no sync call
// made meanwhile, from a producer on the stopped node or on another,
// outlasts its timeout or fails with an unclear error.
func TestFailoverWorkerNode(t *testing.T) {
	t.Parallel()
	c := natqtest.NewCluster(t)
	names := uniqueNames("fw")
	echo := func(_ context.Context, in countIn) (countOut, error) { return countOut(in), nil }
	reconnected := make(chan struct{})
	var once sync.Once
	wnc := c.ConnectTo(t, 0, nats.ReconnectHandler(func(*nats.Conn) {
		once.Do(func() { close(reconnected) })
	}))
	natqtest.StartWorker(t, wnc, func(w *natq.Worker) {
		natq.Handle(w, failoverSync, echo)
		natq.Handle(w, failoverAsync, echo)
	}, natq.WithNames(names), natq.WithReplicas(3), quietLogger(t))
	onStopped := natqtest.NewClient(t, c.ConnectTo(t, 0), natq.WithNames(names))
	onOther := natqtest.NewClient(t, c.ConnectTo(t, 1), natq.WithNames(names))
	natqtest.Call(t, onOther, failoverSync, countIn{I: 1})
	var queued []*natq.Run[countOut]
	for i := range 100 {
		queued = append(queued, natqtest.Enqueue(t, onOther, failoverAsync, countIn{I: i}))
	}

	stopCalls := make(chan struct{})
	var calls sync.WaitGroup
	var outcomes [2][]callOutcome
	for i, p := range []*natq.Client{onStopped, onOther} {
		calls.Go(func() { outcomes[i] = callUntil(p, stopCalls) })
	}
	c.Stop(t, 0)
	waitClosed(t, reconnected, "the worker to reconnect")
	if node := c.NodeOf(wnc); node <= 0 {
		t.Fatalf("the worker is on node %d after reconnecting, want 1 or 2", node)
	}

	// Its subscription reaches the other nodes a moment after the worker
	// is back; until then a call finds no worker.
	callEventually(t, onOther, 10*time.Second)
	for i := range 20 {
		if out := natqtest.Call(t, onOther, failoverSync, countIn{I: i}); out.I != i {
			t.Errorf("got %+v, want %d", out, i)
		}
	}
	for _, run := range queued {
		natqtest.Wait(t, run)
	}
	if out := natqtest.Wait(t, natqtest.Enqueue(t, onOther, failoverAsync, countIn{I: 7})); out.I != 7 {
		t.Errorf("got %+v after failover, want 7", out)
	}
	close(stopCalls)
	calls.Wait()
	for i, outs := range outcomes {
		checkOutcomes(t, []string{"the stopped node", "another node"}[i], outs)
	}
}

type callOutcome struct {
	took time.Duration
	err  error
}

// callUntil calls the sync task over and over until stop is closed.
func callUntil(c *natq.Client, stop <-chan struct{}) []callOutcome {
	var outs []callOutcome
	for i := 0; ; i++ {
		select {
		case <-stop:
			return outs
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		start := time.Now()
		out, err := failoverSync.Call(ctx, c, countIn{I: i})
		cancel()
		if err == nil && out.I != i {
			err = fmt.Errorf("got %d, want %d", out.I, i)
		}
		outs = append(outs, callOutcome{took: time.Since(start), err: err})
	}
}

// checkOutcomes requires every call to have returned within its timeout,
// with a clear error if any, and some to have succeeded.
func checkOutcomes(t *testing.T, producer string, outs []callOutcome) {
	t.Helper()
	// Slack for the scheduler of a loaded, race-checked test binary.
	const slack = time.Second
	ok, failed := 0, map[string]int{}
	for _, o := range outs {
		if o.took > callTimeout+slack {
			t.Errorf("producer on %s: a call took %v, past its %v timeout", producer, o.took, callTimeout)
		}
		if o.err == nil {
			ok++
			continue
		}
		failed[o.err.Error()]++
		known := errors.Is(o.err, natq.ErrNoWorker) || errors.Is(o.err, context.DeadlineExceeded)
		if !known || !strings.HasPrefix(o.err.Error(), "natq: call "+failoverSync.ID()) {
			t.Errorf("producer on %s: unclear error %q", producer, o.err)
		}
	}
	if ok == 0 {
		t.Errorf("producer on %s: no call succeeded of %d", producer, len(outs))
	}
	t.Logf("producer on %s: %d calls succeeded, failures %v", producer, ok, failed)
}

// callEventually calls the sync task until a call succeeds, within limit.
func callEventually(t *testing.T, c *natq.Client, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		_, err := failoverSync.Call(ctx, c, countIn{})
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no call succeeded within %v: %v", limit, err)
		}
		if errors.Is(err, natq.ErrNoWorker) {
			// No responders comes back at once: space the calls a little.
			time.Sleep(10 * time.Millisecond)
		}
	}
}
