package schema

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWalkAdjustments checks the published form of what the walk changes,
// which other SDKs read.
func TestWalkAdjustments(t *testing.T) {
	t.Parallel()
	type adjusted struct {
		Octets  []Octet          `json:"octets"`
		Neg     map[int8]bool    `json:"neg"`
		Text    map[Level]string `json:"text"`
		Ptr     *Embedded        `json:"ptr"`
		Numbers []*int           `json:"numbers"`
	}
	want := map[string]any{
		"octets": map[string]any{"type": []any{"string", "null"}, "contentEncoding": "base64"},
		"neg": map[string]any{
			"type":                 []any{"object", "null"},
			"patternProperties":    map[string]any{"^-?[0-9]+$": map[string]any{"type": "boolean"}},
			"additionalProperties": false,
		},
		"text": map[string]any{
			"type":                 []any{"object", "null"},
			"additionalProperties": map[string]any{"type": "string"},
		},
		"ptr": map[string]any{"anyOf": []any{
			map[string]any{"$ref": "#/$defs/Embedded"},
			map[string]any{"type": "null"},
		}},
		"numbers": map[string]any{
			"type":  []any{"array", "null"},
			"items": map[string]any{"type": []any{"integer", "null"}},
		},
	}
	s, err := Reflect(reflect.TypeFor[adjusted]())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(s.JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, doc.Properties); diff != "" {
		t.Errorf("properties: (-want +got)\n%s", diff)
	}
}
