// Command bench measures natq against hand-written nats.go code doing the
// same protocol work, on the same server in the same run, and prints each
// natq figure as a ratio of the raw one.
//
//	go run ./examples/bench                       # embedded server
//	go run ./examples/bench -server nats://127.0.0.1:4222 -jobs 50000
//
// Sync: a raw queue-subscription responder against a natq sync task with a
// validated typed input, at 1 and 64 concurrent callers. Async: a raw
// JetStream consumer writing the 100 record and the final record to KV and
// acknowledging, with 64 handlers, against a natq async task at its default
// settings, each draining the same number of queued jobs. Then the
// in-process path (decode, validate, handler, encode) with allocations.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"time"

	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go"
)

type config struct {
	server   string
	duration time.Duration
	jobs     int
	callers  []int
	rounds   int
	only     string
	profile  string
}

func main() {
	var cfg config
	flag.StringVar(&cfg.server, "server", "", "NATS URL to use instead of an embedded server")
	flag.DurationVar(&cfg.duration, "duration", 3*time.Second, "how long each sync measurement runs")
	flag.IntVar(&cfg.jobs, "jobs", 20000, "async jobs queued for each async measurement")
	flag.IntVar(&cfg.rounds, "rounds", 3, "rounds of each measurement; the median is reported")
	flag.StringVar(&cfg.only, "only", "", `run only "sync" or "async"`)
	flag.StringVar(&cfg.profile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	cfg.callers = []int{1, 64}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(cfg config) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	url := cfg.server
	if url == "" {
		srv, err := natqtest.StartServer(natqtest.ServerConfig{}) // a temp store
		if err != nil {
			return err
		}
		defer srv.Shutdown()
		url = srv.URL()
	}
	fmt.Printf("natq bench: server %s, %d rounds (median), sync %v per run, %d async jobs per run\n\n",
		url, cfg.rounds, cfg.duration, cfg.jobs)

	connect := func(name string) (*nats.Conn, error) {
		return nats.Connect(url, nats.Name(name))
	}
	if cfg.profile != "" {
		f, err := os.Create(cfg.profile)
		if err != nil {
			return err
		}
		defer f.Close() //nolint:errcheck // a diagnostic file: nothing to do on failure
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	r := &report{}
	if cfg.only != "async" {
		if err := benchSync(ctx, cfg, connect, r); err != nil {
			return err
		}
	}
	if cfg.only != "sync" {
		if err := benchAsync(ctx, cfg, connect, r); err != nil {
			return err
		}
	}
	if cfg.only == "" {
		if err := benchMemory(ctx, connect, r); err != nil {
			return err
		}
	}
	benchInProcess(r)
	fmt.Print(r)
	return nil
}
