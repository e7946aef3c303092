package natq_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go/jetstream"
)

type strictIn struct {
	When  string   `json:"when" jsonschema:"format=date-time"`
	Email string   `json:"email,omitempty" jsonschema:"format=email"`
	ID    string   `json:"id,omitempty" jsonschema:"format=uuid"`
	Small int8     `json:"small,omitempty"`
	Text  string   `json:"text,omitempty"`
	List  []string `json:"list,omitempty"`
}

var strict = natq.NewTask[strictIn, jobOut]("strict", natq.Sync)

// Hostile inputs each get a clear 4xx, and the worker goes on serving.
func TestHostileInputs(t *testing.T) {
	t.Parallel()
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, strict, func(_ context.Context, in strictIn) (jobOut, error) {
			return jobOut{N: len(in.Text) + len(in.List)}, nil
		})
	})
	const ok = `"when":"2026-12-04T10:00:00Z"`
	deep := strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)
	nested := `{` + ok + `,"text":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`
	deeper := `{` + ok + `,"text":` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `}`
	wrongItems := `{` + ok + `,"list":[` + strings.TrimSuffix(strings.Repeat(`1,`, 50_000), ",") + `]}`
	huge := `{` + ok + `,"text":"` + strings.Repeat("x", 900_000) + `"}`
	long := `{` + ok + `,"list":[` + strings.TrimSuffix(strings.Repeat(`"x",`, 150_000), ",") + `]}`
	tests := []struct {
		name, body, status, errSub string
	}{
		{"array", `[1,2]`, "400", "JSON object"},
		{"string", `"x"`, "400", "JSON object"},
		{"number", `12`, "400", "JSON object"},
		{"null", `null`, "400", "JSON object"},
		{"too deep", deep, "400", "nested more than 128 levels deep"},
		{"nested where a string goes", nested, "400", "/text"},
		{"nested past the limit", deeper, "400", "nested more than 128 levels deep"},
		{"huge exponent", `{` + ok + `,"small":1e1000001}`, "400", "exponent beyond"},
		{"huge negative exponent", `{` + ok + `,"text":"x","list":[],"small":-1E-99999}`, "400", "exponent beyond"},
		{"error too long for a reply", wrongItems, "400", "more bytes)"},
		{"trailing vertical tab", "{" + ok + "}\v", "406", "Invalid JSON input"},
		{"trailing no-break space", "{" + ok + "}\u00a0", "406", "Invalid JSON input"},
		{"huge string", huge, "200", ""},
		{"long array", long, "200", ""},
		{"overflow", `{` + ok + `,"small":1000}`, "400", "/small"},
		{"bad date-time", `{"when":"yesterday"}`, "400", "/when"},
		{"bad email", `{` + ok + `,"email":"nobody"}`, "400", "/email"},
		{"bad uuid", `{` + ok + `,"id":"1234"}`, "400", "/id"},
		{"unknown field", `{` + ok + `,"admin":true}`, "400", "admin"},
		{"invalid UTF-8", "{" + ok + ",\"text\":\"\xff\xfe\"}", "406", "Invalid JSON input"},
		{"bad run id", `{` + ok + `,"runId":"a b"}`, "400", "runId"},
		{"run id not a string", `{` + ok + `,"runId":{"x":1}}`, "400", "runId"},
		{"drop flag not a bool", `{` + ok + `,"dropResultOnSuccess":1}`, "400", "dropResultOnSuccess"},
		{"trailing garbage", `{` + ok + `} extra`, "406", "Invalid JSON input"},
		{"empty", ``, "406", "Invalid JSON input"},
	}
	for _, tt := range tests {
		msg, err := env.Conn.Request("natq.req.strict", []byte(tt.body), natqtest.WaitTimeout)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		status, errText := msg.Header.Get("status"), msg.Header.Get("error")
		if status != tt.status || !strings.Contains(errText, tt.errSub) {
			t.Errorf("%s: got %s %q, want %s with %q", tt.name, status, trim(errText), tt.status, tt.errSub)
		}
	}
	if out := natqtest.Call(t, env.Client, strict, strictIn{When: "2026-12-04T10:00:00Z", Text: "ok"}); out.N != 2 {
		t.Errorf("after the hostile inputs: got %+v", out)
	}
}

func trim(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

type blobOut struct {
	Blob string `json:"blob"`
}

// A result too large for the server fails at once with a clear 500: a
// sync caller is answered rather than left to time out, and an async run
// is not retried, since every attempt would fail the same way.
func TestOversizedResult(t *testing.T) {
	t.Parallel()
	syncBlob := natq.NewTask[jobIn, blobOut]("blob-sync", natq.Sync)
	asyncBlob := natq.NewTask[jobIn, blobOut]("blob-async", natq.Async)
	var calls atomic.Int32
	big := func(context.Context, jobIn) (blobOut, error) {
		calls.Add(1)
		return blobOut{Blob: strings.Repeat("x", 2<<20)}, nil
	}
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, syncBlob, big)
		natq.Handle(w, asyncBlob, big)
	})
	_, err := syncBlob.Call(context.Background(), env.Client, jobIn{})
	natqtest.RequireError(t, err, 500, "exceeds the server's max payload")

	_, err = natqtest.WaitErr(natqtest.Enqueue(t, env.Client, asyncBlob, jobIn{}))
	natqtest.RequireError(t, err, 500, "exceeds the server's max payload")
	if got := calls.Load(); got != 2 {
		t.Errorf("handler ran %d times, want 2 (once per task)", got)
	}
}

// An async job whose input the full validator cannot read, or whose
// error would not fit in a record, still ends with a final 400 record:
// it neither takes the worker down nor is retried for ever.
func TestHostileAsyncInputs(t *testing.T) {
	t.Parallel()
	task := natq.NewTask[strictIn, jobOut]("strict-async", natq.Async)
	env := natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, task, func(_ context.Context, in strictIn) (jobOut, error) {
			return jobOut{N: len(in.List)}, nil
		})
	})
	const ok = `"when":"2026-12-04T10:00:00Z"`
	js, err := jetstream.New(env.Conn)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, runID, body, errSub string }{
		{"huge exponent", "exp", `{"runId":"exp",` + ok + `,"small":1e1000001}`, "exponent beyond"},
		{"error too long for a record", "long", `{"runId":"long",` + ok + `,"list":[` +
			strings.TrimSuffix(strings.Repeat(`1,`, 30_000), ",") + `]}`, "more bytes)"},
	} {
		// Published as any producer could, past the client's own checks.
		if _, err := js.Publish(context.Background(), "natq.job."+task.ID(), []byte(tt.body)); err != nil {
			t.Fatalf("%s: publish: %v", tt.name, err)
		}
		_, err = natqtest.WaitErr(task.RunOf(env.Client, tt.runID))
		if natq.StatusOf(err) != 400 || !strings.Contains(err.Error(), tt.errSub) {
			t.Errorf("%s: got %v, want a 400 with %q", tt.name, trim(fmt.Sprint(err)), tt.errSub)
		}
	}
	if out := natqtest.Wait(t, natqtest.Enqueue(t, env.Client, task, strictIn{When: "2026-12-04T10:00:00Z", List: []string{"a"}})); out.N != 1 {
		t.Errorf("after the hostile inputs: got %+v", out)
	}
}
