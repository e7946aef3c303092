package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func TestEnqueue(t *testing.T) {
	t.Parallel()
	e := start(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "no wait", args: []string{"count", `{"words":["a"]}`, "--run-id", "e-1"}, stdout: "enqueued run e-1 of count\n"},
		{name: "no wait, json", args: []string{"count", `{"words":["a"]}`, "--run-id", "e-2", "--json"}, stdout: `"id": "e-2"`},
		{name: "wait", args: []string{"count", `{"words":["a","b"]}`, "--wait"}, stdout: "{\n  \"count\": 2\n}\n"},
		{name: "wait, json", args: []string{"count", `{"words":["a"]}`, "--wait", "--json", "--run-id", "e-3"}, stdout: `"id": "e-3"`},
		{name: "wait on a dropped result", args: []string{"count", `{"words":["a"]}`, "--wait", "--drop-result"}, stdout: `"count": 1`},
		{name: "refused", args: []string{"count", `{"words":["refuse"]}`, "--wait"}, code: exitRefused, stderr: "status 400: refused"},
		{name: "refused by the schema", args: []string{"count", `{"words":[]}`, "--wait"}, code: exitRefused, stderr: "/words"},
		{name: "validated", args: []string{"count", `{"words":[]}`, "--validate"}, code: exitRefused, stderr: "/words"},
		{name: "unknown task", args: []string{"nope", "{}"}, code: exitNobody, stderr: "unknown task"},
		{name: "sync task", args: []string{"greet", "{}"}, code: exitUsage, stderr: "greet is sync"},
		{name: "bad run id", args: []string{"count", "{}", "--run-id", "a b"}, code: exitRefused, stderr: "natq: enqueue count: status 400: invalid input: runId must be"},
		{name: "not JSON", args: []string{"count", `{"words":`}, code: exitRefused, stderr: "natq: enqueue count: status 406: Invalid JSON input\n"},
		{name: "wait timeout", args: []string{"held", `{"words":["a"]}`, "--wait", "--wait-timeout", "50ms"}, code: exitTimeout, stderr: "natq result held"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := e.run(t, "", append([]string{"enqueue"}, tt.args...)...)
			o.require(t, tt.code, tt.stdout, tt.stderr)
			if strings.Contains(o.stdout, "\x1b") {
				t.Errorf("escape codes in output that is not a terminal: %q", o.stdout)
			}
		})
	}
}

// The same run id enqueued twice runs once: the second wait finds the
// first result.
func TestEnqueueIdempotent(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.run(t, "", "enqueue", "count", `{"words":["a"]}`, "--run-id", "same", "--wait").require(t, 0, `"count": 1`, "")
	e.run(t, "", "enqueue", "count", `{"words":["a","b"]}`, "--run-id", "same", "--wait").require(t, 0, `"count": 1`, "")
}

// On a terminal, --wait draws a status line while the run is queued and
// processing, and erases it before the result.
func TestEnqueueStatusLine(t *testing.T) {
	t.Parallel()
	e := start(t)
	out := newSyncBuffer()
	a := newApp(strings.NewReader(""), out, &strings.Builder{}, func(string) string { return "" })
	a.terminal = func(io.Writer) bool { return true }
	done := make(chan int, 1)
	go func() {
		done <- a.run(context.Background(), []string{"-s", e.Server.URL(), "enqueue", "held", `{"words":["a"]}`, "--run-id", "line-1", "--wait"})
	}()
	<-e.started
	out.waitFor(t, "run line-1 of held: processing")
	e.release <- struct{}{}
	if code := <-done; code != 0 {
		t.Fatalf("got exit code %d, output %q", code, out.String())
	}
	got := out.String()
	want := "\r\x1b[K{\n  \"count\": 1\n}\n"
	if !strings.HasPrefix(got, "\r\x1b[Krun line-1 of held: ") || !strings.HasSuffix(got, want) {
		t.Errorf("got %q, want status lines then %q", got, want)
	}
}

func TestResult(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.run(t, "", "result", "count", "none").require(t, exitNoRecord, "", "natq: run none: no record for the run")
	e.run(t, "", "enqueue", "count", `{"words":["a"]}`, "--run-id", "r-1", "--wait").require(t, 0, "", "")
	e.run(t, "", "result", "count", "r-1").require(t, 0, "{\n  \"count\": 1\n}\n", "")
	o := e.run(t, "", "result", "count", "r-1", "--json")
	var rec map[string]any
	if err := json.Unmarshal([]byte(o.stdout), &rec); err != nil || rec["status"] != 200.0 || rec["id"] != "r-1" {
		t.Errorf("result --json: got %v, %v", rec, err)
	}

	e.run(t, "", "enqueue", "count", `{"words":["refuse"]}`, "--run-id", "r-2", "--wait")
	e.run(t, "", "result", "count", "r-2").require(t, exitRefused, "", "natq: run r-2 of count: status 400: refused")

	e.run(t, "", "enqueue", "held", `{"words":["a"]}`, "--run-id", "r-3").require(t, 0, "", "")
	<-e.started
	e.run(t, "", "result", "held", "r-3").require(t, 0, "run r-3 of held: processing (status 100)", "")
	e.run(t, "", "result", "held", "r-3", "--json").require(t, 0, `"status": 100`, "")
}
