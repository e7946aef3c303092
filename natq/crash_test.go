package natq_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go"
)

// helperWorkerEnv, when set to a server URL, makes the test binary run a
// worker for crashTask instead of the tests: a process a test can kill.
const helperWorkerEnv = "NATQ_TEST_HELPER_WORKER"

// startedSubject is where the helper worker says a run has started.
const startedSubject = "crash-test.started"

// crashTask is served by the helper worker, whose handler never returns.
// A short ack wait lets the job come back soon after the worker dies.
var crashTask = natq.NewTask[jobIn, jobOut]("crash", natq.Async, natq.WithAckWait(2*time.Second))

// crashOnceTask is crashTask for a run allowed only one attempt.
var crashOnceTask = natq.NewTask[jobIn, jobOut]("crash-once", natq.Async,
	natq.WithAckWait(2*time.Second), natq.WithMaxAttempts(1))

func runHelperWorker(url string) int {
	nc, err := nats.Connect(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper worker:", err)
		return 1
	}
	w, err := natq.NewWorker(nc)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper worker:", err)
		return 1
	}
	hang := func(ctx context.Context, _ jobIn) (jobOut, error) {
		info, _ := natq.RunInfoFromContext(ctx)
		_ = nc.Publish(startedSubject, []byte(info.TaskID))
		_ = nc.Flush()
		select {} // until killed
	}
	natq.Handle(w, crashTask, hang)
	natq.Handle(w, crashOnceTask, hang)
	if err := w.Run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "helper worker:", err)
		return 1
	}
	return 0
}

// startHelperWorker starts the test binary as a worker process on srv and
// returns it; the test kills it.
func startHelperWorker(t *testing.T, srv *natqtest.Server) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperWorkerEnv+"="+srv.URL())
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// killMidRun starts a helper worker, enqueues one run of task and kills
// the worker with SIGKILL once the run has started.
func killMidRun(t *testing.T, srv *natqtest.Server, nc *nats.Conn, task *natq.Task[jobIn, jobOut]) *natq.Run[jobOut] {
	t.Helper()
	started, err := nc.SubscribeSync(startedSubject)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = started.Unsubscribe() }()
	cmd := startHelperWorker(t, srv)
	c := natqtest.NewClient(t, nc)
	run := enqueueWhenReady(t, c, task)
	if _, err := started.NextMsg(natqtest.WaitTimeout); err != nil {
		t.Fatalf("the helper worker did not start the run: %v", err)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no graceful stop
		t.Fatal(err)
	}
	_ = cmd.Wait()
	return run
}

// enqueueWhenReady enqueues once the helper worker has created the stream.
func enqueueWhenReady(t *testing.T, c *natq.Client, task *natq.Task[jobIn, jobOut]) *natq.Run[jobOut] {
	t.Helper()
	deadline := time.Now().Add(natqtest.WaitTimeout)
	for {
		run, err := task.Enqueue(context.Background(), c, jobIn{N: 7})
		if err == nil {
			return run
		}
		if time.Now().After(deadline) {
			t.Fatalf("enqueue: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // the helper is still starting
	}
}

// A worker killed in the middle of a run loses nothing: the run is
// delivered again and finished by another worker.
func TestKilledWorkerRunIsFinishedElsewhere(t *testing.T) {
	t.Parallel()
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	run := killMidRun(t, srv, nc, crashTask)

	var calls atomic.Int32
	natqtest.StartWorker(t, nc, func(w *natq.Worker) {
		natq.Handle(w, crashTask, func(ctx context.Context, in jobIn) (jobOut, error) {
			calls.Add(1)
			info, _ := natq.RunInfoFromContext(ctx)
			return jobOut{N: in.N, Attempt: info.Attempt}, nil
		})
	})
	out := natqtest.Wait(t, run)
	if out.N != 7 || out.Attempt != 2 || calls.Load() != 1 {
		t.Errorf("got %+v after %d calls, want n 7 at attempt 2 after 1 call", out, calls.Load())
	}
}

// A run delivered again past its attempt limit after a crash gets a final
// failing record without running again.
func TestKilledWorkerLastAttemptIsFinalised(t *testing.T) {
	t.Parallel()
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	run := killMidRun(t, srv, nc, crashOnceTask)

	var calls atomic.Int32
	natqtest.StartWorker(t, nc, func(w *natq.Worker) {
		natq.Handle(w, crashOnceTask, func(context.Context, jobIn) (jobOut, error) {
			calls.Add(1)
			return jobOut{}, nil
		})
	})
	_, err := natqtest.WaitErr(run)
	natqtest.RequireError(t, err, 500, "attempts exhausted: delivered 2 times, limit 1")
	if got := calls.Load(); got != 0 {
		t.Errorf("the handler ran %d times after the limit, want 0", got)
	}
}
