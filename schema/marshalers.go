package schema

import (
	"encoding"
	"encoding/json"
	"net/url"
	"reflect"
	"time"

	"github.com/invopop/jsonschema"
)

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	timeType          = reflect.TypeFor[time.Time]()
	urlType           = reflect.TypeFor[url.URL]()
	numberType        = reflect.TypeFor[json.Number]()
)

// invopop's hooks, declared again because invopop keeps them unexported.
// A type with one of these methods describes itself, and we trust it.
type (
	customSchemaType interface{ JSONSchema() *jsonschema.Schema }
	aliasSchemaType  interface{ JSONSchemaAlias() any }
)

// wireForm says how encoding/json encodes a non-pointer type that may
// bring its own encoding.
type wireForm int

const (
	byKind   wireForm = iota // by its kind: struct, slice, number...
	anyJSON                  // by a MarshalJSON whose output we cannot know
	asString                 // by MarshalText, so always a JSON string
)

// encodingOf reports how t is encoded. A marshaler with a pointer receiver
// counts as anyJSON: encoding/json calls it only when the value is
// addressable, so the same type encodes both ways depending on where it
// sits.
func encodingOf(t reflect.Type) wireForm {
	switch {
	case t.Implements(jsonMarshalerType):
		return anyJSON
	case t.Implements(textMarshalerType):
		return asString
	case reflect.PointerTo(t).Implements(jsonMarshalerType),
		reflect.PointerTo(t).Implements(textMarshalerType):
		return anyJSON
	}
	return byKind
}

// describesItself reports whether invopop takes t's schema from a method
// of t rather than from its structure.
func describesItself(t reflect.Type) bool {
	return t.Implements(reflect.TypeFor[customSchemaType]()) ||
		t.Implements(reflect.TypeFor[aliasSchemaType]())
}

// opaque reports whether t's schema is not built from its structure, so
// that the walk must leave it alone.
func opaque(t reflect.Type) bool {
	return t == timeType || describesItself(t) || mapType(t) != nil
}

// mapType is the reflector's Mapper. It returns a fresh schema on every
// call because invopop writes struct tag keywords into what it gets.
func mapType(t reflect.Type) *jsonschema.Schema {
	if t == timeType || describesItself(t) {
		return nil // invopop's own date-time, or the type's own schema
	}
	switch encodingOf(t) {
	case anyJSON:
		return &jsonschema.Schema{}
	case asString:
		return &jsonschema.Schema{Type: "string"}
	}
	switch {
	case t == numberType:
		// A string type, but encoding/json writes it as a number.
		return &jsonschema.Schema{Type: "number"}
	case t == urlType:
		// invopop says "uri string", but url.URL has no marshaler and
		// encodes as an object of its fields.
		return &jsonschema.Schema{Type: "object"}
	case t.Kind() == reflect.Uintptr:
		return &jsonschema.Schema{Type: "integer"} // invopop panics on it
	}
	return nil
}
