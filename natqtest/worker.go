package natqtest

import (
	"context"
	"testing"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/nats-io/nats.go"
)

// StopTimeout bounds the graceful stop of a worker started by
// [StartWorker] when its test ends.
const StopTimeout = 10 * time.Second

// StartWorker creates a worker on nc, lets register bind its handlers,
// starts it, and stops it gracefully when the test ends. The worker logs to
// the test (see [Logger]) unless opts set another logger.
func StartWorker(tb testing.TB, nc *nats.Conn, register func(*natq.Worker), opts ...natq.WorkerOption) *natq.Worker {
	tb.Helper()
	opts = append([]natq.WorkerOption{natq.WithLogger(Logger(tb))}, opts...)
	w, err := natq.NewWorker(nc, opts...)
	if err != nil {
		tb.Fatalf("natqtest: new worker: %v", err)
	}
	register(w)
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	if err := w.Start(ctx); err != nil {
		tb.Fatalf("natqtest: start worker: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), StopTimeout)
		defer cancel()
		if err := w.Stop(ctx); err != nil {
			tb.Errorf("natqtest: stop worker: %v", err)
		}
	})
	return w
}

// NewClient returns a producer on nc.
func NewClient(tb testing.TB, nc *nats.Conn, opts ...natq.ClientOption) *natq.Client {
	tb.Helper()
	c, err := natq.NewClient(nc, opts...)
	if err != nil {
		tb.Fatalf("natqtest: new client: %v", err)
	}
	return c
}

// Env is a ready test environment: an embedded server, a connection, a
// started worker and a producer.
type Env struct {
	Server *Server
	Conn   *nats.Conn
	Worker *natq.Worker
	Client *natq.Client
}

// Start starts an embedded server, connects to it, and starts a worker
// whose handlers register binds. Everything is stopped and removed when
// the test ends.
func Start(tb testing.TB, register func(*natq.Worker), opts ...natq.WorkerOption) *Env {
	tb.Helper()
	srv := NewServer(tb)
	nc := srv.Connect(tb)
	return &Env{
		Server: srv,
		Conn:   nc,
		Worker: StartWorker(tb, nc, register, opts...),
		Client: NewClient(tb, nc),
	}
}
