package schema

import (
	"slices"
	"unicode/utf8"

	"github.com/natq/natq-go/internal/jsonscan"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Schema is a compiled JSON Schema document. It is immutable and safe for
// concurrent use. Make one with [Reflect], [ReflectInput] or [Compile].
type Schema struct {
	doc      []byte
	compiled *jsonschema.Schema
	fast     *fastNode // nil when the document uses keywords it does not cover
	// permissive: the fast validator lets some objects through without
	// looking at their keys, so Accepts looks for repeated keys itself.
	permissive bool
}

// JSON returns the document as compact JSON: for a reflected schema, the
// same bytes for the same type on every call. The caller may modify the
// returned slice.
func (s *Schema) JSON() []byte {
	return slices.Clone(s.doc)
}

// Accepts reports whether doc, the JSON text of a document, is valid
// against s. It checks the text in place, without decoding it, and is
// meant as a fast path: true is a verdict, but false means that doc is
// invalid or that Accepts cannot tell, and [Schema.Validate] on the
// decoded document gives the verdict and the failures. Accepts covers
// what reflection produces; for documents that use other keywords it
// always returns false. It also returns false for a document that
// repeats a key in an object, which a validator and a decoder may read
// differently. It is safe for concurrent use.
func (s *Schema) Accepts(doc []byte) bool {
	if s.fast == nil || !utf8.Valid(doc) || !s.fast.accepts(doc) {
		return false
	}
	return !s.permissive || !jsonscan.RepeatsKey(doc)
}
