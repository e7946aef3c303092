package natqtest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

type addIn struct {
	A int `json:"a"`
	B int `json:"b"`
}

type addOut struct {
	Sum int `json:"sum"`
}

var (
	add      = natq.NewTask[addIn, addOut]("add", natq.Sync)
	addLater = natq.NewTask[addIn, addOut]("add-later", natq.Async)
)

func addHandler(_ context.Context, in addIn) (addOut, error) {
	if in.A < 0 {
		return addOut{}, natq.BadRequest("a is negative")
	}
	return addOut{Sum: in.A + in.B}, nil
}

func TestEnvServesBothKinds(t *testing.T) {
	t.Parallel()
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, add, addHandler)
		natq.Handle(w, addLater, addHandler)
	})
	if got := natqtest.Call(t, env.Client, add, addIn{A: 1, B: 2}); got.Sum != 3 {
		t.Errorf("call: got %d, want 3", got.Sum)
	}
	run := natqtest.Enqueue(t, env.Client, addLater, addIn{A: 4, B: 5})
	if got := natqtest.Wait(t, run); got.Sum != 9 {
		t.Errorf("enqueue: got %d, want 9", got.Sum)
	}
	_, err := add.Call(context.Background(), env.Client, addIn{A: -1})
	natqtest.RequireError(t, err, 400, "a is negative")
	if !strings.HasPrefix(env.Server.URL(), "nats://127.0.0.1:") {
		t.Errorf("server URL %q is not on 127.0.0.1", env.Server.URL())
	}
}

func TestInvoke(t *testing.T) {
	t.Parallel()
	res := natqtest.Invoke(t, add, addHandler, addIn{A: 2, B: 3})
	if res.Status != 200 || res.Data.Sum != 5 || res.Error != "" {
		t.Errorf("got %+v, want 200 with sum 5", res)
	}
	res = natqtest.InvokeJSON(t, add, addHandler, []byte(`{"a":"x","b":1}`))
	if res.Status != 400 || !strings.Contains(res.Error, "/a") {
		t.Errorf("got %+v, want 400 naming /a", res)
	}
	res = natqtest.InvokeJSON(t, add, addHandler, []byte(`{"runId":"r-1","a":1,"b":1}`))
	if res.RunID != "r-1" || res.Data.Sum != 2 {
		t.Errorf("got %+v, want run r-1 with sum 2", res)
	}
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
}

func TestRequireStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		status int
		fail   string
	}{
		{"match", natq.BadRequest("x"), 400, ""},
		{"nil is 200", nil, 200, ""},
		{"plain error is 500", errors.New("x"), 500, ""},
		{"mismatch", natq.BadRequest("x"), 500, "natq: got status 400 (x), want 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &recorder{TB: t}
			natqtest.RequireStatus(r, tt.err, tt.status)
			if r.failed != tt.fail {
				t.Errorf("got failure %q, want %q", r.failed, tt.fail)
			}
		})
	}
}

func TestRequireError(t *testing.T) {
	t.Parallel()
	r := &recorder{TB: t}
	natqtest.RequireError(r, natq.BadRequest("name is empty"), 400, "empty")
	if r.failed != "" {
		t.Errorf("matching error failed: %q", r.failed)
	}
	natqtest.RequireError(r, natq.BadRequest("name is empty"), 400, "missing")
	if want := `natq: got error "name is empty", want one containing "missing"`; r.failed != want {
		t.Errorf("got failure %q, want %q", r.failed, want)
	}
}
