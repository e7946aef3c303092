package natq_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

type personIn struct {
	Name  string `json:"name" jsonschema:"minLength=1"`
	Age   int    `json:"age,omitempty" jsonschema:"minimum=0"`
	Email string `json:"email,omitempty" jsonschema:"format=email"`
}

var (
	checkedSync  = natq.NewTask[personIn, jobOut]("checked-sync", natq.Sync)
	checkedAsync = natq.NewTask[personIn, jobOut]("checked-async", natq.Async)
)

func personHandler(context.Context, personIn) (jobOut, error) { return jobOut{N: 1}, nil }

// refusals are inputs a worker refuses, for their envelope, their JSON or
// their schema.
var refusals = []struct {
	name, input string
	schemaOnly  bool // refused by the schema, so an async run records it
}{
	{"empty name", `{"name":""}`, true},
	{"several failures", `{"age":-1,"email":"nope","extra":true}`, true},
	{"wrong type", `{"name":7}`, true},
	{"valid envelope, bad fields", `{"runId":"v-1","dropResultOnSuccess":true,"name":""}`, true},
	{"bad run id", `{"runId":"a b","name":"x"}`, false},
	{"bad drop flag", `{"dropResultOnSuccess":"yes","name":"x"}`, false},
	{"not an object", `["x"]`, false},
	{"not JSON", `{"name":`, false},
}

// A client that validates refuses an input with the status and message the
// worker answers with, byte for byte.
func TestValidationMatchesTheWorker(t *testing.T) {
	t.Parallel()
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, checkedSync, personHandler)
		natq.Handle(w, checkedAsync, personHandler)
	})
	validating := natqtest.NewClient(t, env.Conn, natq.WithValidation(true))
	ctx := context.Background()
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := workerAnswer(t, env.Conn, tt.input)
			_, err := validating.CallJSON(ctx, checkedSync.ID(), []byte(tt.input))
			requireSame(t, "call", err, want)
			if !tt.schemaOnly {
				return
			}
			_, err = validating.EnqueueJSON(ctx, checkedAsync.ID(), []byte(tt.input))
			requireSame(t, "enqueue", err, want)
			run, err := env.Client.EnqueueJSON(ctx, checkedAsync.ID(), []byte(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			_, err = natqtest.WaitErr(run)
			requireSame(t, "async worker", err, want)
		})
	}
	_, err := checkedSync.Call(ctx, validating, personIn{Age: -2})
	requireSame(t, "typed call", err, workerAnswer(t, env.Conn, `{"name":"","age":-2}`))
	if _, err := checkedSync.Call(ctx, validating, personIn{Name: "Ada"}); err != nil {
		t.Errorf("valid typed call: %v", err)
	}
}

// workerAnswer sends input to the sync task over plain NATS and returns
// the worker's status and error.
func workerAnswer(t *testing.T, nc *nats.Conn, input string) *natq.Error {
	t.Helper()
	msg, err := nc.Request("natq.req."+checkedSync.ID(), []byte(input), natqtest.WaitTimeout)
	if err != nil {
		t.Fatal(err)
	}
	status, err := strconv.Atoi(msg.Header.Get("status"))
	if err != nil || status < 400 {
		t.Fatalf("the worker answered %s with status %q", input, msg.Header.Get("status"))
	}
	return &natq.Error{Status: status, Message: msg.Header.Get("error")}
}

func requireSame(t *testing.T, what string, err error, want *natq.Error) {
	t.Helper()
	var got *natq.Error
	if !errors.As(err, &got) {
		t.Fatalf("%s: got %v, want status %d %q", what, err, want.Status, want.Message)
	}
	if got.Status != want.Status || got.Message != want.Message {
		t.Errorf("%s: got %d %q, want %d %q", what, got.Status, got.Message, want.Status, want.Message)
	}
}

// The refusal happens in the producer: with no worker serving, an invalid
// input is refused and a valid one finds nobody to answer it.
func TestValidationIsLocal(t *testing.T) {
	t.Parallel()
	srv := natqtest.NewServer(t)
	nc := srv.Connect(t)
	w := natqtest.StartWorker(t, nc, func(w *natq.Worker) { natq.Handle(w, checkedSync, personHandler) })
	if err := w.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	plain := natqtest.NewClient(t, nc)
	validating := natqtest.NewClient(t, nc, natq.WithValidation(true))
	ctx := context.Background()
	bad, good := personIn{}, personIn{Name: "Ada"}

	tests := []struct {
		name   string
		c      *natq.Client
		in     personIn
		opts   []natq.CallOption
		status int // 0: ErrNoWorker, the input was sent
	}{
		{"client option refuses", validating, bad, nil, 400},
		{"valid input is sent", validating, good, nil, 0},
		{"call option refuses", plain, bad, []natq.CallOption{natq.WithValidation(true)}, 400},
		{"call option turns it off", validating, bad, []natq.CallOption{natq.WithValidation(false)}, 0},
		{"off by default", plain, bad, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := checkedSync.Call(ctx, tt.c, tt.in, tt.opts...)
			if tt.status == 0 {
				if !errors.Is(err, natq.ErrNoWorker) {
					t.Errorf("got %v, want ErrNoWorker", err)
				}
				return
			}
			natqtest.RequireError(t, err, tt.status, "/name")
		})
	}
}

// A task published without an input schema, as another SDK may do, is
// sent without validation.
func TestValidationWithoutSchema(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	putDefinition(t, env.Conn, "bare", `{"id":"bare","type":"sync"}`)
	c := natqtest.NewClient(t, env.Conn, natq.WithValidation(true))
	_, err := c.CallJSON(context.Background(), "bare", []byte(`{"anything":1}`))
	if !errors.Is(err, natq.ErrNoWorker) || errors.Is(err, natq.ErrUnknownTask) {
		t.Errorf("got %v, want ErrNoWorker alone", err)
	}
}

// putDefinition writes a task definition by hand, as a peer would.
func putDefinition(t *testing.T, nc *nats.Conn, key, doc string) {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	kv, err := js.KeyValue(ctx, natq.DefaultNames.TasksBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, key, []byte(doc)); err != nil {
		t.Fatal(err)
	}
}
