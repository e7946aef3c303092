// Package bench measures natq against hand-written nats.go code doing the
// same protocol work, on the same server in the same run, and prints each
// natq figure as a ratio of the raw one. The natq command runs it as
// natq bench.
//
// Sync: a raw queue-subscription responder against a natq sync task with a
// validated typed input, at 1 and 64 concurrent callers. Async: a raw
// JetStream consumer writing the 100 record and the final record to KV and
// acknowledging, with 64 handlers, against a natq async task at its default
// settings, each draining the same number of queued jobs. Also the heap of
// a worker with 1 000 runs in flight, and the in-process path (decode,
// validate, handler, encode) with allocations.
package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go"
)

// Defaults of the [Config] fields that have one, as natq bench uses them.
const (
	DefaultRounds   = 3
	DefaultDuration = 3 * time.Second
	DefaultJobs     = 20000
)

// syncCallers are the numbers of concurrent callers each sync measurement
// runs with.
var syncCallers = []int{1, 64}

// Config says what a run measures and where. Its numbers have no zero
// default: start from the Default constants.
type Config struct {
	// Server is the NATS URL to measure on. Empty starts an embedded
	// server with JetStream on 127.0.0.1, in a temporary store that is
	// removed afterwards.
	Server string
	// Options are added to every connection the run opens, such as
	// credentials for Server. Each connection names itself.
	Options []nats.Option
	// Rounds is how many times each measurement runs; the median is
	// reported. At least 1.
	Rounds int
	// Duration is how long each sync measurement runs. Positive.
	Duration time.Duration
	// Jobs is how many jobs each async measurement queues, then drains.
	// At least 1.
	Jobs int
	// Only is "sync" or "async" to run only those measurements and the
	// in-process one. Empty runs everything, the memory one included.
	Only string
	// CPUProfile, when set, is a file to write a CPU profile of the whole
	// run to.
	CPUProfile string
	// Progress, when set, is a terminal on which a live bar shows how far
	// each measurement is. When nil, each measurement's label is printed
	// to the output as it starts.
	Progress io.Writer
}

// Validate reports the first setting of c that Run cannot use.
func (c Config) Validate() error {
	switch {
	case c.Rounds < 1:
		return fmt.Errorf("rounds must be at least 1, got %d", c.Rounds)
	case c.Duration <= 0:
		return fmt.Errorf("duration must be positive, got %v", c.Duration)
	case c.Jobs < 1:
		return fmt.Errorf("jobs must be at least 1, got %d", c.Jobs)
	case c.Only != "" && c.Only != "sync" && c.Only != "async":
		return fmt.Errorf(`only must be "sync", "async" or empty, got %q`, c.Only)
	}
	return nil
}

// Run runs the measurements cfg asks for and writes the report to out.
// It stops with ctx's error when ctx is cancelled. It leaves the streams,
// consumers and buckets it made on the server: with an embedded server
// they go with its store.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	url := cfg.Server
	if url == "" {
		srv, err := natqtest.StartServer(natqtest.ServerConfig{}) // a temp store
		if err != nil {
			return err
		}
		defer srv.Shutdown()
		url = srv.URL()
	}
	r := &runner{cfg: cfg, url: url, out: &printer{w: out}}
	r.out.printf(
		"natq bench: server %s, %d rounds (median), sync %v per run, %d async jobs per run\n\n",
		url, cfg.Rounds, cfg.Duration, cfg.Jobs)

	if cfg.CPUProfile != "" {
		stop, err := startCPUProfile(cfg.CPUProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if err := r.measure(ctx); err != nil {
		return err
	}
	r.out.printf("%s", &r.report)
	return r.out.err
}

// runner is one run: its settings, its server and what it has measured.
type runner struct {
	cfg    Config
	url    string
	out    *printer
	report report
}

// measure runs each measurement cfg asks for, in turn. Memory comes
// first: after the async rounds an embedded server holds tens of MiB of
// its own that it frees at its own pace, which can outweigh the worker's
// few MiB and even make the difference negative.
func (r *runner) measure(ctx context.Context) error {
	if r.cfg.Only == "" {
		if err := r.benchMemory(ctx); err != nil {
			return err
		}
	}
	if r.cfg.Only != "async" {
		if err := r.benchSync(ctx); err != nil {
			return err
		}
	}
	if r.cfg.Only != "sync" {
		if err := r.benchAsync(ctx); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r.benchInProcess()
	return nil
}

// connect opens a connection to the run's server under name.
func (r *runner) connect(name string) (*nats.Conn, error) {
	opts := append(slices.Clip(r.cfg.Options), nats.Name(name))
	nc, err := nats.Connect(r.url, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", r.url, err)
	}
	return nc, nil
}

// startCPUProfile profiles the process into the file at path until the
// returned function is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close() // a diagnostic file: nothing to do on failure
	}, nil
}

// printer writes to the run's output and keeps the first error, which Run
// returns; later writes are skipped.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}
