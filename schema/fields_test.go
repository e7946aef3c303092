package schema

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

type (
	Dup    struct{ Z int }
	Twice1 struct{ Dup }
	Twice2 struct{ Dup }
	// Twice reaches Dup's field through two paths of one depth, so
	// encoding/json writes it under neither.
	Twice struct {
		Twice1
		Twice2
	}
	// TagWins has two X at one depth; the tagged one wins.
	Untagged struct{ X int }
	TaggedX  struct {
		Y int `json:"X"`
	}
	TagWins struct {
		Untagged
		TaggedX
	}
	BadTags struct {
		Quote int `json:"a\"b"`
		Empty int `json:",omitempty"`
	}
)

func TestJSONFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ      reflect.Type
		names    []string
		optional []string
	}{
		{
			reflect.TypeFor[WithEmbedding](),
			[]string{"promoted", "viaPtr", "tagged", "Label", "visible", "own"},
			[]string{"viaPtr"},
		},
		{reflect.TypeFor[Shadowing](), []string{"Name"}, nil},
		{reflect.TypeFor[Ambiguous](), nil, nil},
		{reflect.TypeFor[Twice](), nil, nil},
		{reflect.TypeFor[TagWins](), []string{"X"}, nil},
		{reflect.TypeFor[BadTags](), []string{"Quote", "Empty"}, []string{"Empty"}},
		{reflect.TypeFor[Options](), []string{"n", "p", "F", "b", "s", "-", "Hidden"}, nil},
		{reflect.TypeFor[Optional](), []string{"need", "omit", "zero"}, []string{"omit", "zero"}},
	}
	for _, tt := range tests {
		t.Run(tt.typ.String(), func(t *testing.T) {
			t.Parallel()
			var names, optional []string
			for _, f := range jsonFields(tt.typ) {
				names = append(names, f.name)
				if f.optional {
					optional = append(optional, f.name)
				}
			}
			if diff := cmp.Diff(tt.names, names); diff != "" {
				t.Errorf("names: (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(tt.optional, optional); diff != "" {
				t.Errorf("optional: (-want +got)\n%s", diff)
			}
			// The zero value is encoded with exactly the members that
			// are not optional.
			required := slices.DeleteFunc(slices.Clone(names), func(n string) bool {
				return slices.Contains(optional, n)
			})
			slices.Sort(required)
			if diff := cmp.Diff(required, zeroKeys(t, tt.typ), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("members of the encoded zero value: (-want +got)\n%s", diff)
			}
		})
	}
}

// zeroKeys returns the sorted member names of the zero value's encoding.
func zeroKeys(t *testing.T, typ reflect.Type) []string {
	t.Helper()
	b, err := json.Marshal(reflect.Zero(typ).Interface())
	if err != nil {
		t.Fatal(err)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(members))
}
