package schema

import (
	"errors"
	"fmt"
	"maps"
	"reflect"

	"github.com/natq/natq-go/codec"
)

var errNotObject = errors.New(
	"an input must be a struct or a map with string keys, " +
		"as it must encode as a JSON object")

// ReflectInput is [Reflect] for a task's input type. After its pointers,
// t must be a struct or a map with string keys, since an input travels
// as a JSON object, and must not declare a JSON member named runId or
// dropResultOnSuccess, which belong to the envelope. The root of the
// document declares those two as optional properties, with the same rules
// the worker applies, so that a document carrying them passes this schema
// and any other validator given the published document, although struct
// schemas allow no other properties. Unlike [Reflect], the root never
// accepts null, not even for a map or pointer type.
func ReflectInput(t reflect.Type) (*Schema, error) {
	if t == nil {
		return nil, errNilType
	}
	elem := t
	for elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	if err := checkInput(elem); err != nil {
		return nil, fmt.Errorf("reflect %s: %w", t, err)
	}
	s, err := reflectType(t, elem, declareReserved)
	if err != nil {
		return nil, fmt.Errorf("reflect %s: %w", t, err)
	}
	return s, nil
}

// checkInput returns an error if documents of type t are not objects or
// may carry the reserved fields.
func checkInput(t reflect.Type) error {
	switch {
	case t == timeType || encodingOf(t) == asString:
		return fmt.Errorf("%w; %s encodes as a string", errNotObject, t)
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		return nil
	case t.Kind() != reflect.Struct:
		return errNotObject
	case encodingOf(t) != byKind:
		return nil // its marshaler decides, and we cannot see what it writes
	}
	for _, f := range jsonFields(t) {
		if f.name == codec.FieldRunID || f.name == codec.FieldDropResultOnSuccess {
			return fmt.Errorf("field %s: JSON name %q is reserved for the envelope",
				t.FieldByIndex(f.index).Name, f.name)
		}
	}
	return nil
}

// declareReserved makes the root an object that declares the envelope's
// fields. The properties are copied, as the root may share them with a
// definition used deeper in the document.
func declareReserved(root map[string]any) {
	props, _ := root["properties"].(map[string]any)
	props = maps.Clone(props)
	if props == nil {
		props = map[string]any{}
	}
	props[codec.FieldRunID] = map[string]any{
		"type":      "string",
		"pattern":   codec.RunIDPattern,
		"minLength": 1,
		"maxLength": codec.MaxRunIDLength,
	}
	props[codec.FieldDropResultOnSuccess] = map[string]any{"type": "boolean"}
	root["properties"] = props
	root["type"] = "object"
}
