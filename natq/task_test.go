package natq_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/natq/natq-go/natq"
)

type pingIn struct {
	N int `json:"n"`
}

type pingOut struct {
	N int `json:"n"`
}

func TestTaskIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id string
		ok bool
	}{
		{"resize-image", true},
		{"e2e_add", true},
		{"A1", true},
		{"", false},
		{"a.b", false},
		{"a b", false},
		{"a*", false},
		{"a>", false},
		{"ä", false},
		{"a/b", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			_, err := natq.TryNewTask[pingIn, pingOut](tt.id, natq.Sync)
			if (err == nil) != tt.ok {
				t.Fatalf("got error %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), `"`+tt.id+`"`) {
				t.Errorf("error %q does not name the id", err)
			}
		})
	}
}

func TestNewTaskPanicsOnMisuse(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("NewTask with an invalid id did not panic")
		}
	}()
	natq.NewTask[pingIn, pingOut]("not valid", natq.Sync)
}

func TestTaskInputMustBeAnObject(t *testing.T) {
	t.Parallel()
	if _, err := natq.TryNewTask[[]int, pingOut]("list", natq.Sync); err == nil {
		t.Error("a slice input was accepted")
	}
	if _, err := natq.TryNewTask[string, pingOut]("str", natq.Sync); err == nil {
		t.Error("a string input was accepted")
	}
	type reserved struct {
		RunID string `json:"runId"`
	}
	if _, err := natq.TryNewTask[reserved, pingOut]("reserved", natq.Sync); err == nil {
		t.Error("an input declaring runId was accepted")
	}
	if _, err := natq.TryNewTask[map[string]any, pingOut]("map", natq.Sync); err != nil {
		t.Errorf("a map input was refused: %v", err)
	}
	if _, err := natq.TryNewTask[*pingIn, pingOut]("ptr", natq.Sync); err != nil {
		t.Errorf("a pointer to a struct was refused: %v", err)
	}
}

func TestTaskOptionsAreValidated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opt     natq.TaskOption
		setting string
	}{
		{"concurrency", natq.WithConcurrency(0), "WithConcurrency"},
		{"timeout", natq.WithTimeout(-time.Second), "WithTimeout"},
		{"attempts", natq.WithMaxAttempts(-1), "WithMaxAttempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := natq.TryNewTask[pingIn, pingOut]("opts", natq.Async, tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.setting) {
				t.Errorf("got %v, want an error naming %s", err, tt.setting)
			}
		})
	}
	if _, err := natq.TryNewTask[pingIn, pingOut]("kind", natq.Kind(7)); err == nil {
		t.Error("an unknown kind was accepted")
	}
}

func TestDefinition(t *testing.T) {
	t.Parallel()
	task := natq.NewTask[pingIn, pingOut]("ping", natq.Async)
	d := task.Definition()
	if d.ID != "ping" || d.Type != "async" {
		t.Errorf("got id %q type %q, want ping async", d.ID, d.Type)
	}
	for name, doc := range map[string]string{"input": d.InputSchema, "output": d.OutputSchema} {
		var v map[string]any
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			t.Errorf("%s schema is not JSON: %v", name, err)
		}
	}
	if !strings.Contains(d.InputSchema, `"runId"`) || !strings.Contains(d.InputSchema, `"dropResultOnSuccess"`) {
		t.Errorf("input schema does not declare the reserved fields: %s", d.InputSchema)
	}
}
