package natq

import (
	"context"
	"sync"

	"github.com/oklog/ulid/v2"
)

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
	r, ok := ctx.Value(runInfoKey{}).(*runState)
	if !ok {
		return RunInfo{}, false
	}
	return r.get(), true
}

// runState is a run's [RunInfo] as the engines hold it. A sync run whose
// producer sent no id is given one the first time something asks (the
// handler, or a log line about the run): a sync reply carries no run id,
// and making a ULID for every request cost a tenth of a small run.
type runState struct {
	info RunInfo
	once sync.Once
}

func newRunState(runID, taskID, workerID string, attempt int) *runState {
	return &runState{info: RunInfo{RunID: runID, TaskID: taskID, WorkerID: workerID, Attempt: attempt}}
}

// get returns the run's info, with its id made if it had none. It is safe
// for concurrent use: a handler may pass its context to goroutines.
func (r *runState) get() RunInfo {
	r.once.Do(r.name)
	return r.info
}

// id returns the run's id, made if it had none.
func (r *runState) id() string { return r.get().RunID }

func (r *runState) name() {
	if r.info.RunID == "" {
		r.info.RunID = ulid.Make().String()
	}
}

func withRunState(ctx context.Context, r *runState) context.Context {
	return context.WithValue(ctx, runInfoKey{}, r)
}
