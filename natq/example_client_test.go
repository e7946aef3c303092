package natq_test

import (
	"context"
	"fmt"

	"github.com/natq/natq-go/natq"
)

// A gateway that knows no Go types discovers a task, then calls it with
// raw JSON, validating the input first as the worker would.
func ExampleClient_CallJSON() {
	nc, done := exampleServer()
	defer done()
	ctx := context.Background()

	w, _ := natq.NewWorker(nc)
	natq.Handle(w, Greet, func(_ context.Context, in GreetIn) (GreetOut, error) {
		return GreetOut{Message: "Hello, " + in.Name + "!"}, nil
	})
	if err := w.Start(ctx); err != nil {
		panic(err)
	}
	defer func() { _ = w.Stop(ctx) }()

	client, _ := natq.NewClient(nc, natq.WithValidation(true))
	tasks, _ := client.Tasks(ctx)
	for _, t := range tasks {
		fmt.Println(t.ID, t.Kind)
	}
	out, err := client.CallJSON(ctx, "greet", []byte(`{"name":"Ada"}`))
	fmt.Println(string(out), err)

	// Refused before it is sent, with the worker's own message.
	_, err = client.CallJSON(ctx, "greet", []byte(`{"name":"","nickname":"A"}`))
	fmt.Println(natq.StatusOf(err), err)
	// Output:
	// greet sync
	// {"message":"Hello, Ada!"} <nil>
	// 400 invalid input: (root): property "nickname" is not allowed; /name: length must be >= 1, but got 0
}

// A run's record tells a run in progress (100) from a finished one.
func ExampleRun_Record() {
	nc, done := exampleServer()
	defer done()
	ctx := context.Background()

	w, _ := natq.NewWorker(nc)
	natq.Handle(w, Shout, func(_ context.Context, in ShoutIn) (ShoutOut, error) {
		return ShoutOut{Text: in.Text + "!"}, nil
	})
	if err := w.Start(ctx); err != nil {
		panic(err)
	}
	defer func() { _ = w.Stop(ctx) }()

	client, _ := natq.NewClient(nc)
	run, _ := client.EnqueueJSON(ctx, "shout", []byte(`{"text":"hi","runId":"job-1"}`))
	if _, err := run.Wait(ctx); err != nil {
		panic(err)
	}
	rec, _ := run.Record(ctx)
	fmt.Println(rec.ID, rec.Status, rec.Final(), string(rec.Data))
	// Output:
	// job-1 200 true {"text":"hi!"}
}
