package natq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"
)

// Worker serves tasks: sync tasks by request and reply, async tasks from
// the JetStream work queue. Bind handlers with [Handle], then call
// [Worker.Run], or [Worker.Start] and [Worker.Stop].
//
// The worker does not own its connection: the program opens it, and closes
// it after the worker has stopped. A worker installs no signal handlers;
// cancel the context given to Run to stop it. A Worker is safe for
// concurrent use.
type Worker struct {
	nc  *nats.Conn
	cfg workerConfig
	id  string
	log *slog.Logger

	mu       sync.Mutex
	bindings []*binding
	started  bool
	stopped  bool

	// Set by Start.
	js      jetstream.JetStream
	results jetstream.KeyValue
	// runCtx is the parent of every handler's context; cancelling it is
	// the hard part of a stop.
	runCtx    context.Context
	cancelRun context.CancelFunc
	syncs     []*syncServer
	asyncs    []*asyncServer

	healMu   sync.Mutex
	healedAt time.Time

	// maxPayload checks results against the server's limit, for [Worker.fit].
	maxPayload maxPayload
}

// NewWorker returns a worker on nc. It returns an error naming the option
// when an option is invalid.
func NewWorker(nc *nats.Conn, opts ...WorkerOption) (*Worker, error) {
	if nc == nil {
		return nil, errors.New("natq: NewWorker: nil connection")
	}
	cfg := workerConfig{
		names:           DefaultNames,
		heartbeat:       DefaultHeartbeat,
		shutdownTimeout: DefaultShutdownTimeout,
		queueGroup:      DefaultQueueGroup,
	}
	for _, opt := range opts {
		if err := opt.applyWorker(&cfg); err != nil {
			return nil, err
		}
	}
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	id := ulid.Make().String()
	return &Worker{nc: nc, cfg: cfg, id: id, log: logger.With("worker", id)}, nil
}

// ID returns the worker's id, a ULID made when the worker was created.
func (w *Worker) ID() string { return w.id }

// Handle binds fn to task t on worker w. It panics if t or fn is nil, if
// the worker already serves a task with t's id, or if the worker has
// started: each is a mistake in the program, not a condition to handle.
func Handle[In, Out any](w *Worker, t *Task[In, Out], fn HandlerFunc[In, Out]) {
	if t == nil || fn == nil {
		panic("natq: Handle: nil task or handler")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.started {
		panic(fmt.Errorf("natq: Handle %s: %w", t.def.id, ErrWorkerStarted))
	}
	for _, b := range w.bindings {
		if b.def.id == t.def.id {
			panic(fmt.Sprintf("natq: Handle: task %s is already bound", t.def.id))
		}
	}
	w.bindings = append(w.bindings, &binding{def: t.def, handler: erase(t, fn)})
}

// Run starts the worker, serves until ctx is done, then stops gracefully,
// giving in-flight runs the shutdown timeout ([WithShutdownTimeout]) to
// finish. It returns nil after a clean stop.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.shutdownTimeout)
	defer cancel()
	return w.Stop(stopCtx)
}

// Start provisions what the bound tasks need (buckets, the stream, one
// durable consumer per async task; objects that exist are used as they
// are), publishes the task definitions, and starts serving. It returns
// once the worker is serving. ctx bounds the start only.
func (w *Worker) Start(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.started {
		return ErrWorkerStarted
	}
	if len(w.bindings) == 0 {
		return errors.New("natq: Start: no task is bound")
	}
	w.started = true
	w.runCtx, w.cancelRun = context.WithCancel(context.Background())
	if err := w.startLocked(ctx); err != nil {
		_ = w.stopServers(context.Background())
		w.cancelRun()
		w.stopped = true
		return err
	}
	w.log.InfoContext(ctx, "worker started", "tasks", len(w.bindings))
	return nil
}

func (w *Worker) startLocked(ctx context.Context) error {
	if err := w.provisionRetrying(ctx); err != nil {
		return err
	}
	for _, b := range w.bindings {
		if b.def.kind == Sync {
			s := newSyncServer(w, b)
			if err := s.start(); err != nil {
				return err
			}
			w.syncs = append(w.syncs, s)
			continue
		}
		a := newAsyncServer(w, b)
		if err := a.start(ctx); err != nil {
			return err
		}
		w.asyncs = append(w.asyncs, a)
	}
	return nil
}

// Stop stops the worker gracefully: it takes no new work, hands jobs it
// had fetched but not started back to the queue, and waits for in-flight
// runs to finish and be answered, acknowledged or handed back. When ctx is
// done first, Stop cancels the handlers' contexts and returns ctx's error;
// a run cancelled that way is handed back for redelivery, not lost.
//
// Stop does not close the connection. It is safe to call more than once.
func (w *Worker) Stop(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.started || w.stopped {
		return nil
	}
	w.stopped = true
	err := w.stopServers(ctx)
	w.cancelRun()
	if err != nil {
		w.awaitHandBacks()
	}
	w.log.InfoContext(ctx, "worker stopped", "err", err)
	return err
}

// handBackGrace bounds how long a stop past its deadline waits for the
// cancelled runs to hand their jobs back.
const handBackGrace = 2 * time.Second

// awaitHandBacks gives runs whose context a late stop has just cancelled
// a moment to return and hand their jobs back, and flushes those naks to
// the server: a program that exits right after Stop would otherwise lose
// them, and the jobs would wait out their ack wait before anyone saw them.
// A handler that ignores its context is not waited for beyond the grace.
func (w *Worker) awaitHandBacks() {
	ctx, cancel := context.WithTimeout(context.Background(), handBackGrace)
	defer cancel()
	for _, a := range w.asyncs {
		_ = waitCtx(ctx, &a.runs, a.b.def.id)
	}
	_ = w.nc.FlushTimeout(handBackGrace)
}

func (w *Worker) stopServers(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(w.syncs)+len(w.asyncs))
	for _, s := range w.syncs {
		wg.Go(func() { errs <- s.stop(ctx) })
	}
	for _, a := range w.asyncs {
		wg.Go(func() { errs <- a.stop(ctx) })
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}
