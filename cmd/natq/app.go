package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/nats-io/nats.go"
	"github.com/spf13/cobra"
)

// app is one run of the command: its streams, its global flags, and the
// connection it opens on demand.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// terminal tells whether a writer is a terminal, where a live status
	// line may be drawn. Tests replace it.
	terminal func(io.Writer) bool

	conn    connFlags
	asJSON  bool
	timeout time.Duration

	nc     *nats.Conn
	client *natq.Client
	// werr is the first failed write to stdout, reported at the end.
	werr error
}

func newApp(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, terminal: isTerminal}
}

// run runs the command line args and returns the exit code.
func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCommand()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if a.nc != nil {
		a.nc.Close()
	}
	if err == nil && a.werr != nil {
		err = fmt.Errorf("write output: %w", a.werr)
	}
	if err != nil {
		// Nowhere is left to report a failure to write this.
		_, _ = fmt.Fprintln(a.stderr, errorLine(root, err))
	}
	return exitCode(err)
}

// printf writes to standard output. A failed write (a closed pipe, a full
// disk) is kept and fails the command when it ends; later writes are
// skipped.
func (a *app) printf(format string, args ...any) {
	if a.werr == nil {
		_, a.werr = fmt.Fprintf(a.stdout, format, args...)
	}
}

// connect opens the connection and the client, once.
func (a *app) connect() (*natq.Client, error) {
	if a.client != nil {
		return a.client, nil
	}
	nc, err := a.conn.connect(a.getenv)
	if err != nil {
		return nil, err
	}
	c, err := natq.NewClient(nc, natq.WithCallTimeout(a.timeout))
	if err != nil {
		nc.Close()
		return nil, err
	}
	a.nc, a.client = nc, c
	return c, nil
}

// bounded returns ctx bounded by the --timeout flag.
func (a *app) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, a.timeout)
}

// withClient makes the body of a command that asks the server one
// bounded thing: it connects, bounds the context by --timeout and runs fn.
func (a *app) withClient(
	fn func(ctx context.Context, c *natq.Client, argv []string) error,
) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, argv []string) error {
		c, err := a.connect()
		if err != nil {
			return err
		}
		ctx, cancel := a.bounded(cmd.Context())
		defer cancel()
		return fn(ctx, c, argv)
	}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// rootCommand builds the command tree.
func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "natq",
		Short: "Discover, call and enqueue natq tasks over NATS",
		Long: "natq talks to natq workers over NATS: it lists the tasks they publish,\n" +
			"calls sync tasks, enqueues async tasks and reads their results. natq dev\n" +
			"runs a local NATS server with JetStream to try it all; natq bench\n" +
			"measures natq against hand-written nats.go code.\n\n" + exitCodesHelp,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	flags := root.PersistentFlags()
	a.conn.register(flags)
	flags.BoolVar(&a.asJSON, "json", false, "print JSON for scripts instead of text")
	flags.DurationVar(&a.timeout, "timeout", natq.DefaultCallTimeout,
		"how long to wait for the server or a sync task's reply")
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if a.timeout <= 0 {
			return usageError{fmt.Errorf("--timeout must be positive, got %v", a.timeout)}
		}
		return nil
	}
	root.AddCommand(
		a.devCommand(),
		a.tasksCommand(),
		a.schemaCommand(),
		a.callCommand(),
		a.enqueueCommand(),
		a.resultCommand(),
		a.watchCommand(),
		a.benchCommand(),
	)
	return root
}

// args wraps a cobra argument check so that its failure is a usage error.
func args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}
