package flatjson

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

// decode decodes data with d, and with encoding/json, and fails when d
// decodes what encoding/json refuses or decodes it differently. It
// reports whether d decoded it.
func decode(t *testing.T, d *Decoder, data []byte) bool {
	t.Helper()
	var want flat
	werr := json.Unmarshal(data, &want)
	var got flat
	if !d.Decode(data, reflect.ValueOf(&got).Elem()) {
		return false
	}
	if werr != nil {
		t.Fatalf("%q: decoded %+v, encoding/json refuses it: %v", data, got, werr)
	}
	if got.hidden != 0 {
		t.Fatalf("%q: set an unexported field", data)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: got %+v, encoding/json gives %+v", data, got, want)
	}
	return true
}

func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	d := For(reflect.TypeFor[flat]())
	if d == nil {
		t.Fatal("For(flat) = nil, want a decoder")
	}
	tests := []struct {
		in   string
		fast bool // decoded here, not left to encoding/json
	}{
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
		{`null`, false},             // not an object
		{`[]`, false},               // not an object
		{"{\"s\":\"\xff\"}", false}, // invalid UTF-8
		{``, false},
	}
	for _, tt := range tests {
		if got := decode(t, d, []byte(tt.in)); got != tt.fast {
			t.Errorf("%q: decoded here %v, want %v", tt.in, got, tt.fast)
		}
	}
}

type unmarshaler struct{ N int }

func (u *unmarshaler) UnmarshalJSON([]byte) error { return nil }

// Only flat structs without their own decoding get a decoder.
func TestForDeclines(t *testing.T) {
	type base struct{ N int }
	tests := map[string]reflect.Type{
		"not a struct":     reflect.TypeFor[map[string]int](),
		"embedded":         reflect.TypeFor[struct{ base }](),
		"pointer field":    reflect.TypeFor[struct{ N *int }](),
		"slice field":      reflect.TypeFor[struct{ N []int }](),
		"struct field":     reflect.TypeFor[struct{ N base }](),
		"interface field":  reflect.TypeFor[struct{ N any }](),
		"text unmarshaler": reflect.TypeFor[struct{ T time.Time }](),
		"own unmarshaler":  reflect.TypeFor[unmarshaler](),
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
	d := For(reflect.TypeFor[flat]())
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
	d := For(reflect.TypeFor[flat]())
	f.Fuzz(func(t *testing.T, data []byte) {
		decode(t, d, data)
	})
}

// members are members of the decoder's own keys with values of every
// kind, so that repeated keys, nulls and values of the wrong kind meet;
// random bytes seldom spell them.
func members() []string {
	keys := []string{"b", "s", "i", "i8", "u16", "u", "f32", "f", "label", "Plain", "B", "x"}
	values := []string{
		"true", "false", "null", `"x"`, `""`, `"\u00e9"`, "0", "-0", "1", "-1",
		"255", "65536", "1.5", "1e2", "1e39", "-1e308", "[]", "{}",
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
	d := For(reflect.TypeFor[flat]())
	all := members()
	decoded := 0
	for _, a := range all {
		for _, b := range all {
			if decode(t, d, []byte("{"+a+","+b+"}")) {
				decoded++
			}
		}
	}
	if decoded == 0 {
		t.Error("no pair decoded here: the comparison compared nothing")
	}
}

// FuzzDecodeMembers decodes objects of any number of members.
func FuzzDecodeMembers(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3})
	f.Add([]byte{0, 12, 13})
	all := members()
	d := For(reflect.TypeFor[flat]())
	f.Fuzz(func(t *testing.T, spec []byte) {
		parts := make([]string, len(spec))
		for n, c := range spec {
			parts[n] = all[int(c)%len(all)]
		}
		decode(t, d, []byte("{"+strings.Join(parts, ",")+"}"))
	})
}
