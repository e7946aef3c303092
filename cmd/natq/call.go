package main

import (
	"encoding/json"
	"errors"

	"github.com/natq/natq-go/codec"
	"github.com/natq/natq-go/natq"
	"github.com/spf13/cobra"
)

// produceFlags are the flags of call and enqueue.
type produceFlags struct {
	runID    string
	validate bool
}

// register adds the flags to cmd; runIDHelp says what a run id is for
// there and what the default is.
func (p *produceFlags) register(cmd *cobra.Command, runIDHelp string) {
	cmd.Flags().StringVar(&p.runID, "run-id", "", runIDHelp)
	cmd.Flags().BoolVar(&p.validate, "validate", false,
		"validate the input against the published schema before sending it")
}

func (p *produceFlags) options() []natq.ProduceOption {
	opts := []natq.ProduceOption{natq.WithValidation(p.validate)}
	if p.runID != "" {
		opts = append(opts, natq.WithRunID(p.runID))
	}
	return opts
}

func (a *app) callCommand() *cobra.Command {
	var p produceFlags
	cmd := &cobra.Command{
		Use:   "call <task> [json | @file | -]",
		Short: "Run a sync task and print its result",
		Long: "call sends the input to a sync task and prints the result's data. The\n" +
			"input is JSON itself, @file for a file's content, or - for standard\n" +
			"input; none is {}. A failed run prints its status and error on\n" +
			"standard error and exits non-zero. With --json the reply is printed\n" +
			"as a record: {\"taskId\", \"status\", \"data\" or \"error\"}.",
		Args: args(cobra.RangeArgs(1, 2)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			input, c, err := a.produce(argv[1:])
			if err != nil {
				return err
			}
			var opts []natq.CallOption
			for _, o := range p.options() {
				opts = append(opts, o)
			}
			data, err := c.CallJSON(cmd.Context(), argv[0], input, opts...)
			return a.printCall(argv[0], p.runID, data, err)
		},
	}
	p.register(cmd, "the run's id, which the handler sees (default: the worker makes one)")
	return cmd
}

// printCall prints a call's outcome and returns its error.
func (a *app) printCall(taskID, runID string, data json.RawMessage, err error) error {
	var serr *natq.Error
	switch {
	case err == nil:
		rec := &codec.Record{ID: runID, TaskID: taskID, Status: codec.StatusOK, Data: data}
		return a.printRecord(rec, "call "+taskID)
	case errors.As(err, &serr) && serr.Status != codec.StatusProcessing:
		// The worker's answer, or the one it would give: print it as a
		// record, so that --json shows it and the exit code follows it.
		rec := &codec.Record{ID: runID, TaskID: taskID, Status: serr.Status, Error: serr.Message}
		return a.printRecord(rec, "call "+taskID)
	default:
		return err
	}
}
