package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOrNull(t *testing.T) {
	t.Parallel()
	null := map[string]any{"type": "null"}
	ref := map[string]any{"$ref": "#/$defs/X"}
	enum := map[string]any{"type": "string", "enum": []any{"a"}}
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"true", true, true},
		{"false", false, null},
		{"no restriction", map[string]any{"minLength": 1}, map[string]any{"minLength": 1}},
		{
			"one type",
			map[string]any{"type": "string", "format": "email"},
			map[string]any{"type": []any{"string", "null"}, "format": "email"},
		},
		{
			"type list",
			map[string]any{"type": []any{"integer"}},
			map[string]any{"type": []any{"integer", "null"}},
		},
		{
			"already null",
			map[string]any{"type": []any{"array", "null"}},
			map[string]any{"type": []any{"array", "null"}},
		},
		{"null itself", map[string]any{"type": "null"}, null},
		{"reference", ref, map[string]any{"anyOf": []any{ref, null}}},
		{"enum", enum, map[string]any{"anyOf": []any{enum, null}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, orNull(tt.in)); diff != "" {
				t.Errorf("orNull(%v): (-want +got)\n%s", tt.in, diff)
			}
		})
	}
}
