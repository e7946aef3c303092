package schema

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Wide has a field of each kind reflection handles differently.
type Wide struct {
	Name    string            `json:"name" jsonschema:"minLength=1,maxLength=5"`
	Count   int               `json:"count"`
	Small   int8              `json:"small,omitempty"`
	Byte    uint8             `json:"byte,omitempty"`
	Big     uint64            `json:"big,omitempty"`
	Ratio   float32           `json:"ratio,omitempty" jsonschema:"exclusiveMinimum=0,exclusiveMaximum=1"`
	When    time.Time         `json:"when"`
	Maybe   *time.Time        `json:"maybe,omitempty"`
	Tags    []string          `json:"tags,omitempty" jsonschema:"minItems=1,maxItems=3"`
	Scores  map[string]int    `json:"scores,omitempty"`
	Blob    []byte            `json:"blob,omitempty"`
	On      bool              `json:"on,omitempty"`
	Kind    string            `json:"kind,omitempty" jsonschema:"enum=a,enum=b"`
	Nested  *Wide             `json:"nested,omitempty"`
	List    []Signup          `json:"list,omitempty"`
	Any     any               `json:"any,omitempty"`
	Raw     json.RawMessage   `json:"raw,omitempty"`
	Strings map[string]string `json:"strings,omitempty"`
}

// fastSchemas are the schemas the fast validator is compared on: the
// reflected ones it covers, and hand-written ones with keywords it covers
// in other forms or not at all.
func fastSchemas(t testing.TB) map[string]*Schema {
	t.Helper()
	out := map[string]*Schema{
		"signup": mustReflect[Signup](t),
		"wide":   mustReflect[Wide](t),
	}
	in, err := ReflectInput(reflect.TypeFor[Wide]())
	if err != nil {
		t.Fatal(err)
	}
	out["wide input"] = in
	for name, doc := range map[string]string{
		"const":      `{"properties":{"k":{"const":"x"},"n":{"const":null},"b":{"const":true}}}`,
		"enum mixed": `{"enum":["a",true,null]}`,
		"enum num":   `{"enum":[1,"a"]}`,
		"anyOf":      `{"anyOf":[{"type":"integer","minimum":10},{"type":"string","pattern":"^z"}]}`,
		"allOf":      `{"allOf":[{"type":"object","required":["a"]},{"properties":{"a":{"type":"boolean"}}}]}`,
		"oneOf":      `{"oneOf":[{"type":"integer"},{"type":"number"}]}`,
		"not":        `{"not":{"type":"string"}}`,
		"booleans":   `{"properties":{"yes":true,"no":false}}`,
		"extra":      `{"type":"object","additionalProperties":{"type":"integer","maximum":3}}`,
		"required":   `{"type":"object","required":["a","b"]}`,
		"closed":     `{"type":"object","required":["a"],"additionalProperties":false}`,
		"fractions":  `{"type":"number","minimum":0.5}`,
		"tenths":     `{"type":"number","minimum":0.1}`,
		"exact long": `{"type":"number","maximum":0.1000000000000000055511151231257827021181583404541015625}`,
		"huge":       `{"type":"integer","maximum":1e30,"minimum":-1e30}`,
		"unknown":    `{"type":"string","format":"no-such-format"}`,
		"multipleOf": `{"type":"number","multipleOf":2}`,
		"array":      `{"type":"array","items":{"type":"array","items":{"type":"null"}}}`,
		"unique":     `{"type":"array","uniqueItems":true}`,
		"formats":    `{"properties":{"e":{"format":"email"},"u":{"format":"uuid"},"d":{"format":"date"}}}`,
	} {
		s, err := Compile([]byte(doc))
		if err != nil {
			t.Fatalf("compile %s: %v", name, err)
		}
		out[name] = s
	}
	return out
}

// fastDocs are documents to check every schema with: valid and invalid
// for some schema, and text that is not JSON.
var fastDocs = []string{
	validSignup,
	`{"name":"Ann","email":"a@b.c","age":0,"code":"ABC","plan":"pro","tags":null,"friend":` + validSignup + `}`,
	`{"name":"Ann","email":"not an email","age":1}`,
	`{"name":"Ann","email":"a@b.c","age":1.0}`,
	`{"name":"Ann","email":"a@b.c","age":1e1}`,
	`{"name":"Ann","email":"a@b.c","age":150.0000000000000001}`,
	`{"name":"Ann","email":"a@b.c","age":-0}`,
	`{"name":"Ann","email":"a@b.c","age":151,"age":1}`,
	`{"name":"Ann","email":"a@b.c","age":1,"age":151}`,
	`{"name":"A\u006en","email":"a@b.c","age":1}`,
	`{"n\u0061me":"Ann","email":"a@b.c","age":1}`,
	`{"name":"Ann","email":"a@b.c","age":1,"code":"ABCD"}`,
	`{"name":"Ann","email":"a@b.c","age":1,"plan":"gold"}`,
	`{"name":"Ann","email":"a@b.c","age":1,"friend":null}`,
	`{"name":"Ann","email":"a@b.c","age":1,"friend":{"name":"B"}}`,
	`{"name":"Ann","email":"a@b.c","age":1,"tags":["x",1]}`,
	`{"name":"Ann","email":"a@b.c","age":1} x`,
	`{"name":"Ann","email":"a@b.c","age":1,}`,
	`{"name":"Ann" "email":"a@b.c","age":1}`,
	`{"name":"Ann","email":"a@b.c","age":01}`,
	`{"name":"Ann\x01","email":"a@b.c","age":1}`,
	"{\"name\":\"Ann\xff\",\"email\":\"a@b.c\",\"age\":1}",
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z"}`,
	`{"name":"xxxxx","count":-3,"when":"2024-01-02T03:04:05.5+02:00","maybe":null,"tags":["a"],
	  "scores":{"a":1,"b":-2},"blob":"aGk=","on":true,"kind":"b","ratio":0.5,"small":-128,"byte":255,
	  "big":18446744073709551615,"any":[1,{"x":null}],"raw":{"k":[]},"strings":{"k":"v"},
	  "nested":{"name":"y","count":0,"when":"2024-01-02T03:04:05Z"},"list":[` + validSignup + `]}`,
	`{"name":"","count":3,"when":"2024-01-02T03:04:05Z"}`,
	`{"name":"xxxxxx","count":3,"when":"2024-01-02T03:04:05Z"}`,
	`{"name":"ééééé","count":3,"when":"2024-01-02T03:04:05Z"}`,
	`{"name":"x","count":3,"when":"yesterday"}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","small":128}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","byte":-1}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","big":18446744073709551616}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","ratio":0}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","ratio":1}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","ratio":0.999999999999999}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","tags":[]}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","tags":["a","b","c","d"]}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","kind":"c"}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","scores":{"a":"1"}}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","runId":"r-1","dropResultOnSuccess":true}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","runId":"bad id"}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","runId":7}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","dropResultOnSuccess":"yes"}`,
	`{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","nested":{"name":"y"}}`,
	`{"k":"x","n":null,"b":true}`, `{"k":"y"}`, `{"n":false}`, `{"b":false}`,
	`"a"`, `true`, `null`, `false`, `"b"`, `1`,
	`9`, `10`, `10.0`, `"zebra"`, `"ant"`, `{}`, `[]`,
	`{"a":true}`, `{"a":1}`, `{"b":true}`, `{"a":true,"b":null}`, `{"a":true,"b":null,"c":1}`,
	`{"yes":1}`, `{"no":1}`, `{"x":3}`, `{"x":4}`, `{"x":"3"}`,
	`0.5`, `0.49999999999999999999`, `0.1`, `0.10000000000000001`, `0.09999999999999`, `0.4999999999999`, `1e31`, `-1e31`, `123456789012345678901234567890`,
	`"2024-01-02"`, `[[null],[]]`, `[[1]]`, `[1,1]`, `[1,2]`,
	`{"e":"a@b.c","u":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","d":"2024-02-30"}`,
	`{"e":"a@b.c","u":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","d":"2024-02-28"}`,
	`{"e":"@","u":"x","d":"2024-02-28"}`,
	``, ` `, `{`, `[`, `{"a":}`, `{"a" 1}`, `[1,]`, `"\u12"`, `"\q"`, `nul`, `1.`, `-`, `1e`, `.5`,
	strings.Repeat("[", 600) + strings.Repeat("]", 600),
}

// TestAcceptsIsSound checks that the fast validator accepts only what the
// full validator accepts, on every schema and document of the tables.
func TestAcceptsIsSound(t *testing.T) {
	t.Parallel()
	for name, s := range fastSchemas(t) {
		for _, doc := range fastDocs {
			if !s.Accepts([]byte(doc)) {
				continue
			}
			if err := fullVerdict(s, []byte(doc)); err != "" {
				t.Errorf("%s: Accepts(%s) = true, but the full validator says %s", name, doc, err)
			}
		}
	}
}

// fullVerdict is what the full path says of doc: "" when it is valid.
func fullVerdict(s *Schema, doc []byte) string {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "not JSON: " + err.Error()
	}
	if _, err := dec.Token(); err == nil {
		return "data after the document"
	}
	if !json.Valid(doc) {
		return "not JSON"
	}
	if err := s.Validate(v); err != nil {
		return err.Error()
	}
	return ""
}

// TestAcceptsCoversCommonInputs checks that the fast path is taken for
// the valid documents a worker sees most, so it is not a check that
// always fails over to the full validator.
func TestAcceptsCoversCommonInputs(t *testing.T) {
	t.Parallel()
	schemas := fastSchemas(t)
	for _, c := range []struct{ schema, doc string }{
		{"signup", validSignup},
		{"signup", fastDocs[1]},
		{"wide", fastDocs[23]},
		{"wide", `{"name":"ééééé","count":3,"when":"2024-01-02T03:04:05Z"}`},
		{"wide", `{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","ratio":0.99999999999999}`},
		{"fractions", `0.5`},
		{"wide input", `{"name":"x","count":3,"when":"2024-01-02T03:04:05Z","runId":"r-1","dropResultOnSuccess":true}`},
		{"const", `{"k":"x","n":null,"b":true}`},
		{"enum mixed", `"a"`},
		{"enum mixed", `null`},
		{"enum mixed", `true`},
		{"anyOf", `10`},
		{"anyOf", `"zebra"`},
		{"allOf", `{"a":true}`},
		{"booleans", `{"yes":1}`},
		{"extra", `{"x":3}`},
		{"required", `{"a":true,"b":null}`},
		{"huge", `123456789012345`},
		{"unknown", `"anything"`},
		{"array", `[[null],[]]`},
		{"formats", `{"e":"a@b.c","u":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","d":"2024-02-28"}`},
	} {
		if !schemas[c.schema].Accepts([]byte(c.doc)) {
			t.Errorf("%s: Accepts(%s) = false, want true", c.schema, c.doc)
		}
	}
}

// TestAcceptsDeclinesRepeatedKeys checks that a document repeating a
// declared property goes to the full path, which reads the last value as
// the handler will get it, even when every value would pass.
func TestAcceptsDeclinesRepeatedKeys(t *testing.T) {
	t.Parallel()
	s := fastSchemas(t)["signup"]
	if !s.Accepts([]byte(validSignup)) {
		t.Fatalf("Accepts(%s) = false, want true", validSignup)
	}
	for _, doc := range []string{
		`{"name":"Ann","email":"a@b.c","age":1,"age":1}`,
		`{"name":"Ann","name":"Bob","email":"a@b.c","age":1}`,
	} {
		if s.Accepts([]byte(doc)) {
			t.Errorf("Accepts(%s) = true, want false", doc)
		}
	}
}

// TestAcceptsDeclinesRepeatedKeysAnywhere checks that a repeated key is
// found inside a value the schema lets through unseen, and only costs a
// look for repeated keys where the schema has such values.
func TestAcceptsDeclinesRepeatedKeysAnywhere(t *testing.T) {
	t.Parallel()
	type open struct {
		Any  any            `json:"any"`
		List []any          `json:"list,omitempty"`
		Map  map[string]int `json:"map,omitempty"`
	}
	s, err := Reflect(reflect.TypeFor[open]())
	if err != nil {
		t.Fatal(err)
	}
	if !s.permissive {
		t.Error("a schema with an any field is not marked permissive")
	}
	for doc, want := range map[string]bool{
		`{"any":{"x":1}}`:                  true,
		`{"any":{"x":1,"x":2}}`:            false,
		`{"any":1,"list":[{"a":1,"a":1}]}`: false,
		`{"any":1,"map":{"k":1,"k":2}}`:    false,
	} {
		if got := s.Accepts([]byte(doc)); got != want {
			t.Errorf("Accepts(%s) = %v, want %v", doc, got, want)
		}
	}
	type closed struct {
		N    int      `json:"n"`
		Tags []string `json:"tags"`
		Sub  struct {
			M map[string]int `json:"m"`
		} `json:"sub"`
	}
	if s, err := Reflect(reflect.TypeFor[closed]()); err != nil || s.permissive {
		t.Errorf("a schema of typed fields: permissive %v, %v; want false", s != nil && s.permissive, err)
	}
}

// TestAcceptsLeavesUncoveredKeywords checks that a schema with a keyword
// the fast validator does not cover never takes the fast path.
func TestAcceptsLeavesUncoveredKeywords(t *testing.T) {
	t.Parallel()
	schemas := fastSchemas(t)
	for _, name := range []string{"oneOf", "not", "multipleOf", "unique", "tenths", "exact long", "enum num"} {
		if schemas[name].fast != nil {
			t.Errorf("%s: compiled for the fast path, want the full validator only", name)
		}
	}
}

// FuzzAccepts checks the fast validator's soundness on arbitrary text.
func FuzzAccepts(f *testing.F) {
	for _, doc := range fastDocs {
		f.Add(doc)
	}
	schemas := fastSchemas(f)
	f.Fuzz(func(t *testing.T, doc string) {
		for name, s := range schemas {
			if !s.Accepts([]byte(doc)) {
				continue
			}
			if err := fullVerdict(s, []byte(doc)); err != "" {
				t.Errorf("%s: Accepts(%q) = true, but the full validator says %s", name, doc, err)
			}
		}
	})
}
