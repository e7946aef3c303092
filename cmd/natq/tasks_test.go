package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTasks(t *testing.T) {
	t.Parallel()
	e := start(t)

	o := e.run(t, "", "tasks")
	o.require(t, 0, "", "")
	want := []string{
		"ID     TYPE   INPUT SCHEMA  OUTPUT SCHEMA",
		"count  async  yes           yes",
		"greet  sync   yes           yes",
		"held   async  yes           yes",
	}
	if diff := cmp.Diff(want, strings.Split(strings.TrimSpace(o.stdout), "\n")); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}

	o = e.run(t, "", "tasks", "--json")
	var list []struct {
		ID          string         `json:"id"`
		Type        string         `json:"type"`
		InputSchema map[string]any `json:"inputSchema"`
	}
	if err := json.Unmarshal([]byte(o.stdout), &list); err != nil {
		t.Fatalf("tasks --json: %v\n%s", err, o.stdout)
	}
	if len(list) != 3 || list[1].ID != "greet" || list[1].Type != "sync" || list[1].InputSchema["type"] != "object" {
		t.Errorf("tasks --json: got %+v", list)
	}
}

func TestTasksShow(t *testing.T) {
	t.Parallel()
	e := start(t)
	o := e.run(t, "", "tasks", "show", "greet")
	o.require(t, 0, "greet (sync)\n\nInput schema:\n{\n  \"$schema\"", "")
	if !strings.Contains(o.stdout, "Output schema:\n{") || !strings.Contains(o.stdout, `"minLength": 1`) {
		t.Errorf("got %s, want both schemas, indented", o.stdout)
	}
	e.run(t, "", "tasks", "show", "nope").require(t, exitNobody, "", "natq: task nope: unknown task")
	e.run(t, "", "tasks", "show").require(t, exitUsage, "", "accepts 1 arg")
}

func TestTasksWithoutWorker(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	o := runCLI(t.Context(), t, "", nil, "-s", srv, "tasks")
	o.require(t, 0, "no tasks published", "")
	o = runCLI(t.Context(), t, "", nil, "-s", srv, "tasks", "--json")
	o.require(t, 0, "[]", "")
}

func TestSchemaExport(t *testing.T) {
	t.Parallel()
	e := start(t)
	dir := filepath.Join(t.TempDir(), "schemas")
	o := e.run(t, "", "schema", "export", dir)
	o.require(t, 0, filepath.Join(dir, "greet.input.schema.json"), "")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) != 6 {
		t.Fatalf("got files %v, %v; want 6", files, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "greet.input.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(greet.Definition().InputSchema), &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("exported schema differs from the published one (-want +got):\n%s", diff)
	}
}
