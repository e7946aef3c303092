package schema

import (
	"encoding/json"
	"math/big"
	"net"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
)

func TestEncodingOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ  reflect.Type
		want wireForm
	}{
		{reflect.TypeFor[int](), byKind},
		{reflect.TypeFor[Embedded](), byKind},
		{reflect.TypeFor[url.URL](), byKind},
		{reflect.TypeFor[time.Time](), anyJSON},
		{reflect.TypeFor[json.RawMessage](), anyJSON},
		{reflect.TypeFor[Temperature](), anyJSON},
		{reflect.TypeFor[PtrJSON](), anyJSON},
		{reflect.TypeFor[PtrText](), anyJSON},
		{reflect.TypeFor[big.Int](), anyJSON},
		{reflect.TypeFor[ulid.ULID](), asString},
		{reflect.TypeFor[net.IP](), asString},
		{reflect.TypeFor[Level](), asString},
	}
	for _, tt := range tests {
		if got := encodingOf(tt.typ); got != tt.want {
			t.Errorf("encodingOf(%s): got %d, want %d", tt.typ, got, tt.want)
		}
	}
}

func TestMapType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ  reflect.Type
		want string // the mapped schema's type; "-" when not mapped
	}{
		{reflect.TypeFor[int](), "-"},
		{reflect.TypeFor[time.Time](), "-"}, // invopop's date-time
		{reflect.TypeFor[Percent](), "-"},   // its own JSONSchema
		{reflect.TypeFor[Temperature](), ""},
		{reflect.TypeFor[ulid.ULID](), "string"},
		{reflect.TypeFor[url.URL](), "object"},
		{reflect.TypeFor[uintptr](), "integer"},
		{reflect.TypeFor[json.Number](), "number"},
	}
	for _, tt := range tests {
		got := "-"
		if s := mapType(tt.typ); s != nil {
			got = s.Type
		}
		if got != tt.want {
			t.Errorf("mapType(%s).Type: got %q, want %q", tt.typ, got, tt.want)
		}
	}
}

// TestMapTypeIsFresh checks that no two calls share a schema: invopop
// writes struct tag keywords into the one it gets.
func TestMapTypeIsFresh(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeFor[Temperature]()
	if first, second := mapType(typ), mapType(typ); first == second {
		t.Errorf("mapType twice: got the same *Schema %p, want two", first)
	}
}
