package schema

import (
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPruneDefs(t *testing.T) {
	t.Parallel()
	root := map[string]any{"items": map[string]any{"$ref": "#/$defs/A"}}
	defs := map[string]any{
		"A":      map[string]any{"properties": map[string]any{"b": map[string]any{"$ref": "#/$defs/B"}}},
		"B":      map[string]any{"items": map[string]any{"$ref": "#/$defs/B"}},
		"Unused": map[string]any{"$ref": "#/$defs/A"},
	}
	pruneDefs(root, defs)
	got := slices.Sorted(maps.Keys(defs))
	if diff := cmp.Diff([]string{"A", "B"}, got); diff != "" {
		t.Errorf("definitions left: (-want +got)\n%s", diff)
	}
}

func TestInlineRoot(t *testing.T) {
	t.Parallel()
	def := map[string]any{"type": "object"}
	defs := map[string]any{"A": def}
	tests := []struct {
		name string
		root any
		want map[string]any
	}{
		{"bare reference", map[string]any{"$ref": "#/$defs/A"}, map[string]any{"type": "object"}},
		{
			"reference and more",
			map[string]any{"$ref": "#/$defs/A", "title": "t"},
			map[string]any{"$ref": "#/$defs/A", "title": "t"},
		},
		{"no reference", map[string]any{"type": "string"}, map[string]any{"type": "string"}},
		{"true", true, map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, inlineRoot(tt.root, defs)); diff != "" {
				t.Errorf("inlineRoot: (-want +got)\n%s", diff)
			}
		})
	}
	inlineRoot(map[string]any{"$ref": "#/$defs/A"}, defs)["title"] = "changed"
	if _, ok := def["title"]; ok {
		t.Errorf("definition after editing the inlined root: got a title, want a copy edited")
	}
}

func TestEncodeDoc(t *testing.T) {
	t.Parallel()
	root := map[string]any{"type": "string", "pattern": "^<a&b>$"}
	got, err := encodeDoc(root, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"$schema":"https://json-schema.org/draft/2020-12/schema","pattern":"^<a&b>$","type":"string"}`
	if string(got) != want {
		t.Errorf("encodeDoc: got %s, want %s", got, want)
	}
}
