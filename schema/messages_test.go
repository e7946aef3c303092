package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

func TestQuotedList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{`'a'`, []string{"a"}, true},
		{`'a', 'b'`, []string{"a", "b"}, true},
		{`'it\'s', 'say "hi"'`, []string{"it's", `say "hi"`}, true},
		{`'back\\slash', 'tab\t', 'é'`, []string{`back\slash`, "tab\t", "é"}, true},
		{`'a, b'`, []string{"a, b"}, true},
		{``, nil, false},
		{`a`, nil, false},
		{`'open`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, ok := quotedList(tt.in)
			if ok != tt.ok || !cmp.Equal(got, tt.want) {
				t.Errorf("quotedList(%s): got (%q, %v), want (%q, %v)",
					tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   jsonschema.ValidationError
		want []Failure
	}{
		{
			"required",
			jsonschema.ValidationError{
				KeywordLocation: "/$ref/required", InstanceLocation: "/x",
				Message: `missing properties: 'a', 'b'`,
			},
			[]Failure{{"/x", `missing property "a"`}, {"/x", `missing property "b"`}},
		},
		{
			"additional",
			jsonschema.ValidationError{
				KeywordLocation: "/additionalProperties",
				Message:         `additionalProperties 'q' not allowed`,
			},
			[]Failure{{"", `property "q" is not allowed`}},
		},
		{
			"format",
			jsonschema.ValidationError{
				KeywordLocation: "/properties/t/format", InstanceLocation: "/t",
				Message: `'soon' is not valid 'date-time'`,
			},
			[]Failure{{"/t", `"soon" is not a valid date-time`}},
		},
		{
			"pattern",
			jsonschema.ValidationError{
				KeywordLocation: "/pattern",
				Message:         `does not match pattern '^a\\.b$'`,
			},
			[]Failure{{"", `does not match pattern '^a\.b$'`}},
		},
		{
			"kept as is",
			jsonschema.ValidationError{
				KeywordLocation: "/minimum", InstanceLocation: "/n",
				Message: "must be >= 1 but found 0",
			},
			[]Failure{{"/n", "must be >= 1 but found 0"}},
		},
		{
			"unexpected wording kept",
			jsonschema.ValidationError{KeywordLocation: "/required", Message: "missing: a"},
			[]Failure{{"", "missing: a"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, describe(&tt.in)); diff != "" {
				t.Errorf("describe: (-want +got)\n%s", diff)
			}
		})
	}
}
