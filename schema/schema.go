package schema

import (
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Schema is a compiled JSON Schema document. It is immutable and safe for
// concurrent use. Make one with [Reflect], [ReflectInput] or [Compile].
type Schema struct {
	doc      []byte
	compiled *jsonschema.Schema
}

// JSON returns the document as compact JSON: for a reflected schema, the
// same bytes for the same type on every call. The caller may modify the
// returned slice.
func (s *Schema) JSON() []byte {
	return slices.Clone(s.doc)
}
