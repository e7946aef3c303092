package schema

import (
	"errors"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

func TestCompile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, schema string
		want         string // error text
	}{
		{"draft 2020-12", `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}`, ""},
		{"draft-07", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}`, ""},
		{"no $schema", `{"prefixItems":[{"type":"integer"}]}`, ""},
		{"not JSON", `{"type":`, "compile schema: unexpected end of JSON input"},
		{
			"not a schema", `{"type":"whatever"}`,
			`compile schema: not a valid JSON Schema: /type: expected array, but got string; ` +
				`/type: value must be one of "array", "boolean", "integer", "null", "number", "object", "string"`,
		},
		{
			"relative reference", `{"$ref":"other.json"}`,
			"compile schema: references to other documents are not supported: https://natq.invalid/other.json",
		},
		{
			"file reference", `{"$ref":"file:///etc/passwd"}`,
			"compile schema: references to other documents are not supported: file:///etc/passwd",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Compile([]byte(tt.schema))
			if got := errText(err); got != tt.want {
				t.Fatalf("Compile(%s): got error %q, want %q", tt.schema, got, tt.want)
			}
			if (s == nil) != (tt.want != "") {
				t.Errorf("Compile(%s): got schema %v, want one only without error", tt.schema, s)
			}
		})
	}
}

// TestCompileDefaultDraft checks that a document without "$schema" gets
// draft 2020-12 keywords, and that format assertion is on.
func TestCompileDefaultDraft(t *testing.T) {
	t.Parallel()
	s, err := Compile([]byte(`{"prefixItems":[{"type":"integer"},{"format":"uuid"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ doc, want string }{
		{`[1,"7f1c0a44-0c1a-4a5e-9d5e-1b2c3d4e5f60"]`, ""},
		{`["x"]`, "invalid input: /0: expected integer, but got string"},
		{`[1,"nope"]`, `invalid input: /1: "nope" is not a valid uuid`},
	}
	for _, tt := range tests {
		if got := errText(s.Validate(decode(t, tt.doc))); got != tt.want {
			t.Errorf("Validate(%s): got %q, want %q", tt.doc, got, tt.want)
		}
	}
}

// TestCompileKeepsCause checks that the compiler's own error stays
// reachable behind the shorter message.
func TestCompileKeepsCause(t *testing.T) {
	t.Parallel()
	_, err := Compile([]byte(`{"type":5}`))
	var se *jsonschema.SchemaError
	if !errors.As(err, &se) {
		t.Errorf("errors.As(%v, *SchemaError): got false, want true", err)
	}
	if strings.Contains(errText(err), "failed to") {
		t.Errorf("error %q: got \"failed to\", want a short verb phrase", err)
	}
}
