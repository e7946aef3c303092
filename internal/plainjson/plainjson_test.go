package plainjson

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

type label string

type flat struct {
	B      bool    `json:"b"`
	S      string  `json:"s,omitempty"`
	I      int     `json:"i"`
	I8     int8    `json:"i8"`
	U16    uint16  `json:"u16"`
	U      uint64  `json:"u"`
	F32    float32 `json:"f32"`
	F      float64 `json:"f"`
	Label  label   `json:"label"`
	Plain  int
	Skip   int `json:"-"`
	hidden int
}

// nested has every shape the decoder follows, itself included.
type nested struct {
	Flat  flat       `json:"flat"`
	Ptr   *flat      `json:"ptr"`
	Name  *string    `json:"name"`
	Tags  []string   `json:"tags"`
	Nums  []*int     `json:"nums"`
	Grid  [][]int    `json:"grid"`
	Items []flat     `json:"items"`
	Next  *nested    `json:"next"`
	Kids  []nested   `json:"kids"`
	Marks []label    `json:"marks"`
	Vals  []*float64 `json:"vals"`
}

// decode decodes data into a T with d, and with encoding/json, and fails
// when d decodes what encoding/json refuses or decodes it differently. It
// reports whether d decoded it.
func decode[T any](t *testing.T, d *Decoder, data []byte) bool {
	t.Helper()
	var want T
	werr := json.Unmarshal(data, &want)
	var got T
	if !d.Decode(data, reflect.ValueOf(&got).Elem()) {
		return false
	}
	if werr != nil {
		t.Fatalf("%s: decoded %s, encoding/json refuses it: %v", data, show(got), werr)
	}
	if f, ok := any(got).(flat); ok && f.hidden != 0 {
		t.Fatalf("%s: set an unexported field", data)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: got %s, encoding/json gives %s", data, show(got), show(want))
	}
	return true
}

// show prints a value with what DeepEqual tells apart and JSON hides:
// nil against empty slices.
func show(v any) string {
	b, _ := json.Marshal(v)
	return fmt.Sprintf("%s %#v", b, v)
}

// decoderFor returns T's decoder; the test is skipped when the package
// is off, and fails when T gets no decoder.
func decoderFor[T any](t *testing.T) *Decoder {
	t.Helper()
	if !enabled {
		t.Skip("plainjson is off under GOEXPERIMENT=jsonv2")
	}
	d := For(reflect.TypeFor[T]())
	if d == nil {
		t.Fatalf("For(%v) = nil, want a decoder", reflect.TypeFor[T]())
	}
	return d
}

// decodeCase is a document and whether the decoder settles it itself,
// rather than leave it to encoding/json.
type decodeCase struct {
	in   string
	fast bool
}

// checkCases decodes each case into a T with T's decoder and with
// encoding/json.
func checkCases[T any](t *testing.T, tests []decodeCase) {
	t.Helper()
	d := decoderFor[T](t)
	for _, tt := range tests {
		if got := decode[T](t, d, []byte(tt.in)); got != tt.fast {
			t.Errorf("%s: decoded here %v, want %v", tt.in, got, tt.fast)
		}
	}
}

func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	checkCases[flat](t, []decodeCase{
		{`{}`, true},
		{` { "b" : true , "s":"hé", "i":-12, "i8":127, "u16":65535, "u":18446744073709551615 } `, true},
		{`{"f32":1.5e3,"f":-0.25,"label":"x","Plain":7}`, true},
		{`{"b":false,"s":null,"i":null}`, true},
		{`{"i":1,"i":2}`, true},
		{`{"b":true,"b":false}`, true}, // the last one counts
		{`{"s":"a","s":"b","f":1,"f":2,"u":1,"u":0}`, true},
		{`{"i":1,"i":null}`, true},
		{`{"f":1e308}`, true},
		{`{"s":"a\"b\u00e9\n"}`, true},
		{`null`, true}, // leaves the struct as it is
		// Left to encoding/json, which decodes or refuses them.
		{`{"I":1}`, false},          // matched by case
		{`{"\u0069":1}`, false},     // escaped key
		{`{"Skip":1}`, false},       // a skipped field
		{`{"hidden":1}`, false},     // unexported
		{`{"other":1}`, false},      // unknown
		{`{"i8":128}`, false},       // out of range
		{`{"u16":-1}`, false},       // negative
		{`{"u":-0}`, false},         // negative zero for an unsigned
		{`{"i":1.0}`, false},        // fraction for an integer
		{`{"i":1e2}`, false},        // exponent for an integer
		{`{"f32":1e39}`, false},     // beyond float32
		{`{"f":1e309}`, false},      // beyond float64
		{`{"b":"true"}`, false},     // string for a bool
		{`{"s":1}`, false},          // number for a string
		{`{"i":"1"}`, false},        // string for a number
		{`{"i":[1]}`, false},        // array for a number
		{`{"s":{}}`, false},         // object for a string
		{`{"b":tru}`, false},        // bad literal
		{`{"i":01}`, false},         // bad number
		{`{"i":1}x`, false},         // trailing data
		{`{"i":1`, false},           // cut short
		{`[]`, false},               // not an object
		{"{\"s\":\"\xff\"}", false}, // invalid UTF-8
		{``, false},
	})
}

func TestDecodeNestedAgreesWithEncodingJSON(t *testing.T) {
	checkCases[nested](t, []decodeCase{
		{`{"flat":{"i":1},"ptr":{"s":"x"},"name":"n","tags":["a","b"],"nums":[1,null,3]}`, true},
		{`{"grid":[[1,2],[],[3]],"items":[{"b":true},{}],"marks":["m"],"vals":[1.5,null]}`, true},
		{`{"next":{"next":{"name":"deep"}},"kids":[{"tags":[]},{"kids":[]}]}`, true},
		{`{"tags":[],"grid":[],"items":[]}`, true},                          // empty, not nil
		{`{"tags":null,"ptr":null,"name":null,"flat":null}`, true},          // nil, or left alone
		{`{"tags":["a","b","c"],"tags":["d"]}`, true},                       // the same slice again
		{`{"nums":[1,2,3],"nums":[4,null]}`, true},                          // a null element keeps the old one
		{`{"items":[{"i":1,"s":"a"}],"items":[{"i":2}]}`, true},             // elements filled again
		{`{"flat":{"i":1},"flat":{"s":"x"}}`, true},                         // one struct, filled twice
		{`{"ptr":{"i":1},"ptr":{"s":"x"}}`, true},                           // one pointer, filled twice
		{`{"ptr":{"i":1},"ptr":null,"ptr":{"s":"x"}}`, true},                // cleared between
		{`{"name":"a","name":null}`, true},                                  // a null pointer
		{`{"grid":[[1,2,3],[4]],"grid":[[5],[6,7]]}`, true},                 // inner slices reused
		{`{"kids":[{"kids":[{"name":"x"}]}],"kids":[{"kids":[{}]}]}`, true}, // and deeper
		{`{"tags":[1]}`, false},
		{`{"tags":"a"}`, false},
		{`{"flat":[]}`, false},
		{`{"ptr":1}`, false},
		{`{"nums":[1.5]}`, false},
		{`{"grid":[[1],2]}`, false},
		{`{"items":[{"x":1}]}`, false},
		{`{"tags":["a",]}`, false},
		{`{"next":` + strings.Repeat(`{"next":`, 200) + `{}` + strings.Repeat("}", 201), false}, // too deep
	})
}

// Plain values at the top of a document decode too, as a call's output
// may be any type.
func TestDecodeTopLevel(t *testing.T) {
	checkCases[[]string](t, []decodeCase{{`"x"`, false}, {`null`, true}, {`[]`, true}, {`["a","b"]`, true}})
	checkCases[*int](t, []decodeCase{{`7`, true}, {`null`, true}})
	checkCases[string](t, []decodeCase{{`"s"`, true}})
}

type (
	list     []list
	ptrList  []*ptrList
	ptrChain struct{ Next *ptrChain }
)

// Types that contain themselves, through slices alone or pointers, get
// one plan and decode to any depth the scanner follows.
func TestDecodeRecursiveTypes(t *testing.T) {
	checkCases[list](t, []decodeCase{{`[[],[[]],[[[null]]]]`, true}, {`[[1]]`, false}})
	checkCases[ptrList](t, []decodeCase{{`[null,[],[[null]]]`, true}})
	deep := strings.Repeat(`{"Next":`, 127) + `{}` + strings.Repeat(`}`, 127)
	checkCases[ptrChain](t, []decodeCase{{deep, true}, {`{"Next":{"Next":null}}`, true}})
}

type unmarshaler struct{ N int }

func (u *unmarshaler) UnmarshalJSON([]byte) error { return nil }

type intPtr *int

// Only plain types without their own decoding get a decoder.
func TestForDeclines(t *testing.T) {
	type base struct{ N int }
	tests := map[string]reflect.Type{
		"map":                reflect.TypeFor[map[string]int](),
		"map field":          reflect.TypeFor[struct{ M map[string]int }](),
		"embedded":           reflect.TypeFor[struct{ base }](),
		"interface field":    reflect.TypeFor[struct{ N any }](),
		"byte slice":         reflect.TypeFor[struct{ B []byte }](),
		"array":              reflect.TypeFor[struct{ A [2]int }](),
		"pointer to pointer": reflect.TypeFor[struct{ P **int }](),
		"named pointer":      reflect.TypeFor[struct{ P intPtr }](),
		"text unmarshaler":   reflect.TypeFor[struct{ T time.Time }](),
		"json.Number":        reflect.TypeFor[struct{ N json.Number }](),
		"deep unmarshaler":   reflect.TypeFor[struct{ T []*time.Time }](),
		"own unmarshaler":    reflect.TypeFor[unmarshaler](),
		"string option": reflect.TypeFor[struct {
			N int `json:"n,string"`
		}](),
		"one name twice": reflect.TypeFor[struct {
			A int `json:"N"` //nolint:tagliatelle // the name encoding/json gives the untagged field N
			N int
		}](),
		"punctuation in a name": reflect.TypeFor[struct {
			N int `json:"n!"`
		}](),
	}
	for name, typ := range tests {
		if For(typ) != nil {
			t.Errorf("%s: For(%v) returned a decoder, want nil", name, typ)
		}
	}
}

// Decode declines a value of another type than its decoder's.
func TestDecodeOtherType(t *testing.T) {
	d := decoderFor[flat](t)
	var other struct{ I int }
	if d.Decode([]byte(`{"i":1}`), reflect.ValueOf(&other).Elem()) {
		t.Error("decoded into another type")
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"b":true,"s":"x","i":-1,"u":2,"f":0.5,"f32":1}`, `{"i8":-128}`, `{"label":"\u00e9"}`,
		`{"b":true,"b":false}`, `{"s":"x","s":null,"i":1,"i":2}`,
	} {
		f.Add([]byte(s))
	}
	if !enabled {
		f.Skip("plainjson is off under GOEXPERIMENT=jsonv2")
	}
	d := For(reflect.TypeFor[flat]())
	f.Fuzz(func(t *testing.T, data []byte) {
		decode[flat](t, d, data)
	})
}

// members are members of nested's keys with values of every kind, so
// that repeated keys, nulls, reused slices and values of the wrong kind
// meet; random bytes seldom spell them.
func members() []string {
	keys := []string{"flat", "ptr", "name", "tags", "nums", "grid", "items", "next", "kids", "vals", "x"}
	values := []string{
		"null", "true", `"s"`, "1", "-1.5", "[]", "{}", "[null]", `["a","b","c"]`, `["d"]`,
		"[1,2,3]", "[4,null]", "[[1,2],[3]]", "[[5]]", `{"i":1,"s":"a"}`, `{"b":true}`,
		`[{"i":1,"s":"a"},{"b":true}]`, `[{"u":2}]`, `{"name":"n","tags":["t"]}`,
		`[{"kids":[{"name":"x"}]}]`, `{"next":{"name":"y"}}`,
	}
	var all []string
	for _, k := range keys {
		for _, v := range values {
			all = append(all, fmt.Sprintf("%q:%s", k, v))
		}
	}
	return all
}

// Every pair of members, in both orders.
func TestDecodeMemberPairs(t *testing.T) {
	d := decoderFor[nested](t)
	all := members()
	decoded := 0
	for _, a := range all {
		for _, b := range all {
			if decode[nested](t, d, []byte("{"+a+","+b+"}")) {
				decoded++
			}
		}
	}
	if decoded == 0 {
		t.Error("no pair decoded here: the comparison compared nothing")
	}
	t.Logf("%d of %d pairs decoded here", decoded, len(all)*len(all))
}

// FuzzDecodeMembers decodes objects of any number of members.
func FuzzDecodeMembers(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3})
	f.Add([]byte{30, 51, 13, 90})
	all := members()
	if !enabled {
		f.Skip("plainjson is off under GOEXPERIMENT=jsonv2")
	}
	d := For(reflect.TypeFor[nested]())
	f.Fuzz(func(t *testing.T, spec []byte) {
		parts := make([]string, len(spec))
		for n, c := range spec {
			parts[n] = all[int(c)%len(all)]
		}
		decode[nested](t, d, []byte("{"+strings.Join(parts, ",")+"}"))
	})
}
