package schema

import (
	"encoding/json"
	"math"
	"net"
	"net/url"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/natq/natq-go/schema/internal/testtypes/a"
	"github.com/natq/natq-go/schema/internal/testtypes/b"
)

// Types whose encodings the round-trip test feeds back to their schemas.
type (
	Embedded struct {
		Promoted string `json:"promoted"`
	}
	PtrEmbedded struct {
		ViaPtr string `json:"viaPtr"`
	}
	Tagged struct {
		Inner int `json:"inner"`
	}
	Label      string
	label      string
	hiddenBase struct {
		Visible string `json:"visible"`
	}
	WithEmbedding struct {
		Embedded
		*PtrEmbedded
		Tagged `json:"tagged"`
		Label
		label
		hiddenBase
		Own string `json:"own"`
	}

	// Shadowing declares name before the embedded struct that also has
	// one: encoding/json keeps the shallower field.
	Shadowed  struct{ Name int }
	Shadowing struct {
		Name string
		Shadowed
	}
	// Ambiguous embeds two X at one depth: encoding/json writes neither.
	Left      struct{ X int }
	Right     struct{ X string }
	Ambiguous struct {
		Left
		Right
	}

	Page[T any] struct {
		Items []T  `json:"items"`
		Next  *int `json:"next,omitempty"`
	}
	Pair[K comparable, V any] struct {
		Keys map[K]V `json:"keys"`
	}
	SameNames struct {
		A  a.Item       `json:"a"`
		B  b.Item       `json:"b"`
		PA Page[a.Item] `json:"pa"`
		PB Page[b.Item] `json:"pb"`
	}
	Node struct {
		Name     string `json:"name"`
		Children []Node `json:"children"`
		Parent   *Node  `json:"parent,omitempty"`
	}

	// Temperature marshals itself as an object, Level as text.
	Temperature float64
	Level       int
	// PtrJSON and PtrText marshal themselves only when addressable.
	PtrJSON struct{ N int }
	PtrText struct{ N int }
	Octet   byte

	Options struct {
		N      int     `json:"n,string"`
		P      *int    `json:"p,string"`
		F      float64 `json:",string"`
		B      bool    `json:"b,string"`
		S      string  `json:"s,string"`
		Skip   func()  `json:"-"`
		Dash   int     `json:"-,"`
		Hidden jsonschemaHidden
		hidden int //nolint:unused // encoding/json must skip it
		hook   func()
	}
	jsonschemaHidden struct {
		Shown int `json:"shown" jsonschema:"-"`
	}

	Everything struct {
		Str      string
		Int      int64
		Uint     uint64
		Uintptr  uintptr
		Float    float32
		Bool     bool
		Ptr      *string
		PtrPtr   **int
		Slice    []int
		Ptrs     []*int
		Array    [2]int
		PtrArray [2]*int
		Bytes    []byte
		Octets   []Octet
		Raw      json.RawMessage
		Number   json.Number
		Numbers  []json.Number `json:",omitempty"`
		QNumber  json.Number   `json:",string"`
		Any      any
		Err      error
		Map      map[string]int
		IntMap   map[int]string
		UintMap  map[uint8]bool
		TextMap  map[Level]int
		ULIDMap  map[ulid.ULID]string
		PtrMap   map[string]*Embedded
		Time     time.Time
		TimePtr  *time.Time
		ULID     ulid.ULID
		IP       net.IP
		URL      url.URL
		URLPtr   *url.URL
		Temp     Temperature
		Level    Level
		PtrJSON  PtrJSON
		PtrText  PtrText
		Anon     struct{ A int }
	}
)

func (t Temperature) MarshalJSON() ([]byte, error) {
	return []byte(`{"celsius":` + strconv.FormatFloat(float64(t), 'f', -1, 64) + `}`), nil
}

func (l Level) MarshalText() ([]byte, error) { return []byte("level-" + strconv.Itoa(int(l))), nil }

func (*PtrJSON) MarshalJSON() ([]byte, error) { return []byte(`["from", "pointer"]`), nil }

func (*PtrText) MarshalText() ([]byte, error) { return []byte("from pointer"), nil }

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	one, minusOne := 1, -1
	onePtr := &one
	str := "s"
	when := time.Date(2024, 2, 29, 13, 4, 5, 123456789, time.FixedZone("IST", 5*3600+1800))
	id := ulid.MustParse("01ARZ3NDEKTSV4RRFFQ69G5FAV")

	tests := []struct {
		name   string
		typ    reflect.Type
		values []any // values of typ
	}{
		{"scalars", reflect.TypeFor[int](), []any{0, math.MinInt, math.MaxInt}},
		{"uint64 max", reflect.TypeFor[uint64](), []any{uint64(math.MaxUint64)}},
		{"float", reflect.TypeFor[float64](), []any{0.0, 1e300, -1.5}},
		{"nil slice", reflect.TypeFor[[]string](), []any{[]string(nil), []string{}, []string{"a"}}},
		{"nil map", reflect.TypeFor[map[string]int](), []any{
			map[string]int(nil), map[string]int{"a": 1},
		}},
		{"nil pointer", reflect.TypeFor[*int](), []any{(*int)(nil), &one}},
		{"nil interface", reflect.TypeFor[any](), []any{nil, 1, "x", []any{nil}}},
		{"time", reflect.TypeFor[time.Time](), []any{
			time.Time{},
			when, when.UTC(), when.In(time.FixedZone("", -7*3600)),
			time.Date(0, 1, 1, 0, 0, 0, 1, time.UTC),
			time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(23*3600+59*60))),
		}},
		{"embedding", reflect.TypeFor[WithEmbedding](), []any{
			WithEmbedding{},
			WithEmbedding{
				Embedded: Embedded{"p"}, PtrEmbedded: &PtrEmbedded{"v"},
				Label: "l", label: "x", Own: "o",
			},
		}},
		{"shadowing", reflect.TypeFor[Shadowing](), []any{
			Shadowing{Name: "top", Shadowed: Shadowed{Name: 1}},
		}},
		{"ambiguous", reflect.TypeFor[Ambiguous](), []any{Ambiguous{Left{1}, Right{"r"}}}},
		{"generic", reflect.TypeFor[Page[a.Item]](), []any{
			Page[a.Item]{}, Page[a.Item]{Items: []a.Item{{SKU: "x", Qty: 2}}, Next: onePtr},
		}},
		{"generic map", reflect.TypeFor[Pair[int, *b.Item]](), []any{
			Pair[int, *b.Item]{},
			Pair[int, *b.Item]{Keys: map[int]*b.Item{-3: nil, 4: {Label: "l"}}},
		}},
		{"same names", reflect.TypeFor[SameNames](), []any{
			SameNames{},
			SameNames{A: a.Item{SKU: "a", Qty: 1}, B: b.Item{Label: "b", Gift: true}},
		}},
		{"recursive", reflect.TypeFor[Node](), []any{
			Node{}, Node{Name: "root", Children: []Node{{Name: "leaf", Parent: &Node{Name: "up"}}}},
		}},
		{"options", reflect.TypeFor[Options](), []any{
			Options{},
			Options{N: -4, P: &minusOne, F: 2.5, B: true, S: "q", Dash: 3, hook: func() {}},
		}},
		{"everything", reflect.TypeFor[Everything](), []any{
			Everything{}, everything(id, when, &str),
		}},
		{"pointer root", reflect.TypeFor[*Everything](), []any{(*Everything)(nil), &Everything{}}},
		{"raw message", reflect.TypeFor[json.RawMessage](), []any{
			json.RawMessage(nil), json.RawMessage(`{"any":[1,"json"]}`), json.RawMessage(`7`),
		}},
		{"ulid", reflect.TypeFor[ulid.ULID](), []any{ulid.ULID{}, id}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Reflect(tt.typ)
			if err != nil {
				t.Fatalf("Reflect(%s): got error %v, want nil", tt.typ, err)
			}
			third := published(t, s)
			values := append(tt.values, reflect.Zero(tt.typ).Interface())
			for _, v := range values {
				// Through a pointer, fields are addressable and
				// pointer-receiver marshalers run: both must pass.
				p := reflect.New(tt.typ)
				if v != nil {
					p.Elem().Set(reflect.ValueOf(v))
				}
				for _, enc := range []any{v, p.Interface()} {
					checkAccepts(t, s, third, enc)
				}
			}
		})
	}
}

// checkAccepts checks that the reflected and the published schema both
// accept encoding/json's encoding of v.
func checkAccepts(t *testing.T, s, third *Schema, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal(%#v): %v", v, err)
	}
	doc := decode(t, string(b))
	if err := s.Validate(doc); err != nil {
		t.Errorf("Validate(%s): got %v, want nil\nschema: %s", b, err, s.JSON())
	}
	if err := third.Validate(doc); err != nil {
		t.Errorf("published Validate(%s): got %v, want nil", b, err)
	}
}

func everything(id ulid.ULID, when time.Time, str *string) Everything {
	n := 5
	pn := &n
	return Everything{
		Str: "s", Int: math.MinInt64, Uint: math.MaxUint64, Uintptr: 9,
		Float: 1.5, Bool: true, Ptr: str, PtrPtr: &pn,
		Slice: []int{1}, Ptrs: []*int{nil, pn}, Array: [2]int{1, 2},
		PtrArray: [2]*int{nil, pn}, Bytes: []byte("hi"), Octets: []Octet{1, 2},
		Raw: json.RawMessage(`[null]`), Any: map[string]any{"k": []int{1}},
		Number: "-1.5e3", Numbers: []json.Number{"1", "2.5"}, QNumber: "7",
		Err:    &json.SyntaxError{Offset: 3},
		Map:    map[string]int{"a": 1},
		IntMap: map[int]string{-1: "minus", 0: "zero"}, UintMap: map[uint8]bool{7: true},
		TextMap: map[Level]int{3: 1}, ULIDMap: map[ulid.ULID]string{id: "x"},
		PtrMap: map[string]*Embedded{"nil": nil, "set": {"p"}},
		Time:   when, TimePtr: &when, ULID: id, IP: net.ParseIP("::1"),
		URL:    url.URL{Scheme: "https", Host: "example.com", User: url.User("u")},
		URLPtr: &url.URL{Path: "/p"}, Temp: 21.5, Level: 2,
		PtrJSON: PtrJSON{1}, PtrText: PtrText{2}, Anon: struct{ A int }{1},
	}
}
