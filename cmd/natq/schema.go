package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/natq/natq-go/natq"
	"github.com/spf13/cobra"
)

func (a *app) schemaCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Work with the published JSON Schemas",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "export <dir>",
		Short: "Write every task's schemas to files, for code generators",
		Long: "export writes each published schema to <dir>, creating it if needed:\n" +
			"<task>.input.schema.json and <task>.output.schema.json, indented, as\n" +
			"draft 2020-12 documents. Feed them to a code generator of another\n" +
			"language (quicktype, datamodel-code-generator, json-schema-to-typescript).\n" +
			"Existing files of the same names are replaced.",
		Args: args(cobra.ExactArgs(1)),
		RunE: a.withClient(func(ctx context.Context, c *natq.Client, argv []string) error {
			infos, err := c.Tasks(ctx)
			if err != nil {
				return err
			}
			files, err := exportSchemas(argv[0], infos)
			if a.asJSON {
				if perr := printJSON(a.stdout, files); perr != nil && err == nil {
					err = perr
				}
				return err
			}
			for _, f := range files {
				a.printf("%s\n", f)
			}
			return err
		}),
	})
	return cmd
}

// exportSchemas writes the schemas of infos to dir and returns the paths
// written.
func exportSchemas(dir string, infos []*natq.TaskInfo) ([]string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	files := []string{}
	for _, info := range infos {
		for _, s := range []struct{ which, doc string }{
			{"input", info.Definition.InputSchema},
			{"output", info.Definition.OutputSchema},
		} {
			if s.doc == "" {
				continue
			}
			// Task ids are letters, digits, '-' and '_': safe file names.
			path := filepath.Join(dir, info.ID+"."+s.which+".schema.json")
			if err := os.WriteFile(path, append(pretty([]byte(s.doc)), '\n'), 0o640); err != nil {
				return files, fmt.Errorf("write %s: %w", path, err)
			}
			files = append(files, path)
		}
	}
	return files, nil
}
