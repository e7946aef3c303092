package schema

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/invopop/jsonschema"
)

type Inlined struct {
	Inner Embedded `json:"inner,inline"`
	Own   int      `json:"own"`
}

// TestInvopopFields checks the prediction against invopop itself: the
// names must be the properties invopop writes, and the paths must point
// at fields whose schema invopop wrote under that name.
func TestInvopopFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ  reflect.Type
		want map[string][]int
	}{
		{reflect.TypeFor[Shadowing](), map[string][]int{"Name": {1, 0}}},
		{reflect.TypeFor[Ambiguous](), map[string][]int{"X": {1, 0}}},
		{reflect.TypeFor[Inlined](), map[string][]int{"promoted": {0, 0}, "own": {1}}},
		{reflect.TypeFor[Options](), map[string][]int{
			"n": {0}, "p": {1}, "F": {2}, "b": {3}, "s": {4}, "Hidden": {7},
		}},
		{reflect.TypeFor[WithEmbedding](), map[string][]int{
			"promoted": {0, 0}, "viaPtr": {1, 0}, "tagged": {2}, "Label": {3},
			"label": {4}, "visible": {5, 0}, "own": {6},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.typ.String(), func(t *testing.T) {
			t.Parallel()
			got := invopopFields(tt.typ)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("invopopFields: (-want +got)\n%s", diff)
			}
			want := slices.Sorted(maps.Keys(got))
			if diff := cmp.Diff(want, invopopProperties(t, tt.typ)); diff != "" {
				t.Errorf("invopop's properties: (-want +got)\n%s", diff)
			}
		})
	}
}

// invopopProperties returns the sorted property names invopop writes for
// struct type typ.
func invopopProperties(t *testing.T, typ reflect.Type) []string {
	t.Helper()
	r := &jsonschema.Reflector{Anonymous: true, ExpandedStruct: true}
	b, err := json.Marshal(r.ReflectFromType(typ))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(doc.Properties))
}
