package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oklog/ulid/v2"

	"github.com/natq/natq-go/codec"
)

type (
	Order struct {
		Item string `json:"item"`
		Qty  int    `json:"qty,omitempty"`
	}
	ClaimsRunID struct {
		Item  string `json:"item"`
		RunID string `json:"runId"`
	}
	envelopeLike struct {
		Drop bool `json:"dropResultOnSuccess"`
	}
	ClaimsDropByEmbedding struct {
		envelopeLike
		Item string `json:"item"`
	}
	Key string
)

func TestReflectInputTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		typ  reflect.Type
		want string // error text, "" for success
	}{
		{"struct", reflect.TypeFor[Order](), ""},
		{"pointer to struct", reflect.TypeFor[*Order](), ""},
		{"pointer to pointer", reflect.TypeFor[**Order](), ""},
		{"map of any", reflect.TypeFor[map[string]any](), ""},
		{"map of int", reflect.TypeFor[map[string]int](), ""},
		{"map with named string keys", reflect.TypeFor[map[Key]bool](), ""},
		{"empty struct", reflect.TypeFor[struct{}](), ""},
		{"slice", reflect.TypeFor[[]int](), "reflect []int: " + errNotObject.Error()},
		{"int", reflect.TypeFor[int](), "reflect int: " + errNotObject.Error()},
		{"string", reflect.TypeFor[string](), "reflect string: " + errNotObject.Error()},
		{
			"map with int keys", reflect.TypeFor[map[int]string](),
			"reflect map[int]string: " + errNotObject.Error(),
		},
		{
			"time", reflect.TypeFor[time.Time](),
			"reflect time.Time: " + errNotObject.Error() + "; time.Time encodes as a string",
		},
		{
			"text marshaler", reflect.TypeFor[ulid.ULID](),
			"reflect ulid.ULID: " + errNotObject.Error() + "; ulid.ULID encodes as a string",
		},
		{
			"field named runId", reflect.TypeFor[ClaimsRunID](),
			`reflect schema.ClaimsRunID: field RunID: JSON name "runId" is reserved for the envelope`,
		},
		{
			"promoted dropResultOnSuccess", reflect.TypeFor[ClaimsDropByEmbedding](),
			`reflect schema.ClaimsDropByEmbedding: field Drop: JSON name "dropResultOnSuccess" is reserved for the envelope`,
		},
		{"nil", nil, "reflect: nil type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := ReflectInput(tt.typ)
			if got := errText(err); got != tt.want {
				t.Fatalf("ReflectInput(%v): got error %q, want %q", tt.typ, got, tt.want)
			}
			if (s == nil) != (tt.want != "") {
				t.Errorf("ReflectInput(%v): got schema %v, want one only without error", tt.typ, s)
			}
		})
	}
}

func TestReflectInputDocuments(t *testing.T) {
	t.Parallel()
	order, err := ReflectInput(reflect.TypeFor[*Order]())
	if err != nil {
		t.Fatal(err)
	}
	anyMap, err := ReflectInput(reflect.TypeFor[map[string]any]())
	if err != nil {
		t.Fatal(err)
	}
	intMap, err := ReflectInput(reflect.TypeFor[map[string]int]())
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", codec.MaxRunIDLength+1)
	tests := []struct {
		name string
		s    *Schema
		doc  string
		want string
	}{
		{"reserved fields", order, `{"runId":"order-42","dropResultOnSuccess":true,"item":"book"}`, ""},
		{"dotted run id", order, `{"runId":"a.b=/c_d","item":"book"}`, ""},
		{"no reserved fields", order, `{"item":"book","qty":2}`, ""},
		{
			"run id with a space", order, `{"runId":"a b","item":"book"}`,
			`invalid input: /runId: does not match pattern '` + codec.RunIDPattern + `'`,
		},
		{
			"run id not a string", order, `{"runId":5,"item":"book"}`,
			`invalid input: /runId: expected string, but got number`,
		},
		{
			"empty run id", order, `{"runId":"","item":"book"}`,
			`invalid input: /runId: does not match pattern '` + codec.RunIDPattern + `'; /runId: length must be >= 1, but got 0`,
		},
		{
			"run id too long", order, `{"runId":"` + long + `","item":"book"}`,
			`invalid input: /runId: length must be <= 256, but got 257`,
		},
		{
			"drop flag not a boolean", order, `{"dropResultOnSuccess":"yes","item":"book"}`,
			`invalid input: /dropResultOnSuccess: expected boolean, but got string`,
		},
		{
			"other fields still closed", order, `{"item":"book","extra":1}`,
			`invalid input: (root): property "extra" is not allowed`,
		},
		{"null input", order, `null`, `invalid input: (root): expected object, but got null`},
		{"any map", anyMap, `{"runId":"r1","whatever":[1,{}]}`, ""},
		{
			"any map, bad run id", anyMap, `{"runId":"a b"}`,
			`invalid input: /runId: does not match pattern '` + codec.RunIDPattern + `'`,
		},
		{"any map is never null", anyMap, `null`, `invalid input: (root): expected object, but got null`},
		{"int map with reserved fields", intMap, `{"n":1,"runId":"r","dropResultOnSuccess":false}`, ""},
		{"int map, bad value", intMap, `{"n":"one"}`, `invalid input: /n: expected integer, but got string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := decode(t, tt.doc)
			if got := errText(tt.s.Validate(doc)); got != tt.want {
				t.Errorf("Validate(%s): got %q, want %q", tt.doc, got, tt.want)
			}
			if got := errText(published(t, tt.s).Validate(doc)); got != tt.want {
				t.Errorf("published Validate(%s): got %q, want %q", tt.doc, got, tt.want)
			}
		})
	}
}

// TestReflectInputDeclaresReserved checks the published declaration of
// the reserved fields, which other SDKs read.
func TestReflectInputDeclaresReserved(t *testing.T) {
	t.Parallel()
	s, err := ReflectInput(reflect.TypeFor[Order]())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Properties map[string]map[string]any `json:"properties"`
		Required   []string                  `json:"required"`
	}
	if err := json.Unmarshal(s.JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]any{
		"item": {"type": "string"},
		"qty":  {"type": "integer"},
		"runId": {
			"type": "string", "pattern": codec.RunIDPattern,
			"minLength": 1.0, "maxLength": float64(codec.MaxRunIDLength),
		},
		"dropResultOnSuccess": {"type": "boolean"},
	}
	if diff := cmp.Diff(want, doc.Properties); diff != "" {
		t.Errorf("properties: (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([]string{"item"}, doc.Required); diff != "" {
		t.Errorf("required: (-want +got)\n%s", diff)
	}
}

// TestReflectInputLeavesNestedUseAlone checks that a recursive input type
// takes the reserved fields at the root only.
func TestReflectInputLeavesNestedUseAlone(t *testing.T) {
	t.Parallel()
	s, err := ReflectInput(reflect.TypeFor[Node]())
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, `{"runId":"r","name":"a","children":[{"runId":"r","name":"b","children":null}]}`)
	want := `invalid input: /children/0: property "runId" is not allowed`
	if got := errText(s.Validate(doc)); got != want {
		t.Errorf("Validate: got %q, want %q", got, want)
	}
}
