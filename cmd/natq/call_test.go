package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestCall(t *testing.T) {
	t.Parallel()
	e := start(t)
	file := filepath.Join(t.TempDir(), "in.json")
	if err := os.WriteFile(file, []byte(`{"name":"File"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		stdout   string
		stderr   string
		noStdout bool
	}{
		{name: "inline", args: []string{"greet", `{"name":"Ada"}`}, stdout: "{\n  \"message\": \"Hello, Ada!\"\n}\n"},
		{name: "file", args: []string{"greet", "@" + file}, stdout: "Hello, File!"},
		{name: "stdin", stdin: `{"name":"In"}`, args: []string{"greet", "-"}, stdout: "Hello, In!"},
		{
			name: "json", args: []string{"--json", "greet", `{"name":"Ada"}`},
			stdout: "{\n  \"taskId\": \"greet\",\n  \"status\": 200,\n  \"data\": {\n    \"message\": \"Hello, Ada!\"\n  }\n}\n",
		},
		{
			name: "refused", args: []string{"greet", `{"name":""}`}, code: exitRefused, noStdout: true,
			stderr: "natq: call greet: status 400: invalid input: /name: length must be >= 1, but got 0\n",
		},
		{
			name: "refused, json", args: []string{"greet", `{"name":""}`, "--json"}, code: exitRefused,
			stdout: `"error": "invalid input: /name: length must be >= 1, but got 0"`, stderr: "status 400",
		},
		{name: "failed", args: []string{"greet", `{"name":"Bob"}`}, code: exitFailed, stderr: "status 503: Bob is busy"},
		{name: "not JSON", args: []string{"greet", `{"name":`}, code: exitRefused, stderr: "status 406: Invalid JSON input"},
		{
			name: "validated", args: []string{"greet", `{"name":"","x":1}`, "--validate"}, code: exitRefused,
			stderr: `status 400: invalid input: (root): property "x" is not allowed; /name:`,
		},
		{name: "run id", args: []string{"greet", `{"name":"R"}`, "--run-id", "c-1", "--json"}, stdout: `"id": "c-1"`},
		{name: "bad run id", args: []string{"greet", `{"name":"R"}`, "--run-id", "a b"}, code: exitRefused, stderr: "natq: call greet: status 400: invalid input: runId must be"},
		{name: "unknown task", args: []string{"nope"}, code: exitNobody, stderr: "natq: call nope: unknown task"},
		{name: "async task", args: []string{"count"}, code: exitUsage, stderr: "count is async"},
		{name: "no task", args: []string{}, code: exitUsage, stderr: "accepts between 1 and 2 arg(s)"},
		{name: "missing file", args: []string{"greet", "@/does/not/exist"}, code: exitUsage, stderr: "read input"},
		{name: "empty input", args: []string{"greet", " "}, code: exitUsage, stderr: "is empty"},
		{name: "bad flag", args: []string{"greet", "--bogus"}, code: exitUsage, stderr: "unknown flag: --bogus"},
		{name: "short timeout", args: []string{"greet", "--timeout", "-1s"}, code: exitUsage, stderr: "--timeout must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := e.run(t, tt.stdin, append([]string{"call"}, tt.args...)...)
			o.require(t, tt.code, tt.stdout, tt.stderr)
			if tt.noStdout && o.stdout != "" {
				t.Errorf("got stdout %q, want none", o.stdout)
			}
		})
	}
}

func TestCallJSONIsARecord(t *testing.T) {
	t.Parallel()
	e := start(t)
	o := e.run(t, "", "call", "greet", `{"name":"Bob"}`, "--json")
	var rec struct {
		TaskID string `json:"taskId"`
		Status int    `json:"status"`
		Error  string `json:"error"`
	}
	if err := json.Unmarshal([]byte(o.stdout), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.TaskID != "greet" || rec.Status != 503 || rec.Error != "Bob is busy" || o.code != exitFailed {
		t.Errorf("got %+v, exit %d", rec, o.code)
	}
}
