package schema

import (
	"cmp"
	"reflect"
	"slices"

	"github.com/invopop/jsonschema"
)

// A walker goes over the Go type alongside invopop's output and adjusts
// the output so that every document encoding/json makes of a value of the
// type passes. invopop describes Go types, not their encoding: it cannot
// see that a nil slice, map or pointer becomes null, that an embedded
// pointer may leave its promoted fields out, or that negative and
// TextMarshaler map keys exist.
type walker struct {
	r      *jsonschema.Reflector
	defs   map[string]any  // $defs of the document being built
	walked map[string]bool // definitions already adjusted
	err    error           // the first error met, as walk returns none
}

func newWalker() *walker {
	return &walker{
		r: &jsonschema.Reflector{
			Anonymous: true, // no $id: we serve no URL for it
			Namer:     newDefNames().name,
			Mapper:    mapType,
		},
		defs:   map[string]any{},
		walked: map[string]bool{},
	}
}

// reflect reflects t on its own and adds the definitions it needs.
func (w *walker) reflect(t reflect.Type) (any, error) {
	tree, err := toTree(w.r.ReflectFromType(t))
	if err != nil {
		return nil, err
	}
	root, defs := splitRoot(tree)
	for name, def := range defs {
		if _, ok := w.defs[name]; !ok {
			w.defs[name] = def
		}
	}
	return root, nil
}

// walk adjusts node, the schema of a value of type t, and returns it.
func (w *walker) walk(t reflect.Type, node any) any {
	elem := t
	for elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	node = w.walkType(elem, node)
	nullSoFar := nilable(elem) && !opaque(elem)
	if elem != t && !nullSoFar {
		node = orNull(node)
	}
	return node
}

// walkType adjusts the schema of a non-pointer type t.
func (w *walker) walkType(t reflect.Type, node any) any {
	if opaque(t) {
		return node
	}
	if name, ok := refName(node); ok {
		w.walkDef(t, name)
		return node
	}
	m, ok := node.(map[string]any)
	if !ok {
		return node
	}
	w.walkBranches(t, m)
	switch t.Kind() {
	case reflect.Struct:
		w.walkStruct(t, m)
	case reflect.Slice, reflect.Array:
		m = w.walkList(t, m)
	case reflect.Map:
		w.walkMap(t, m)
	}
	if nilable(t) {
		return orNull(m)
	}
	return m
}

// walkDef adjusts a definition once; a recursive type meets its own
// reference while being walked.
func (w *walker) walkDef(t reflect.Type, name string) {
	if w.walked[name] {
		return
	}
	w.walked[name] = true
	if def, ok := w.defs[name]; ok {
		w.defs[name] = w.walkType(t, def)
	}
}

// walkBranches adjusts the branches of a combinator, as written by
// invopop for a "nullable" or "oneof_type" struct tag.
func (w *walker) walkBranches(t reflect.Type, m map[string]any) {
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		branches, _ := m[k].([]any)
		for i, b := range branches {
			branches[i] = w.walkType(t, b)
		}
	}
}

// walkList adjusts an array. encoding/json writes a slice of any byte type
// as a base64 string, while invopop only knows []byte itself.
func (w *walker) walkList(t reflect.Type, m map[string]any) map[string]any {
	if t.Kind() == reflect.Slice && base64Bytes(t.Elem()) {
		if m["type"] != "string" {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return m
	}
	if items, ok := m["items"]; ok {
		m["items"] = w.walk(t.Elem(), items)
	}
	return m
}

// base64Bytes reports whether encoding/json writes a slice of elem as a
// base64 string.
func base64Bytes(elem reflect.Type) bool {
	p := reflect.PointerTo(elem)
	return elem.Kind() == reflect.Uint8 &&
		!p.Implements(jsonMarshalerType) && !p.Implements(textMarshalerType)
}

// invopopIntKey is the key pattern invopop gives maps with signed integer
// keys; it misses negative keys. intKey does not.
const (
	invopopIntKey = "^[0-9]+$"
	intKey        = "^-?[0-9]+$"
)

// walkMap adjusts an object made of a map.
func (w *walker) walkMap(t reflect.Type, m map[string]any) {
	patterns, _ := m["patternProperties"].(map[string]any)
	if elem, ok := patterns[invopopIntKey]; ok && len(patterns) == 1 {
		elem = w.walk(t.Elem(), elem)
		if t.Key().Implements(textMarshalerType) {
			// encoding/json writes the key's text, whatever its kind.
			delete(m, "patternProperties")
			m["additionalProperties"] = elem
			return
		}
		m["patternProperties"] = map[string]any{intKey: elem}
		return
	}
	if elem, ok := m["additionalProperties"]; ok {
		if _, isBool := elem.(bool); !isBool {
			m["additionalProperties"] = w.walk(t.Elem(), elem)
		}
	}
}

// walkStruct rebuilds an object's properties and required list from the
// members encoding/json writes. It keeps invopop's schema of a member when
// invopop took it from the same Go field, as it carries the field's
// jsonschema tags; otherwise (a shadowed embedded field, a field invopop
// skips) it reflects the field's type afresh.
func (w *walker) walkStruct(t reflect.Type, m map[string]any) {
	if m["type"] != "object" {
		return
	}
	props, _ := m["properties"].(map[string]any)
	fromInvopop := invopopFields(t)
	members := map[string]any{}
	var required []any
	for _, f := range jsonFields(t) {
		node, ok := props[f.name]
		if !ok || !slices.Equal(fromInvopop[f.name], f.index) {
			node = w.freshMember(f)
		}
		members[f.name] = w.walk(f.typ, node)
		if !f.optional {
			required = append(required, f.name)
		}
	}
	m["properties"] = members
	delete(m, "required")
	if len(required) > 0 {
		m["required"] = required
	}
}

// freshMember returns the schema of a member invopop did not describe.
func (w *walker) freshMember(f jsonField) any {
	elem := f.typ
	for elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	if f.quoted && !opaque(elem) {
		return map[string]any{"type": "string"}
	}
	node, err := w.reflect(f.typ)
	if err != nil {
		w.err = cmp.Or(w.err, err)
		return true
	}
	return node
}
