package schema

import (
	"reflect"
	"slices"
	"strings"
)

// The functions here predict what invopop does with struct fields, so that
// its output can be checked against encoding/json's rules. invopop flattens
// embedded structs in declaration order, a later field overwriting an
// earlier one of the same name, and knows neither depth nor tags as
// tie-breakers.

// invopopFields maps each property invopop writes for struct type t to the
// index path of the field it took the schema from.
func invopopFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	var scan func(t reflect.Type, prefix []int)
	scan = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			index := append(slices.Clip(prefix), i)
			if inner, ok := invopopFlattens(sf); ok {
				scan(inner, index)
			} else if name, ok := invopopName(sf); ok {
				out[name] = index
			}
		}
	}
	scan(t, nil)
	return out
}

// invopopFlattens returns the struct whose fields invopop lifts into the
// outer one in place of sf: an untagged embedded struct, or a field tagged
// ",inline".
func invopopFlattens(sf reflect.StructField) (reflect.Type, bool) {
	tags := strings.Split(sf.Tag.Get("json"), ",")
	if invopopSkips(sf) {
		return nil, false
	}
	embeds := sf.Anonymous && tags[0] == ""
	if !embeds && !slices.Contains(tags[1:], "inline") {
		return nil, false
	}
	t := sf.Type
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t, t.Kind() == reflect.Struct
}

// invopopName returns the property name invopop gives sf.
func invopopName(sf reflect.StructField) (string, bool) {
	if invopopSkips(sf) || (!sf.Anonymous && !sf.IsExported()) {
		return "", false
	}
	tag, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	if tag != "" {
		return tag, true
	}
	return sf.Name, true
}

// invopopSkips reports whether invopop ignores sf for its json or
// jsonschema tag. Unlike encoding/json, it also drops a field tagged "-,".
func invopopSkips(sf reflect.StructField) bool {
	jsonName, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	schemaTag, _, _ := strings.Cut(sf.Tag.Get("jsonschema"), ",")
	return jsonName == "-" || schemaTag == "-"
}
