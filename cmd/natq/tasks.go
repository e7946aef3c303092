package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/natq/natq-go/natq"
	"github.com/spf13/cobra"
)

func (a *app) tasksCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tasks",
		Short: "List the tasks workers have published",
		Long: "tasks lists the task definitions in the tasks bucket: id, kind, and\n" +
			"whether input and output schemas are published.",
		Args: args(cobra.NoArgs),
		RunE: a.withClient(func(ctx context.Context, c *natq.Client, _ []string) error {
			infos, err := c.Tasks(ctx)
			if err != nil {
				return err
			}
			return a.printTasks(infos)
		}),
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show <task>",
		Short: "Show a task's definition with both schemas",
		Args:  args(cobra.ExactArgs(1)),
		RunE: a.withClient(func(ctx context.Context, c *natq.Client, argv []string) error {
			info, err := c.Task(ctx, argv[0])
			if err != nil {
				return err
			}
			return a.printTask(info)
		}),
	})
	return cmd
}

// taskJSON is a definition as --json prints it: the schemas as JSON
// objects rather than the strings they travel in.
type taskJSON struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	InputSchema  json.RawMessage `json:"inputSchema,omitempty"`
	OutputSchema json.RawMessage `json:"outputSchema,omitempty"`
}

func toJSON(info *natq.TaskInfo) taskJSON {
	t := taskJSON{ID: info.ID, Type: info.Definition.Type}
	if s := info.Definition.InputSchema; json.Valid([]byte(s)) {
		t.InputSchema = json.RawMessage(s)
	}
	if s := info.Definition.OutputSchema; json.Valid([]byte(s)) {
		t.OutputSchema = json.RawMessage(s)
	}
	return t
}

func (a *app) printTasks(infos []*natq.TaskInfo) error {
	if a.asJSON {
		list := make([]taskJSON, 0, len(infos))
		for _, info := range infos {
			list = append(list, toJSON(info))
		}
		return printJSON(a.stdout, list)
	}
	if len(infos) == 0 {
		_, err := fmt.Fprintln(a.stdout, "no tasks published: start a worker")
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	// The tabwriter keeps the first write error and Flush returns it.
	_, _ = fmt.Fprintln(tw, "ID\tTYPE\tINPUT SCHEMA\tOUTPUT SCHEMA")
	for _, info := range infos {
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", info.ID, info.Kind,
			yesNo(info.Definition.InputSchema != ""), yesNo(info.Definition.OutputSchema != ""))
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (a *app) printTask(info *natq.TaskInfo) error {
	if a.asJSON {
		return printJSON(a.stdout, toJSON(info))
	}
	a.printf("%s (%s)\n", info.ID, info.Kind)
	for _, s := range []struct{ name, doc string }{
		{"Input schema", info.Definition.InputSchema},
		{"Output schema", info.Definition.OutputSchema},
	} {
		if s.doc == "" {
			a.printf("\n%s: none published\n", s.name)
			continue
		}
		a.printf("\n%s:\n%s\n", s.name, pretty([]byte(s.doc)))
	}
	return nil
}
