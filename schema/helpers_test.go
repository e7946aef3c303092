package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// decode decodes a JSON document the way Validate expects it.
func decode(t testing.TB, doc string) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", doc, err)
	}
	return v
}

// mustReflect reflects the type T and fails the test on error.
func mustReflect[T any](t testing.TB) *Schema {
	t.Helper()
	s, err := Reflect(reflect.TypeFor[T]())
	if err != nil {
		t.Fatalf("Reflect(%s): got error %v, want nil", reflect.TypeFor[T](), err)
	}
	return s
}

// published compiles s's published bytes afresh, as another SDK would
// receive them: without any Go type.
func published(t testing.TB, s *Schema) *Schema {
	t.Helper()
	p, err := Compile(s.JSON())
	if err != nil {
		t.Fatalf("Compile(JSON()): got error %v, want nil\nschema: %s", err, s.JSON())
	}
	return p
}

// errText returns the error's text, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// validationError returns err as a *ValidationError, failing the test if
// it is not one.
func validationError(t testing.TB, err error) *ValidationError {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got error %T %v, want *ValidationError", err, err)
	}
	return ve
}
