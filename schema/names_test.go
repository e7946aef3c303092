package schema

import (
	"reflect"
	"testing"

	"github.com/natq/natq-go/schema/internal/testtypes/a"
	"github.com/natq/natq-go/schema/internal/testtypes/b"
)

type Box[T any] struct{ V T }

func TestDefNames(t *testing.T) {
	t.Parallel()
	n := newDefNames()
	tests := []struct {
		typ  reflect.Type
		want string
	}{
		{reflect.TypeFor[a.Item](), "Item"},
		{reflect.TypeFor[b.Item](), "b.Item"},
		{reflect.TypeFor[a.Item](), "Item"}, // asked again
		{reflect.TypeFor[Page[a.Item]](), "Page_a.Item"},
		{reflect.TypeFor[Page[b.Item]](), "Page_b.Item"},
		{reflect.TypeFor[Box[a.Item]](), "Box_a.Item"},
		{reflect.TypeFor[Box[*a.Item]](), "schema.Box_a.Item"},
		{reflect.TypeFor[Box[[]a.Item]](), "Box_a.Item-2"},
		{reflect.TypeFor[Pair[string, map[int]a.Item]](), "Pair_string_map_int_a.Item"},
		{reflect.TypeFor[[]a.Item](), ""}, // unnamed: invopop inlines it
	}
	for _, tt := range tests {
		if got := n.name(tt.typ); got != tt.want {
			t.Errorf("name(%s): got %q, want %q", tt.typ, got, tt.want)
		}
	}
}
