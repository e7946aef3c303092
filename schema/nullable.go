package schema

import (
	"reflect"
	"slices"
)

// nilable reports whether encoding/json writes null for the zero value of
// a kind: a nil slice or map, or a nil interface. Pointers are handled
// where they occur, as a pointer's target type may be shared.
func nilable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice, reflect.Map, reflect.Interface:
		return true
	}
	return false
}

// restricting lists the keywords that can reject null. Any other keyword
// applies to one type only (minLength to strings, required to objects) and
// lets null through.
var restricting = []string{
	"type", "enum", "const", "$ref", "$dynamicRef",
	"allOf", "anyOf", "oneOf", "not", "if",
}

// orNull returns a schema that accepts what node accepts, and null. Where
// only "type" stands in the way, null joins the type list, which keeps
// error messages plain ("expected array or null"); otherwise the node is
// wrapped in an anyOf with a null branch.
func orNull(node any) any {
	m, ok := node.(map[string]any)
	if !ok {
		if node == false {
			return map[string]any{"type": "null"}
		}
		return node
	}
	var found []string
	for _, k := range restricting {
		if _, ok := m[k]; ok {
			found = append(found, k)
		}
	}
	switch {
	case len(found) == 0:
		return m
	case len(found) == 1 && found[0] == "type":
		m["type"] = withNull(m["type"])
		return m
	}
	return map[string]any{"anyOf": []any{m, map[string]any{"type": "null"}}}
}

func withNull(types any) any {
	switch ts := types.(type) {
	case string:
		if ts != "null" {
			return []any{ts, "null"}
		}
	case []any:
		if !slices.Contains(ts, any("null")) {
			return append(ts, "null")
		}
	}
	return types
}
