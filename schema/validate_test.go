package schema

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type Signup struct {
	Name   string   `json:"name"`
	Email  string   `json:"email" jsonschema:"format=email"`
	Age    int      `json:"age" jsonschema:"minimum=0,maximum=150"`
	Code   string   `json:"code,omitempty" jsonschema:"pattern=^[A-Z]{3}$"`
	Plan   string   `json:"plan,omitempty" jsonschema:"enum=free,enum=pro"`
	Tags   []string `json:"tags,omitempty"`
	Friend *Signup  `json:"friend,omitempty"`
}

const validSignup = `{"name":"Ann","email":"ann@example.com","age":30}`

// signupCases are documents and the error each must give, shared by the
// message, third-party and concurrency tests.
var signupCases = []struct {
	name, doc, want string
}{
	{"valid", validSignup, ""},
	{
		"valid with options",
		`{"name":"Ann","email":"a@b.c","age":0,"code":"ABC","plan":"pro","tags":null,"friend":` + validSignup + `}`, "",
	},
	{
		"wrong type", `{"name":5,"email":"a@b.c","age":1}`,
		`invalid input: /name: expected string, but got number`,
	},
	{
		"missing property", `{"name":"Ann","age":1}`,
		`invalid input: (root): missing property "email"`,
	},
	{
		"missing properties", `{"age":1}`,
		`invalid input: (root): missing property "email"; (root): missing property "name"`,
	},
	{
		"property not allowed", `{"name":"Ann","email":"a@b.c","age":1,"extra":true,"x\"y":1}`,
		`invalid input: (root): property "extra" is not allowed; (root): property "x\"y" is not allowed`,
	},
	{
		"minimum", `{"name":"Ann","email":"a@b.c","age":-1}`,
		`invalid input: /age: must be >= 0 but found -1`,
	},
	{
		"maximum", `{"name":"Ann","email":"a@b.c","age":151}`,
		`invalid input: /age: must be <= 150 but found 151`,
	},
	{
		"integer", `{"name":"Ann","email":"a@b.c","age":1.5}`,
		`invalid input: /age: expected integer, but got number`,
	},
	{
		"pattern", `{"name":"Ann","email":"a@b.c","age":1,"code":"abc"}`,
		`invalid input: /code: does not match pattern '^[A-Z]{3}$'`,
	},
	{
		"format", `{"name":"Ann","email":"not-an-email","age":1}`,
		`invalid input: /email: "not-an-email" is not a valid email`,
	},
	{
		"enum", `{"name":"Ann","email":"a@b.c","age":1,"plan":"gold"}`,
		`invalid input: /plan: value must be one of "free", "pro"`,
	},
	{
		"nullable slice", `{"name":"Ann","email":"a@b.c","age":1,"tags":5}`,
		`invalid input: /tags: expected array or null, but got number`,
	},
	{
		"inside a nullable pointer", `{"name":"Ann","email":"a@b.c","age":1,"friend":{"name":"Bo","email":"b@c.d","age":-2}}`,
		`invalid input: /friend/age: must be >= 0 but found -2`,
	},
	{
		"nullable pointer of the wrong type", `{"name":"Ann","email":"a@b.c","age":1,"friend":"Bo"}`,
		`invalid input: /friend: expected object, but got string`,
	},
	{"not an object", `[1]`, `invalid input: (root): expected object, but got array`},
	{"a string", `"x"`, `invalid input: (root): expected object, but got string`},
	{"null", `null`, `invalid input: (root): expected object, but got null`},
	{
		"several, sorted", `{"name":1,"email":"a@b.c","age":-1,"zzz":0}`,
		`invalid input: (root): property "zzz" is not allowed; /age: must be >= 0 but found -1; /name: expected string, but got number`,
	},
}

func TestValidateMessages(t *testing.T) {
	t.Parallel()
	s := mustReflect[Signup](t)
	for _, tt := range signupCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := errText(s.Validate(decode(t, tt.doc))); got != tt.want {
				t.Errorf("Validate(%s):\ngot  %q\nwant %q", tt.doc, got, tt.want)
			}
		})
	}
}

// TestValidateFailures checks the structured form of the error.
func TestValidateFailures(t *testing.T) {
	t.Parallel()
	s := mustReflect[Signup](t)
	err := s.Validate(decode(t, `{"name":1,"age":-1,"email":"a@b.c","friend":{"age":2}}`))
	want := []Failure{
		{Path: "/age", Message: "must be >= 0 but found -1"},
		{Path: "/friend", Message: `missing property "email"`},
		{Path: "/friend", Message: `missing property "name"`},
		{Path: "/name", Message: "expected string, but got number"},
	}
	if diff := cmp.Diff(want, validationError(t, err).Failures); diff != "" {
		t.Errorf("Failures: (-want +got)\n%s", diff)
	}
}

// TestValidateThirdParty checks that the published document, compiled
// without any Go type, judges every document as the reflected schema does.
func TestValidateThirdParty(t *testing.T) {
	t.Parallel()
	s := mustReflect[Signup](t)
	third := published(t, s)
	for _, tt := range signupCases {
		doc := decode(t, tt.doc)
		if got, want := errText(third.Validate(doc)), errText(s.Validate(doc)); got != want {
			t.Errorf("%s: published schema: got %q, want %q", tt.name, got, want)
		}
	}
}

func TestValidateConcurrently(t *testing.T) {
	t.Parallel()
	s := mustReflect[Signup](t)
	docs := make([]any, len(signupCases))
	for i, tt := range signupCases {
		docs[i] = decode(t, tt.doc)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16*20*len(docs))
	for range 16 {
		wg.Go(func() {
			for range 20 {
				for i, tt := range signupCases {
					if got := errText(s.Validate(docs[i])); got != tt.want {
						errs <- tt.name + ": got " + got + ", want " + tt.want
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestValidateNotJSON checks that a Go value no JSON decoder makes is
// reported as a failure, not a panic.
func TestValidateNotJSON(t *testing.T) {
	t.Parallel()
	s := mustReflect[Signup](t)
	err := s.Validate(map[string]any{"name": struct{}{}})
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate: got %T %v, want *ValidationError", err, err)
	}
	want := "invalid input: (root): a Go struct {} is not a decoded JSON value"
	if got := err.Error(); got != want {
		t.Errorf("Validate: got %q, want %q", got, want)
	}
}

// TestValidateDoesNotPanic checks that a number the validator cannot read
// exactly fails validation instead of panicking: the validator's exact
// arithmetic gives up on exponents past a million.
func TestValidateDoesNotPanic(t *testing.T) {
	t.Parallel()
	s := mustReflect[Signup](t)
	doc := decode(t, `{"name":"Ann","email":"a@b.c","age":1e1000001}`)
	err := s.Validate(doc)
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "cannot be validated") {
		t.Fatalf("Validate: got %v, want a *ValidationError saying it cannot be validated", err)
	}
}
