package natq_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go/jetstream"
)

// A run whose attempts run out is kept, input and all, in the dead-letter
// stream; once the cause is fixed, Redrive queues it again and it succeeds.
func TestDeadLetterAndRedrive(t *testing.T) {
	t.Parallel()
	task := natq.NewTask[jobIn, jobOut]("fragile", natq.Async, natq.WithMaxAttempts(2),
		natq.WithBackoff(func(int) time.Duration { return 10 * time.Millisecond }))
	var fixed atomic.Bool
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, task, func(_ context.Context, in jobIn) (jobOut, error) {
			if !fixed.Load() {
				return jobOut{}, natq.NewError(503, "dependency down")
			}
			return jobOut{N: in.N}, nil
		})
	}, natq.WithDeadLetter(natq.DefaultDeadLetter))
	run := natqtest.Enqueue(t, env.Client, task, jobIn{N: 9}, natq.WithRunID("fragile-1"))
	_, err := natqtest.WaitErr(run)
	natqtest.RequireError(t, err, 503, "attempts exhausted (2): dependency down")

	js, err := jetstream.New(env.Conn)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	stream, err := js.Stream(ctx, natq.DefaultDeadLetter.Stream)
	if err != nil {
		t.Fatal(err)
	}
	dead, err := stream.GetLastMsgForSubject(ctx, natq.DefaultDeadLetter.Prefix+".fragile")
	if err != nil {
		t.Fatalf("no dead letter: %v", err)
	}
	var input map[string]any
	if err := json.Unmarshal(dead.Data, &input); err != nil || input["runId"] != "fragile-1" || input["n"] != 9.0 {
		t.Errorf("dead letter body %s, want the job's input", dead.Data)
	}
	for header, want := range map[string]string{
		natq.HeaderDeadRunID: "fragile-1", natq.HeaderDeadTaskID: "fragile",
		natq.HeaderDeadStatus: "503", natq.HeaderDeadAttempts: "2",
	} {
		if got := dead.Header.Get(header); got != want {
			t.Errorf("header %s: got %q, want %q", header, got, want)
		}
	}
	if got := dead.Header.Get(natq.HeaderDeadError); !strings.Contains(got, "dependency down") {
		t.Errorf("header %s: got %q", natq.HeaderDeadError, got)
	}

	fixed.Store(true)
	n, err := env.Client.Redrive(ctx, natq.DefaultDeadLetter, "fragile")
	if err != nil || n != 1 {
		t.Fatalf("redrive: got %d, %v; want 1", n, err)
	}
	waitStatus(t, env, "fragile.fragile-1", 200)
	info, err := stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 0 {
		t.Errorf("dead-letter stream holds %d messages after the redrive, want 0", info.State.Msgs)
	}
}

// waitStatus waits until a result key holds a record with status.
func waitStatus(t *testing.T, env *natqtest.Env, key string, status int) {
	t.Helper()
	waitKey(t, env.Conn, key, fmt.Sprintf("at status %d", status), func(e jetstream.KeyValueEntry) bool {
		var rec struct{ Status int }
		return e.Operation() == jetstream.KeyValuePut && json.Unmarshal(e.Value(), &rec) == nil && rec.Status == status
	})
}
