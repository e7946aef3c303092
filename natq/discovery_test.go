package natq_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
)

func TestDiscovery(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	ctx := context.Background()

	infos, err := env.Client.Tasks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, info := range infos {
		got = append(got, info.ID+":"+info.Kind.String())
	}
	if diff := cmp.Diff([]string{"async-job:async", "sync-job:sync"}, got); diff != "" {
		t.Errorf("tasks (-want +got):\n%s", diff)
	}

	info, err := env.Client.Task(ctx, syncJob.ID())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(syncJob.Definition(), info.Definition); diff != "" {
		t.Errorf("definition (-want +got):\n%s", diff)
	}
	if info.Revision == 0 {
		t.Error("got revision 0")
	}
	in, err := info.InputSchema()
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Validate(map[string]any{"n": "x"}); err == nil || !strings.Contains(err.Error(), "/n") {
		t.Errorf("published input schema: got %v, want a failure at /n", err)
	}
	out, err := info.OutputSchema()
	if err != nil || out == nil {
		t.Fatalf("output schema: got %v, %v", out, err)
	}
}

// Definitions written by peers: without schemas, or with one that does
// not compile.
func TestDiscoveryOfPeerDefinitions(t *testing.T) {
	t.Parallel()
	env := startJobs(t)
	ctx := context.Background()
	putDefinition(t, env.Conn, "bare", `{"id":"bare","type":"async"}`)
	putDefinition(t, env.Conn, "broken", `{"id":"broken","type":"sync","inputSchema":"{\"type\":7}"}`)

	bare, err := env.Client.Task(ctx, "bare")
	if err != nil || bare.Kind != natq.Async {
		t.Fatalf("got %+v, %v; want an async task", bare, err)
	}
	if s, err := bare.InputSchema(); s != nil || err != nil {
		t.Errorf("no input schema: got %v, %v; want nil, nil", s, err)
	}
	broken, err := env.Client.Task(ctx, "broken")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := broken.InputSchema(); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("got %v, want an error naming the task", err)
	}
	c := natqtest.NewClient(t, env.Conn, natq.WithValidation(true))
	if _, err := c.CallJSON(ctx, "broken", []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "published input schema") {
		t.Errorf("validating against a broken schema: got %v", err)
	}

	putDefinition(t, env.Conn, "garbage", `{"id":"garbage","type":"batch"}`)
	if _, err := env.Client.Tasks(ctx); err == nil || !strings.Contains(err.Error(), "garbage") {
		t.Errorf("got %v, want an error naming the bad definition", err)
	}
	if _, err := env.Client.Task(ctx, "no.dots"); err == nil || errors.Is(err, natq.ErrUnknownTask) {
		t.Errorf("invalid id: got %v, want an error about the id", err)
	}
}
