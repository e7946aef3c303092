package schema

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/invopop/jsonschema"

	"github.com/natq/natq-go/schema/internal/testtypes/a"
)

type (
	// Percent describes itself, so its schema is trusted as it is.
	Percent int
	Rated   struct {
		Score Percent     `json:"score"`
		Temp  Temperature `json:"temp"`
	}
	Tagged2 struct {
		Age   int      `json:"age" jsonschema:"minimum=0"`
		Tags  []string `json:"tags" jsonschema:"nullable"`
		Maybe *Tagged  `json:"maybe" jsonschema:"nullable"`
	}
	Optional struct {
		Need string `json:"need"`
		Omit string `json:"omit,omitempty"`
		Zero int    `json:"zero,omitzero"`
	}
	WithChan    struct{ C chan int }
	WithFunc    struct{ F func() }
	WithComplex struct{ C complex128 }
	BadPattern  struct {
		S string `jsonschema:"pattern=["`
	}
	Loop     struct{ *Loop }
	SelfPtr  *SelfPtr
	HoldsPtr struct{ P SelfPtr }
)

func (Percent) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "integer", Minimum: "0", Maximum: "100"}
}

func TestReflectDraft(t *testing.T) {
	t.Parallel()
	var doc struct {
		Schema string `json:"$schema"`
	}
	if err := json.Unmarshal(mustReflect[Node](t).JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	if want := "https://json-schema.org/draft/2020-12/schema"; doc.Schema != want {
		t.Errorf("$schema: got %q, want %q", doc.Schema, want)
	}
}

// TestReflectDefinitionKeys checks that same-named and generic types get
// keys that are safe in a JSON pointer, and that every reference resolves.
func TestReflectDefinitionKeys(t *testing.T) {
	t.Parallel()
	var doc struct {
		Defs map[string]json.RawMessage `json:"$defs"`
	}
	raw := mustReflect[SameNames](t).JSON()
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	safe := regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	for name := range doc.Defs {
		if !safe.MatchString(name) {
			t.Errorf("$defs key %q: got unsafe characters, want [A-Za-z0-9_.-]", name)
		}
	}
	if got, want := len(doc.Defs), 4; got != want {
		t.Errorf("len($defs): got %d, want %d (two Items, two Pages)", got, want)
	}
	for _, m := range regexp.MustCompile(`"#/\$defs/([^"]*)"`).FindAllSubmatch(raw, -1) {
		if _, ok := doc.Defs[string(m[1])]; !ok {
			t.Errorf("$ref %s: got no such definition, want one", m[1])
		}
	}
}

// TestReflectKeepsTypesApart checks by behaviour that same-named types from
// two packages, and two instances of one generic type, keep their own
// schemas.
func TestReflectKeepsTypesApart(t *testing.T) {
	t.Parallel()
	s := mustReflect[SameNames](t)
	valid := `{"sku":"x","qty":1}`
	other := `{"label":"y"}`
	tests := []struct {
		name, doc, want string
	}{
		{"each its own", doc4(valid, other, valid, other), ""},
		{
			"b's item in a", doc4(other, other, valid, other),
			`invalid input: /a: missing property "qty"; /a: missing property "sku"; /a: property "label" is not allowed`,
		},
		{
			"a's item in b's page", doc4(valid, other, valid, valid),
			`invalid input: /pb/items/0: missing property "label"; /pb/items/0: property "qty" is not allowed; /pb/items/0: property "sku" is not allowed`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := errText(s.Validate(decode(t, tt.doc))); got != tt.want {
				t.Errorf("Validate: got %q, want %q", got, tt.want)
			}
		})
	}
}

func doc4(a, b, pa, pb string) string {
	return `{"a":` + a + `,"b":` + b +
		`,"pa":{"items":[` + pa + `]},"pb":{"items":[` + pb + `]}}`
}

func TestReflectStructRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    *Schema
		doc  string
		want string
	}{
		{"omitted optional fields", mustReflect[Optional](t), `{"need":"x"}`, ""},
		{
			"missing required field", mustReflect[Optional](t), `{"omit":"x"}`,
			`invalid input: (root): missing property "need"`,
		},
		{
			"unknown field", mustReflect[Optional](t), `{"need":"x","other":1}`,
			`invalid input: (root): property "other" is not allowed`,
		},
		{
			"deep in a recursive type", mustReflect[Node](t),
			`{"name":"r","children":[{"name":"c","children":[{"name":1,"children":null}]}]}`,
			`invalid input: /children/0/children/0/name: expected string, but got number`,
		},
		{
			"recursive pointer is nullable", mustReflect[Node](t),
			`{"name":"r","children":null,"parent":null}`, "",
		},
		{
			"own schema is trusted", mustReflect[Rated](t), `{"score":101,"temp":"any"}`,
			`invalid input: /score: must be <= 100 but found 101`,
		},
		{"marshaler accepts anything", mustReflect[Rated](t), `{"score":0,"temp":[{}]}`, ""},
		{
			"tag keyword kept", mustReflect[Tagged2](t), `{"age":-1,"tags":null,"maybe":null}`,
			`invalid input: /age: must be >= 0 but found -1`,
		},
		{
			"nullable tag", mustReflect[Tagged2](t), `{"age":0,"tags":null,"maybe":{"inner":"x"}}`,
			`invalid input: /maybe/inner: expected integer, but got string`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := errText(tt.s.Validate(decode(t, tt.doc))); got != tt.want {
				t.Errorf("Validate(%s): got %q, want %q\nschema: %s",
					tt.doc, got, tt.want, tt.s.JSON())
			}
		})
	}
}

func TestReflectIsStable(t *testing.T) {
	t.Parallel()
	for _, typ := range []reflect.Type{
		reflect.TypeFor[Everything](),
		reflect.TypeFor[SameNames](),
		reflect.TypeFor[Page[a.Item]](),
	} {
		first, err := Reflect(typ)
		if err != nil {
			t.Fatalf("Reflect(%s): %v", typ, err)
		}
		for range 5 {
			again, err := Reflect(typ)
			if err != nil {
				t.Fatalf("Reflect(%s): %v", typ, err)
			}
			if !bytes.Equal(again.JSON(), first.JSON()) {
				t.Fatalf("Reflect(%s).JSON(): got %s, want %s", typ, again.JSON(), first.JSON())
			}
		}
	}
}

func TestReflectErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		typ  reflect.Type
		want string // the error's prefix
	}{
		{"nil type", nil, "reflect: nil type"},
		{"chan", reflect.TypeFor[WithChan](), "reflect schema.WithChan: unsupported type chan int"},
		{"func", reflect.TypeFor[WithFunc](), "reflect schema.WithFunc: unsupported type func()"},
		{"complex", reflect.TypeFor[WithComplex](), "reflect schema.WithComplex: unsupported type complex128"},
		{"bad tag", reflect.TypeFor[BadPattern](), "reflect schema.BadPattern: compile schema: "},
		{
			"embeds itself", reflect.TypeFor[Loop](),
			"reflect schema.Loop: schema.Loop embeds itself through a pointer",
		},
		{
			"points to itself", reflect.TypeFor[HoldsPtr](),
			"reflect schema.HoldsPtr: schema.SelfPtr points to itself",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Reflect(tt.typ)
			if s != nil || !strings.HasPrefix(errText(err), tt.want) {
				t.Fatalf("Reflect: got (%v, %q), want (nil, %q...)", s, errText(err), tt.want)
			}
			if strings.Contains(err.Error(), "failed to") {
				t.Errorf("error %q: got \"failed to\", want a short verb phrase", err)
			}
		})
	}
}
