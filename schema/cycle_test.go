package schema

import (
	"reflect"
	"testing"
)

type (
	MutualA struct {
		*MutualB
		A int
	}
	MutualB struct {
		*MutualA
		B int
	}
	// TaggedLoop names its pointer to itself, so nothing is flattened.
	TaggedLoop struct {
		Next *TaggedLoop `json:"next"`
	}
	InlineLoop struct {
		Self *InlineLoop `json:"self,inline"`
	}
)

func TestCheckTypeGraph(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ  reflect.Type
		want string
	}{
		{reflect.TypeFor[Node](), ""},
		{reflect.TypeFor[TaggedLoop](), ""},
		{reflect.TypeFor[Everything](), ""},
		{reflect.TypeFor[Loop](), "schema.Loop embeds itself through a pointer"},
		{reflect.TypeFor[[]map[string]*Loop](), "schema.Loop embeds itself through a pointer"},
		{reflect.TypeFor[MutualA](), "schema.MutualA embeds itself through a pointer"},
		{reflect.TypeFor[InlineLoop](), "schema.InlineLoop embeds itself through a pointer"},
		{reflect.TypeFor[SelfPtr](), "schema.SelfPtr points to itself"},
	}
	for _, tt := range tests {
		if got := errText(checkTypeGraph(tt.typ)); got != tt.want {
			t.Errorf("checkTypeGraph(%s): got %q, want %q", tt.typ, got, tt.want)
		}
	}
}
