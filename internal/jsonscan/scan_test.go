package jsonscan

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// documents are texts to scan: valid JSON of every kind, and near misses.
var documents = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e+10`, `-12.5E-3`, `true`, `false`, `null`,
	`{"a":[1,{"b":null}],"c":"x\"y\\z\/\b\f\n\r\t\u00e9"}`, ` { "a" : 1 , "b" : [ ] } `,
	`{"a":1,}`, `[1,]`, `{"a" 1}`, `{"a":}`, `{1:2}`, `{"a":1 "b":2}`, `[1 2]`,
	`01`, `1.`, `.5`, `-`, `1e`, `1e+`, `+1`, `0x10`, `NaN`, `tru`, `nulls`,
	`"\x"`, `"\u12"`, `"\u12G4"`, "\"a\tb\"", `"abc`, `{"a":"b"`, `[`, `{`, ``,
	`"é"`, `{"é":"ü"}`,
	strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth),
}

// TestValueAgreesWithEncodingJSON checks that a scanned document is
// exactly what encoding/json calls valid, within the depth the scanner
// follows.
func TestValueAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, doc := range documents {
		if got, want := valid(doc), json.Valid([]byte(doc)); got != want {
			t.Errorf("scan %q: got valid %v, want %v", doc, got, want)
		}
	}
}

func TestValueStopsAtMaxDepth(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	if valid(deep) {
		t.Errorf("scan of %d nested arrays: got valid, want not scanned", MaxDepth+1)
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		doc             string
		depth, exponent int
		scanned         bool
	}{
		{`{"a":[1,{"b":2}]}`, 3, 0, true},
		{`{"a":"[[[{{{e999999"}`, 1, 0, true},
		{`[1e1000,-2E-1000,3e+7]`, 1, MaxExponent, true},
		{`[1e1001]`, 1, MaxExponent + 1, false},
		{`{"x":-1e99999999999999999999}`, 1, MaxExponent + 1, false},
		{`"\"[[["`, 0, 0, true},
	} {
		depth, exponent := Measure([]byte(c.doc))
		if depth != c.depth || exponent != c.exponent {
			t.Errorf("Measure(%s): got %d, %d; want %d, %d", c.doc, depth, exponent, c.depth, c.exponent)
		}
		if got := valid(c.doc); got != c.scanned {
			t.Errorf("scan %s: got %v, want %v", c.doc, got, c.scanned)
		}
	}
}

func valid(doc string) bool {
	b := []byte(doc)
	i := Space(b, 0)
	end, ok := Value(b, i, 0)
	return ok && Space(b, end) == len(b)
}

func TestUnquote(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ token, want string }{
		{`"plain"`, "plain"}, {`"a\"b\u00e9\n"`, "a\"bé\n"}, {`""`, ""},
	} {
		end, escaped, ok := String([]byte(c.token), 0)
		if !ok || end != len(c.token) {
			t.Fatalf("String(%s): got end %d ok %v, want %d true", c.token, end, ok, len(c.token))
		}
		if got, ok := Unquote([]byte(c.token), escaped); !ok || got != c.want {
			t.Errorf("Unquote(%s): got %q %v, want %q true", c.token, got, ok, c.want)
		}
	}
}

func FuzzValue(f *testing.F) {
	for _, doc := range documents {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		if _, exp := Measure([]byte(doc)); !utf8.ValidString(doc) || exp > MaxExponent ||
			strings.Count(doc, "[")+strings.Count(doc, "{") >= MaxDepth {
			return // callers check UTF-8 first; the limits have their own tests
		}
		if got, want := valid(doc), json.Valid([]byte(doc)); got != want {
			t.Errorf("scan %q: got valid %v, want %v", doc, got, want)
		}
	})
}

func TestRepeatsKey(t *testing.T) {
	many := func(n int, last string) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, `"k%d":%d,`, i, i)
		}
		b.WriteString(last + "}")
		return b.String()
	}
	tests := []struct {
		in   string
		want bool
	}{
		{`{"a":1,"a":2}`, true},
		{`{"a":1,"\u0061":2}`, true}, // the same key, escaped
		{`{"x":{"a":1,"a":1}}`, true},
		{`[1,{"a":{"b":[{"c":1,"c":2}]}}]`, true},
		{many(40, `"k39":0`), true}, // past the short list
		{many(40, `"end":0`), false},
		{`{"a":{"b":1},"b":2}`, false}, // in other objects
		{`[{"a":1},{"a":1}]`, false},
		{`{"a":1,"A":2}`, false},
		{`"a"`, false},
		{`{}`, false},
	}
	for _, tt := range tests {
		if got := RepeatsKey([]byte(tt.in)); got != tt.want {
			t.Errorf("RepeatsKey(%.60s) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
