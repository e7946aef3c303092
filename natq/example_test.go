package natq_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go"
)

type GreetIn struct {
	Name string `json:"name" jsonschema:"minLength=1"`
}

type GreetOut struct {
	Message string `json:"message"`
}

type ShoutIn struct {
	Text string `json:"text"`
}

type ShoutOut struct {
	Text string `json:"text"`
}

var (
	Greet = natq.NewTask[GreetIn, GreetOut]("greet", natq.Sync)
	Shout = natq.NewTask[ShoutIn, ShoutOut]("shout", natq.Async)
)

// exampleServer starts an embedded server for an example and returns a
// connection to it and a function that tears both down.
func exampleServer() (*nats.Conn, func()) {
	srv, err := natqtest.StartServer(natqtest.ServerConfig{})
	if err != nil {
		panic(err)
	}
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		panic(err)
	}
	return nc, func() {
		nc.Close()
		srv.Shutdown()
	}
}

func Example() {
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

	client, _ := natq.NewClient(nc)
	out, err := Greet.Call(ctx, client, GreetIn{Name: "Ada"})
	fmt.Println(out.Message, err)

	_, err = Greet.Call(ctx, client, GreetIn{})
	fmt.Println(natq.StatusOf(err), err)
	// Output:
	// Hello, Ada! <nil>
	// 400 invalid input: /name: length must be >= 1, but got 0
}

func ExampleTask_Enqueue() {
	nc, done := exampleServer()
	defer done()
	ctx := context.Background()

	w, _ := natq.NewWorker(nc)
	natq.Handle(w, Shout, func(ctx context.Context, in ShoutIn) (ShoutOut, error) {
		info, _ := natq.RunInfoFromContext(ctx)
		fmt.Println("running", info.RunID, "attempt", info.Attempt)
		return ShoutOut{Text: strings.ToUpper(in.Text)}, nil
	})
	if err := w.Start(ctx); err != nil {
		panic(err)
	}
	defer func() { _ = w.Stop(ctx) }()

	client, _ := natq.NewClient(nc)
	run, err := Shout.Enqueue(ctx, client, ShoutIn{Text: "hello"}, natq.WithRunID("order-42"))
	if err != nil {
		panic(err)
	}
	out, err := run.Wait(ctx)
	fmt.Println(out.Text, err)
	// Output:
	// running order-42 attempt 1
	// HELLO <nil>
}

func ExampleBadRequest() {
	check := func(_ context.Context, in GreetIn) (GreetOut, error) {
		if in.Name == "Bob" {
			return GreetOut{}, natq.BadRequest("Bob is not welcome")
		}
		if in.Name == "Eve" {
			return GreetOut{}, errors.New("lookup failed")
		}
		return GreetOut{Message: "Hi " + in.Name}, nil
	}
	for _, name := range []string{"Ada", "Bob", "Eve"} {
		rec := natq.Invoke(context.Background(), Greet, check, []byte(`{"name":"`+name+`"}`))
		fmt.Println(rec.Status, string(rec.Data)+rec.Error)
	}
	// Output:
	// 200 {"message":"Hi Ada"}
	// 400 Bob is not welcome
	// 500 Unhandled exception: lookup failed
}
