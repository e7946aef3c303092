package natqtest

import (
	"context"
	"testing"
	"time"

	"github.com/natq/natq-go/natq"
)

// WaitTimeout bounds the helpers below. It is generous, so that a slow CI
// machine does not fail a test that is merely slow.
const WaitTimeout = 30 * time.Second

// Call calls a sync task and returns its output, failing the test if the
// call fails. To test a failing call, use [natq.Task.Call] and
// [RequireStatus].
func Call[In, Out any](tb testing.TB, c *natq.Client, t *natq.Task[In, Out], in In) Out {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	out, err := t.Call(ctx, c, in)
	if err != nil {
		tb.Fatalf("natq: call %s: status %d: %v", t.ID(), natq.StatusOf(err), err)
	}
	return out
}

// Enqueue enqueues an async run, failing the test if it cannot.
func Enqueue[In, Out any](
	tb testing.TB,
	c *natq.Client,
	t *natq.Task[In, Out],
	in In,
	opts ...natq.EnqueueOption,
) *natq.Run[Out] {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	run, err := t.Enqueue(ctx, c, in, opts...)
	if err != nil {
		tb.Fatalf("natq: enqueue %s: %v", t.ID(), err)
	}
	return run
}

// Wait waits up to [WaitTimeout] for a run's result and returns its
// output, failing the test if the run fails or does not finish.
func Wait[Out any](tb testing.TB, run *natq.Run[Out]) Out {
	tb.Helper()
	out, err := WaitErr(run)
	if err != nil {
		tb.Fatalf("natq: run %s of %s: status %d: %v", run.ID, run.TaskID, natq.StatusOf(err), err)
	}
	return out
}

// WaitErr waits up to [WaitTimeout] for a run's result and returns it, for
// tests that expect the run to fail.
func WaitErr[Out any](run *natq.Run[Out]) (Out, error) {
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	return run.Wait(ctx)
}
