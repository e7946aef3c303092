package schema

import (
	"errors"
	"fmt"
	"reflect"
)

var errNilType = errors.New("reflect: nil type")

// Reflect reflects t into a JSON Schema (draft 2020-12) and compiles it.
// Every document encoding/json makes of a value of type t passes the
// schema; the package documentation tells how that differs from a plain
// invopop reflection. The error names t. It reports a type with a part
// JSON has no form for, such as a func or chan field, or a jsonschema
// struct tag that makes an invalid schema.
func Reflect(t reflect.Type) (*Schema, error) {
	if t == nil {
		return nil, errNilType
	}
	s, err := reflectType(t, t, nil)
	if err != nil {
		return nil, fmt.Errorf("reflect %s: %w", t, err)
	}
	return s, nil
}

// reflectType reflects t and compiles the result. rootType is the type
// whose encodings the root must accept: t itself, or for an input t
// without its pointers, as an input is never null. adjust, if not nil,
// edits the root before it is encoded.
func reflectType(
	t, rootType reflect.Type,
	adjust func(root map[string]any),
) (*Schema, error) {
	root, defs, err := build(t, rootType)
	if err != nil {
		return nil, err
	}
	if adjust != nil {
		adjust(root)
	}
	pruneDefs(root, defs)
	doc, err := encodeDoc(root, defs)
	if err != nil {
		return nil, err
	}
	return compile(doc)
}

// build reflects t with invopop and walks the result alongside t.
func build(t, rootType reflect.Type) (root, defs map[string]any, err error) {
	if err := checkTypeGraph(t); err != nil {
		return nil, nil, err
	}
	defer func() {
		// invopop panics on kinds JSON has no form for: chan, func,
		// complex numbers.
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	w := newWalker()
	node, err := w.reflect(t)
	if err != nil {
		return nil, nil, err
	}
	node = w.walk(rootType, node)
	if w.err != nil {
		return nil, nil, w.err
	}
	return inlineRoot(node, w.defs), w.defs, nil
}
