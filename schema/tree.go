package schema

import (
	"bytes"
	"encoding/json"
	"maps"
	"strings"

	"github.com/invopop/jsonschema"
)

// A schema is handled as a tree of the values encoding/json decodes JSON
// into: map[string]any for a schema object, bool for true and false. That
// lets us write what invopop's Schema type cannot hold, such as a list of
// types, and it marshals with sorted keys, so the bytes are stable.

const defsPrefix = "#/$defs/"

// toTree converts an invopop schema into a tree.
func toTree(s *jsonschema.Schema) (any, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // keep numbers such as a maximum exactly as written
	var tree any
	err = dec.Decode(&tree)
	return tree, err
}

// splitRoot separates a reflected document into its root schema and its
// $defs, so the root can be adjusted like any other node.
func splitRoot(doc any) (root any, defs map[string]any) {
	m, ok := doc.(map[string]any)
	if !ok {
		return doc, map[string]any{}
	}
	defs, _ = m["$defs"].(map[string]any)
	if defs == nil {
		defs = map[string]any{}
	}
	delete(m, "$defs")
	delete(m, "$schema")
	return m, defs
}

// refName returns the definition a node refers to, if it is a reference.
func refName(node any) (string, bool) {
	m, ok := node.(map[string]any)
	if !ok {
		return "", false
	}
	ref, _ := m["$ref"].(string)
	return strings.CutPrefix(ref, defsPrefix)
}

// inlineRoot replaces a root that only refers to a definition with a copy
// of it, so the document opens with the type's own schema. The definition
// stays for any reference from inside, as in a recursive type.
func inlineRoot(root any, defs map[string]any) map[string]any {
	m := asObject(root)
	name, ok := refName(m)
	def, isObject := defs[name].(map[string]any)
	if ok && len(m) == 1 && isObject {
		return maps.Clone(def)
	}
	return m
}

// asObject returns node as a schema object; true becomes {}.
func asObject(node any) map[string]any {
	if m, ok := node.(map[string]any); ok {
		return m
	}
	if node == false {
		return map[string]any{"not": map[string]any{}}
	}
	return map[string]any{}
}

// pruneDefs deletes the definitions no reference reaches from root.
func pruneDefs(root map[string]any, defs map[string]any) {
	reached := map[string]bool{}
	var visit func(node any)
	visit = func(node any) {
		forEachRef(node, func(name string) {
			if !reached[name] {
				reached[name] = true
				visit(defs[name])
			}
		})
	}
	visit(root)
	maps.DeleteFunc(defs, func(name string, _ any) bool { return !reached[name] })
}

// forEachRef calls fn with the definition name of every reference in node.
func forEachRef(node any, fn func(name string)) {
	switch n := node.(type) {
	case map[string]any:
		if name, ok := refName(n); ok {
			fn(name)
		}
		for _, v := range n {
			forEachRef(v, fn)
		}
	case []any:
		for _, v := range n {
			forEachRef(v, fn)
		}
	}
}

// encodeDoc assembles and encodes the final document.
func encodeDoc(root map[string]any, defs map[string]any) ([]byte, error) {
	root["$schema"] = jsonschema.Version
	if len(defs) > 0 {
		root["$defs"] = defs
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep "<" and "&" in patterns readable
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
