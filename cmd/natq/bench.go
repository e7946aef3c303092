package main

import (
	"context"
	"errors"

	"github.com/natq/natq-go/internal/bench"
	"github.com/spf13/cobra"
)

func (a *app) benchCommand() *cobra.Command {
	cfg := bench.Config{
		Rounds:   bench.DefaultRounds,
		Duration: bench.DefaultDuration,
		Jobs:     bench.DefaultJobs,
	}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure natq against hand-written nats.go code and print the ratios",
		Long: "bench runs the same protocol work through natq and through hand-written\n" +
			"nats.go code on one server, and prints each natq figure beside the raw\n" +
			"one with their ratio: sync calls at 1 and 64 callers with p50 and p99\n" +
			"latency, async jobs drained end to end, the heap of a worker with 1 000\n" +
			"runs in flight, and the in-process path with its allocations.\n\n" +
			"It starts an embedded server on 127.0.0.1 unless --server names one, with\n" +
			"the other connection flags. $NATS_URL is not read, so that a bench never\n" +
			"lands on a server by accident: on a server of yours it leaves the\n" +
			"streams, consumers and buckets it made.",
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.bench(cmd.Context(), cfg)
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&cfg.Rounds, "rounds", cfg.Rounds, "rounds of each measurement; the median is reported")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "how long each sync measurement runs")
	fs.IntVar(&cfg.Jobs, "jobs", cfg.Jobs, "async jobs queued for each async measurement")
	fs.StringVar(&cfg.Only, "only", "",
		`run only the "sync" or the "async" measurements, and the in-process one`)
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "",
		"write a CPU profile of the whole run to this file")
	return cmd
}

// bench runs the measurements on the embedded server, or on the one
// --server names.
func (a *app) bench(ctx context.Context, cfg bench.Config) error {
	if a.asJSON {
		return usageError{errors.New("bench prints text only: --json is not supported")}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	if a.conn.server != "" {
		c := a.conn.resolve(a.getenv)
		opts, err := c.options()
		if err != nil {
			return err
		}
		cfg.Server, cfg.Options = c.server, opts
	}
	if a.terminal(a.stdout) {
		cfg.Progress = a.stdout
	}
	return bench.Run(ctx, cfg, a.stdout)
}
