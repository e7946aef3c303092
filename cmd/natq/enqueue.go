package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/spf13/cobra"
)

func (a *app) enqueueCommand() *cobra.Command {
	var (
		p           produceFlags
		wait, drop  bool
		waitTimeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "enqueue <task> [json | @file | -]",
		Short: "Enqueue an async task, and optionally wait for its result",
		Long: "enqueue publishes a run of an async task and prints its id. The input\n" +
			"is given as to call. The same --run-id enqueued twice within the\n" +
			"stream's duplicate window runs once.\n\n" +
			"With --wait it then waits for the final result and prints it as call\n" +
			"does; on a terminal a status line shows the run while it is queued\n" +
			"and processing. Ctrl-C stops waiting, not the run.",
		Args: args(cobra.RangeArgs(1, 2)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			input, c, err := a.produce(argv[1:])
			if err != nil {
				return err
			}
			var opts []natq.EnqueueOption
			for _, o := range p.options() {
				opts = append(opts, o)
			}
			if drop {
				opts = append(opts, natq.WithDropResultOnSuccess())
			}
			ctx, cancel := a.bounded(cmd.Context())
			run, err := c.EnqueueJSON(ctx, argv[0], input, opts...)
			cancel()
			var serr *natq.Error
			if errors.As(err, &serr) {
				// Refused before it was queued: named as call names its
				// refusals.
				return &runError{what: "enqueue " + argv[0], err: serr}
			}
			if err != nil {
				return err
			}
			defer run.Stop()
			if !wait {
				return a.printEnqueued(run)
			}
			return a.wait(cmd.Context(), run, waitTimeout)
		},
	}
	p.register(cmd, "the run's id, the key of its result (default: a new ULID)")
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for the run's final result and print it")
	cmd.Flags().DurationVar(&waitTimeout, "wait-timeout", 0, "give up waiting after this long (default: no limit)")
	cmd.Flags().BoolVar(&drop, "drop-result", false,
		"ask the worker to delete the result once the run succeeds (dropResultOnSuccess)")
	return cmd
}

func (a *app) printEnqueued(run *natq.Run[json.RawMessage]) error {
	if a.asJSON {
		return printJSON(a.stdout, map[string]string{"id": run.ID, "taskId": run.TaskID})
	}
	_, err := fmt.Fprintf(a.stdout, "enqueued run %s of %s\n", run.ID, run.TaskID)
	return err
}

// wait follows a run to its final record, drawing the status line, and
// prints the record.
func (a *app) wait(ctx context.Context, run *natq.Run[json.RawMessage], limit time.Duration) error {
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	line := newStatusLine(a.stdout, !a.asJSON && a.terminal(a.stdout))
	rec, err := follow(ctx, run, line)
	line.clear()
	if err != nil {
		return fmt.Errorf("%w\nthe run goes on; read it later with: natq result %s %s", err, run.TaskID, run.ID)
	}
	return a.printRecord(rec, "")
}
