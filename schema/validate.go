package schema

import (
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Validate validates doc, a document decoded by encoding/json with
// Decoder.UseNumber, so that numbers are json.Number and keep their
// precision. It returns nil or a *[ValidationError]. A value no JSON
// decoder makes, such as a Go struct, is reported as a failure at the
// root. Validate is safe for concurrent use.
func (s *Schema) Validate(doc any) (err error) {
	defer func() {
		// The validator panics on some numbers it cannot read exactly,
		// such as 1e1000001; no input may take a worker down.
		if v := recover(); v != nil {
			err = &ValidationError{Failures: []Failure{{Message: fmt.Sprintf("cannot be validated: %v", v)}}}
		}
	}()
	err = s.compiled.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		return &ValidationError{Failures: failuresOf(ve)}
	}
	msg := strings.TrimPrefix(err.Error(), "jsonschema: ")
	var typeErr jsonschema.InvalidJSONTypeError
	if errors.As(err, &typeErr) {
		msg = fmt.Sprintf("a Go %s is not a decoded JSON value", string(typeErr))
	}
	return &ValidationError{Failures: []Failure{{Message: msg}}}
}

// failuresOf lists the failures of a validator's error tree.
func failuresOf(ve *jsonschema.ValidationError) []Failure {
	var failures []Failure
	for _, leaf := range leaves(ve) {
		failures = append(failures, describe(leaf)...)
	}
	return normalize(failures)
}

// leaves returns the causes at the bottom of e's tree, which name the
// keyword that failed; the nodes above only say a reference or a branch
// failed.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	if k := keyword(e.KeywordLocation); k == "anyOf" || k == "oneOf" {
		out = dropNullBranch(e, out)
	}
	return out
}

// dropNullBranch removes the failure of the null branch that nullable Go
// types add to a schema: "expected null, but got object" says nothing a
// user needs when the other branch explains what is wrong.
func dropNullBranch(
	alt *jsonschema.ValidationError,
	found []*jsonschema.ValidationError,
) []*jsonschema.ValidationError {
	var kept []*jsonschema.ValidationError
	for _, f := range found {
		nullBranch := f.InstanceLocation == alt.InstanceLocation &&
			keyword(f.KeywordLocation) == "type" &&
			strings.HasPrefix(f.Message, "expected null,")
		if !nullBranch {
			kept = append(kept, f)
		}
	}
	if len(kept) == 0 {
		return found
	}
	return kept
}

// keyword returns the last element of a keyword location.
func keyword(loc string) string {
	return loc[strings.LastIndexByte(loc, '/')+1:]
}
