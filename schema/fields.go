package schema

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"unicode"
)

// jsonField is one member of the JSON object encoding/json makes of a
// struct.
type jsonField struct {
	name   string
	index  []int        // path of field indexes from the outer struct
	typ    reflect.Type // the Go field's declared type
	tagged bool         // the name comes from a json tag
	// optional is true when encoding/json may leave the member out: it
	// is omitempty or omitzero, or it is promoted from an embedded pointer
	// that may be nil.
	optional bool
	quoted   bool // the ",string" option applies
}

// embedded is a struct whose fields are promoted into the outer struct.
type embedded struct {
	typ    reflect.Type
	index  []int
	viaPtr bool
}

// jsonFields lists the members encoding/json encodes for struct type t, in
// its order, applying its rules: promotion of embedded structs, shallower
// fields hiding deeper ones, a tagged field beating an untagged one at the
// same depth, and ambiguous names dropped.
func jsonFields(t reflect.Type) []jsonField {
	var all []jsonField
	visited := map[reflect.Type]bool{}
	next := []embedded{{typ: t}}
	for len(next) > 0 {
		level, count := next, map[reflect.Type]int{}
		next = nil
		for _, e := range level {
			count[e.typ]++
		}
		for _, e := range level {
			if visited[e.typ] {
				continue
			}
			visited[e.typ] = true
			found, deeper := scanStruct(e)
			for _, f := range found {
				all = append(all, f)
				if count[e.typ] > 1 {
					all = append(all, f) // a twin, so the name is ambiguous
				}
			}
			next = append(next, deeper...)
		}
	}
	return dominantFields(all)
}

// scanStruct returns the members declared directly in e's struct, and the
// embedded structs whose members are promoted from the next level down.
func scanStruct(e embedded) (found []jsonField, deeper []embedded) {
	for i := range e.typ.NumField() {
		sf := e.typ.Field(i)
		if !encodable(sf) {
			continue
		}
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !validTagName(name) {
			name = ""
		}
		index := append(slices.Clip(e.index), i)
		ft := sf.Type
		if ft.Name() == "" && ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
			viaPtr := e.viaPtr || sf.Type.Kind() == reflect.Pointer
			deeper = append(deeper, embedded{ft, index, viaPtr})
			continue
		}
		found = append(found, jsonField{
			name:     cmp.Or(name, sf.Name),
			index:    index,
			typ:      sf.Type,
			tagged:   name != "",
			optional: e.viaPtr || hasOption(opts, "omitempty") || hasOption(opts, "omitzero"),
			quoted:   hasOption(opts, "string") && quotable(ft.Kind()),
		})
	}
	return found, deeper
}

// encodable reports whether encoding/json looks at a struct field at all.
// An unexported embedded struct stays, as its exported fields are promoted.
func encodable(sf reflect.StructField) bool {
	if sf.Tag.Get("json") == "-" {
		return false
	}
	if !sf.Anonymous {
		return sf.IsExported()
	}
	t := sf.Type
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return sf.IsExported() || t.Kind() == reflect.Struct
}

// dominantFields keeps, for each name, the one field encoding/json
// encodes under it, and returns them in declaration order.
func dominantFields(all []jsonField) []jsonField {
	// Within a name, the field that wins comes first: the shallowest,
	// then a tagged one.
	slices.SortStableFunc(all, func(a, b jsonField) int {
		return cmp.Or(
			strings.Compare(a.name, b.name),
			cmp.Compare(len(a.index), len(b.index)),
			taggedFirst(a, b),
			slices.Compare(a.index, b.index),
		)
	})
	var out []jsonField
	for len(all) > 0 {
		n := 1
		for n < len(all) && all[n].name == all[0].name {
			n++
		}
		// Two fields tied for first place cancel each other out.
		group := all[:n]
		ambiguous := n > 1 &&
			len(group[0].index) == len(group[1].index) &&
			group[0].tagged == group[1].tagged
		if !ambiguous {
			out = append(out, group[0])
		}
		all = all[n:]
	}
	slices.SortFunc(out, func(a, b jsonField) int {
		return slices.Compare(a.index, b.index)
	})
	return out
}

func taggedFirst(a, b jsonField) int {
	switch {
	case a.tagged == b.tagged:
		return 0
	case a.tagged:
		return -1
	}
	return 1
}

func hasOption(opts, want string) bool {
	for opt := range strings.SplitSeq(opts, ",") {
		if opt == want {
			return true
		}
	}
	return false
}

// quotable reports whether the ",string" option changes how a field of
// this kind is encoded.
func quotable(k reflect.Kind) bool {
	switch k {
	case reflect.Bool, reflect.String, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32,
		reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

// validTagName reports whether encoding/json accepts name from a json tag;
// it falls back to the Go field name otherwise.
func validTagName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		ok := unicode.IsLetter(c) || unicode.IsDigit(c) ||
			strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c)
		if !ok {
			return false
		}
	}
	return true
}
