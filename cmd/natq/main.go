// Command natq is the natq command line: a development server, discovery
// of the tasks workers publish, calls, enqueues and results, from a
// terminal or a script, and a benchmark of natq against hand-written
// nats.go code.
//
//	go install github.com/natq/natq-go/cmd/natq@latest
//	natq dev                              # a local NATS server with JetStream
//	natq tasks                            # what workers have published
//	natq call greet '{"name":"Ada"}'      # run a sync task
//	natq enqueue word-report @in.json --wait
//	natq bench                            # natq against raw nats.go, as ratios
//
// Run natq --help for every command, flag and exit code.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// The command owns its signals: Ctrl-C cancels the context, and each
	// command stops cleanly when it is cancelled.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := newApp(os.Stdin, os.Stdout, os.Stderr, os.Getenv).run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
