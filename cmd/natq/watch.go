package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/spf13/cobra"
)

func (a *app) watchCommand() *cobra.Command {
	var updatesOnly bool
	cmd := &cobra.Command{
		Use:   "watch <task>",
		Short: "Follow a task's results as they change",
		Long: "watch prints the records of a task's runs, the current ones first,\n" +
			"then each change as it happens, until Ctrl-C. Each line holds the\n" +
			"time, the run id, the status and the data or error; a deleted record\n" +
			"(a result dropped on success) shows as deleted. With --json each\n" +
			"change is one JSON object per line.",
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			c, err := a.connect()
			if err != nil {
				return err
			}
			var opts []natq.WatchOption
			if updatesOnly {
				opts = append(opts, natq.WithUpdatesOnly())
			}
			for u, err := range c.Watch(cmd.Context(), argv[0], opts...) {
				if err != nil {
					return err
				}
				if err := a.printUpdate(u); err != nil {
					return err
				}
			}
			return nil // Ctrl-C: a clean stop
		},
	}
	cmd.Flags().BoolVar(&updatesOnly, "new", false, "skip the current records: show only changes from now on")
	return cmd
}

// deletedJSON is the line of watch --json for a deleted record.
type deletedJSON struct {
	ID      string `json:"id"`
	TaskID  string `json:"taskId"`
	Deleted bool   `json:"deleted"`
}

func (a *app) printUpdate(u natq.RunUpdate) error {
	if a.asJSON {
		var line any = deletedJSON{ID: u.RunID, TaskID: u.TaskID, Deleted: true}
		if u.Record != nil {
			line = recordJSON(*u.Record)
		}
		b, err := json.Marshal(line)
		if err != nil {
			return err
		}
		_, err = a.stdout.Write(append(b, '\n'))
		return err
	}
	at := time.Now().Format(time.TimeOnly)
	var what string
	switch rec := u.Record; {
	case rec == nil:
		what = "deleted"
	case !rec.Final():
		what = "100 processing"
	case rec.Error != "":
		what = fmt.Sprintf("%d %s", rec.Status, rec.Error)
	default:
		what = fmt.Sprintf("%d %s", rec.Status, rec.Data)
	}
	_, err := fmt.Fprintf(a.stdout, "%s  %s  %s\n", at, u.RunID, what)
	return err
}
