// Package flatjson decodes JSON objects into flat structs (structs whose
// fields are booleans, strings and numbers) without encoding/json's
// reflection on every field. Task inputs and outputs are mostly such
// structs, and decoding them was a third of a small run's time.
//
// The decoder handles the common case only and declines everything else:
// a key that does not name a field exactly, a value of another kind than
// its field, a number its field cannot hold, escapes it would have to
// judge. A caller then zeroes the value and lets encoding/json decode it,
// so that every result and every error stays encoding/json's own.
package flatjson

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/natq/natq-go/internal/jsonscan"
)

// Decoder decodes JSON objects into one struct type. It is safe for
// concurrent use.
type Decoder struct {
	typ    reflect.Type
	fields map[string]field // by JSON name
}

// field is one exported struct field and how its values are stored.
type field struct {
	index int
	kind  reflect.Kind
	bits  int // of a number
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// For returns a decoder for t, or nil when t is not a struct this package
// decodes: one with embedded fields, fields of other kinds than bool,
// string, signed and unsigned integers and floats, fields or a struct
// with their own unmarshaling methods, the ",string" option, or two
// fields under one name.
func For(t reflect.Type) *Decoder {
	if t.Kind() != reflect.Struct || custom(t) {
		return nil
	}
	d := &Decoder{typ: t, fields: make(map[string]field, t.NumField())}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return nil
		}
		if !sf.IsExported() {
			continue
		}
		name, ok := fieldName(sf)
		if !ok {
			return nil
		}
		if name == "" {
			continue // tagged "-": encoding/json ignores it
		}
		f, ok := fieldOf(i, sf.Type)
		if _, taken := d.fields[name]; taken || !ok {
			return nil
		}
		d.fields[name] = f
	}
	return d
}

// custom reports whether t decodes itself.
func custom(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(jsonUnmarshaler) || p.Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || p.Implements(textUnmarshaler)
}

// fieldName returns a field's JSON name, "" for a field encoding/json
// skips, and false for a tag this package leaves to encoding/json.
func fieldName(sf reflect.StructField) (string, bool) {
	tag, tagged := sf.Tag.Lookup("json")
	if tag == "-" {
		return "", true
	}
	name, opts, _ := strings.Cut(tag, ",")
	if strings.Contains(","+opts+",", ",string,") {
		return "", false
	}
	if !tagged || name == "" {
		return sf.Name, true
	}
	// encoding/json falls back to the Go name for some punctuation; keep
	// to names whose meaning is plain.
	if strings.ContainsFunc(name, punctuation) {
		return "", false
	}
	return name, true
}

func punctuation(c rune) bool {
	plain := c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	return !plain
}

func fieldOf(index int, t reflect.Type) (field, bool) {
	if custom(t) {
		return field{}, false
	}
	f := field{index: index, kind: t.Kind()}
	switch f.kind {
	case reflect.Bool, reflect.String:
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		f.bits = t.Bits()
	default:
		return field{}, false
	}
	return f, true
}

// Decode decodes the JSON object in data into v, an addressable struct of
// the decoder's type whose fields are zero. It reports false when it
// declines the document; v may then hold some of its fields, and the
// caller zeroes it before decoding with encoding/json.
func (d *Decoder) Decode(data []byte, v reflect.Value) bool {
	if v.Type() != d.typ || !utf8.Valid(data) {
		return false
	}
	i := jsonscan.Space(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	end, ok := jsonscan.Object(data, i, 1, func(_ int, key []byte, escaped bool, at int) (int, bool) {
		if escaped {
			return at, false // encoding/json may match it to a field by case
		}
		f, ok := d.fields[string(key[1:len(key)-1])]
		if !ok {
			return at, false
		}
		return f.set(v.Field(f.index), data, at)
	})
	return ok && jsonscan.Space(data, end) == len(data)
}

// set decodes the value at i into fv, and returns the offset past it.
// null leaves the field as it is, as encoding/json does.
func (f field) set(fv reflect.Value, b []byte, i int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	if b[i] == 'n' {
		return jsonscan.Literal(b, i, "null")
	}
	switch f.kind {
	case reflect.Bool:
		return setBool(fv, b, i)
	case reflect.String:
		return setString(fv, b, i)
	}
	return f.setNumber(fv, b, i)
}

func setBool(fv reflect.Value, b []byte, i int) (int, bool) {
	if end, ok := jsonscan.Literal(b, i, "true"); ok {
		fv.SetBool(true)
		return end, true
	}
	end, ok := jsonscan.Literal(b, i, "false")
	if ok {
		fv.SetBool(false) // a repeated key may have set it
	}
	return end, ok
}

func setString(fv reflect.Value, b []byte, i int) (int, bool) {
	if b[i] != '"' {
		return i, false
	}
	end, escaped, ok := jsonscan.String(b, i)
	if !ok {
		return end, false
	}
	s, ok := jsonscan.Unquote(b[i:end], escaped)
	if !ok {
		return end, false
	}
	fv.SetString(s)
	return end, true
}

// setNumber stores a number as encoding/json would, and declines what it
// would refuse: a fraction or exponent for an integer, a number out of
// the field's range.
func (f field) setNumber(fv reflect.Value, b []byte, i int) (int, bool) {
	end, n, ok := jsonscan.ScanNumber(b, i)
	if !ok {
		return end, false
	}
	text := string(b[i:end])
	switch f.kind {
	case reflect.Float32, reflect.Float64:
		x, err := strconv.ParseFloat(text, f.bits)
		if err != nil || fv.OverflowFloat(x) {
			return end, false
		}
		fv.SetFloat(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		x, err := strconv.ParseUint(text, 10, f.bits)
		if !n.Integer() || err != nil {
			return end, false
		}
		fv.SetUint(x)
	default:
		x, err := strconv.ParseInt(text, 10, f.bits)
		if !n.Integer() || err != nil {
			return end, false
		}
		fv.SetInt(x)
	}
	return end, true
}
