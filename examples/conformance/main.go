// Command conformance runs a natq worker that serves the protocol's
// conformance task set, for the testers of the natq SDKs.
//
// It connects to $NATS_URL when set. Otherwise it starts an embedded
// nats-server with JetStream on 127.0.0.1, in a temporary directory, and
// prints its URL. It serves until interrupted.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	url := os.Getenv("NATS_URL")
	if url == "" {
		srv, err := natqtest.StartServer(natqtest.ServerConfig{}) // a temp store
		if err != nil {
			return err
		}
		defer srv.Shutdown()
		url = srv.URL()
		fmt.Println("embedded NATS server at", url)
	}

	nc, err := nats.Connect(url, nats.Name("natq-conformance"))
	if err != nil {
		return fmt.Errorf("connect to %s: %w", url, err)
	}
	defer nc.Close()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	w, err := natq.NewWorker(nc, natq.WithLogger(logger))
	if err != nil {
		return err
	}
	register(w)
	if err := w.Start(ctx); err != nil {
		return err
	}
	fmt.Println("serving the conformance tasks on", url)
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), natq.DefaultShutdownTimeout)
	defer cancel()
	return w.Stop(stopCtx)
}
