package natq

import "context"

// RunInfo describes the run a handler is serving.
type RunInfo struct {
	// RunID is the run's id: the producer's, or one the worker made.
	RunID string
	// TaskID is the task's id.
	TaskID string
	// WorkerID is the id of the worker running the handler.
	WorkerID string
	// Attempt counts deliveries of an async run, from 1. A sync run is
	// always attempt 1.
	Attempt int
}

type runInfoKey struct{}

// RunInfoFromContext returns the run a handler's context belongs to. The
// second result is false outside a handler.
func RunInfoFromContext(ctx context.Context) (RunInfo, bool) {
	info, ok := ctx.Value(runInfoKey{}).(RunInfo)
	return info, ok
}

func withRunInfo(ctx context.Context, info RunInfo) context.Context {
	return context.WithValue(ctx, runInfoKey{}, info)
}
