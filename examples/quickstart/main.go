// Command quickstart shows natq end to end on an embedded NATS server: a
// worker serving one sync and one async typed task, and a producer that
// calls the first, enqueues the second and waits for it, then sends an
// input that fails validation.
//
//	go run ./examples/quickstart
//
// With NATS_URL set it only serves the two tasks on that server, until
// interrupted, for producers in other processes: the natq command, or a
// program in another language (see docs/cli.md and docs/cross-language.md).
//
//	natq dev &
//	NATS_URL=nats://127.0.0.1:4222 go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go"
)

// GreetIn is the input of the sync task.
type GreetIn struct {
	Name string `json:"name" jsonschema:"minLength=1"`
}

// GreetOut is its output.
type GreetOut struct {
	Message string `json:"message"`
}

// ReportIn is the input of the async task.
type ReportIn struct {
	Words []string `json:"words" jsonschema:"minItems=1"`
	Upper bool     `json:"upper,omitempty"`
}

// ReportOut is its output.
type ReportOut struct {
	Count   int    `json:"count"`
	Longest string `json:"longest"`
}

// The tasks, declared once for the worker and the producer alike.
var (
	Greet  = natq.NewTask[GreetIn, GreetOut]("greet", natq.Sync)
	Report = natq.NewTask[ReportIn, ReportOut]("word-report", natq.Async,
		natq.WithTimeout(10*time.Second))
)

func greet(_ context.Context, in GreetIn) (GreetOut, error) {
	return GreetOut{Message: "Hello, " + in.Name + "!"}, nil
}

func report(ctx context.Context, in ReportIn) (ReportOut, error) {
	info, _ := natq.RunInfoFromContext(ctx)
	fmt.Printf("  worker: run %s, attempt %d\n", info.RunID, info.Attempt)
	out := ReportOut{Count: len(in.Words)}
	for _, w := range in.Words {
		if len(w) > len(out.Longest) {
			out.Longest = w
		}
	}
	if in.Upper {
		out.Longest = strings.ToUpper(out.Longest)
	}
	return out, nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run() error {
	if url := os.Getenv("NATS_URL"); url != "" {
		return serve(url)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// An embedded nats-server with JetStream, on 127.0.0.1.
	srv, err := natqtest.StartServer(natqtest.ServerConfig{}) // a temp store
	if err != nil {
		return err
	}
	defer srv.Shutdown()
	fmt.Println("embedded NATS server at", srv.URL())

	nc, err := nats.Connect(srv.URL())
	if err != nil {
		return err
	}
	defer nc.Close()

	// The worker.
	w, err := natq.NewWorker(nc)
	if err != nil {
		return err
	}
	natq.Handle(w, Greet, greet)
	natq.Handle(w, Report, report)
	if err := w.Start(ctx); err != nil {
		return err
	}
	defer w.Stop(ctx) //nolint:errcheck // the example is exiting anyway

	// The producer.
	client, err := natq.NewClient(nc)
	if err != nil {
		return err
	}
	return produce(ctx, client)
}

// serve runs the worker on the server at url until interrupted.
func serve(url string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	nc, err := nats.Connect(url, nats.Name("natq-quickstart"))
	if err != nil {
		return fmt.Errorf("connect to %s: %w", url, err)
	}
	defer nc.Close()
	w, err := natq.NewWorker(nc)
	if err != nil {
		return err
	}
	natq.Handle(w, Greet, greet)
	natq.Handle(w, Report, report)
	if err := w.Start(ctx); err != nil {
		return err
	}
	fmt.Printf("serving %s and %s on %s until interrupted\n", Greet.ID(), Report.ID(), url)
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), natq.DefaultShutdownTimeout)
	defer cancel()
	return w.Stop(stopCtx)
}

func produce(ctx context.Context, client *natq.Client) error {
	in := GreetIn{Name: "Ada"}
	fmt.Printf("call %s %+v\n", Greet.ID(), in)
	out, err := Greet.Call(ctx, client, in)
	if err != nil {
		return err
	}
	fmt.Printf("  result: %+v\n", out)

	rin := ReportIn{Words: []string{"typed", "tasks", "on", "nats"}, Upper: true}
	fmt.Printf("enqueue %s %+v\n", Report.ID(), rin)
	run, err := Report.Enqueue(ctx, client, rin, natq.WithRunID("report-1"))
	if err != nil {
		return err
	}
	rout, err := run.Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("  result of run %s: %+v\n", run.ID, rout)

	bad := GreetIn{Name: ""}
	fmt.Printf("call %s %+v\n", Greet.ID(), bad)
	_, err = Greet.Call(ctx, client, bad)
	var nerr *natq.Error
	if !errors.As(err, &nerr) {
		return fmt.Errorf("an empty name was accepted: %w", err)
	}
	fmt.Printf("  refused with status %d: %s\n", nerr.Status, nerr.Message)
	return nil
}
