package main

import (
	"context"

	"github.com/natq/natq-go/natq"
	"github.com/spf13/cobra"
)

func (a *app) resultCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "result <task> <run-id>",
		Short: "Print a run's current record",
		Long: "result reads a run's record from the results bucket. A finished run\n" +
			"prints like call and exits by its status; a run still processing\n" +
			"(status 100) says so and exits 0; a run with no record exits 7.\n" +
			"With --json the record is printed as stored.",
		Args: args(cobra.ExactArgs(2)),
		RunE: a.withClient(func(ctx context.Context, c *natq.Client, argv []string) error {
			rec, err := c.RunOf(argv[0], argv[1]).Record(ctx)
			if err != nil {
				return err
			}
			return a.printRecord(rec, "")
		}),
	}
}
