// Command bench measures natq against hand-written nats.go code doing the
// same protocol work and prints each natq figure as a ratio of the raw one;
// see internal/bench for what it compares.
//
//	go run ./examples/bench                       # embedded server
//	go run ./examples/bench -server nats://127.0.0.1:4222 -jobs 50000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/natq/natq-go/internal/bench"
)

func main() {
	cfg := bench.Config{
		Rounds:   bench.DefaultRounds,
		Duration: bench.DefaultDuration,
		Jobs:     bench.DefaultJobs,
	}
	flag.StringVar(&cfg.Server, "server", "", "NATS URL to use instead of an embedded server")
	flag.DurationVar(&cfg.Duration, "duration", cfg.Duration, "how long each sync measurement runs")
	flag.IntVar(&cfg.Jobs, "jobs", cfg.Jobs, "async jobs queued for each async measurement")
	flag.IntVar(&cfg.Rounds, "rounds", cfg.Rounds, "rounds of each measurement; the median is reported")
	flag.StringVar(&cfg.Only, "only", "", `run only "sync" or "async"`)
	flag.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		cfg.Progress = os.Stdout
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := bench.Run(ctx, cfg, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
