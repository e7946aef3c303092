// Package plainjson decodes JSON into plain Go data (structs, slices and
// pointers whose leaves are booleans, strings and numbers) without
// encoding/json's reflection on every value. Task inputs and outputs are
// mostly such data, and decoding them was a third of a small run's time.
//
// The decoder handles the common case only and declines everything else:
// a key that does not name a field exactly, a value of another kind than
// its field, a number its field cannot hold, escapes in a key. A caller
// then zeroes the value and lets encoding/json decode it, so that every
// result and every error stays encoding/json's own. Where it decodes, it
// follows encoding/json step by step, down to what a repeated key leaves
// behind: a later value overwrites an earlier one, a null leaves a field
// as it is (or clears a pointer or slice), a later object fills the same
// struct, and a later array reuses the same slice.
package plainjson

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/natq/natq-go/internal/jsonscan"
)

// Decoder decodes JSON into one type. It is safe for concurrent use.
type Decoder struct {
	typ  reflect.Type
	plan *plan
}

// plan is how values of one type are decoded.
type plan struct {
	kind   reflect.Kind
	bits   int              // of a number
	fields map[string]field // of a struct, by JSON name
	elem   *plan            // of a slice or pointer
}

// field is one exported struct field.
type field struct {
	index int
	plan  *plan
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// For returns a decoder for t, or nil when t is not plain: when t or a
// type within it is not a bool, string, integer, float, struct, slice or
// pointer, is json.Number, a byte slice or a pointer to a pointer, has
// its own unmarshaling methods, or is a struct with embedded fields, the
// ",string" option or two fields under one name.
func For(t reflect.Type) *Decoder {
	if !enabled {
		return nil
	}
	p, ok := compile(t, map[reflect.Type]*plan{})
	if !ok {
		return nil
	}
	return &Decoder{typ: t, plan: p}
}

// jsonNumber is the one named type encoding/json treats apart: it takes
// a number, or a string that must spell one.
var jsonNumber = reflect.TypeFor[json.Number]()

// compile makes the plan of t. plans holds the plans of the structs,
// slices and pointers being compiled, so that a type that contains
// itself (type L []L, or a struct with a slice of itself) shares one
// plan instead of being compiled for ever.
func compile(t reflect.Type, plans map[reflect.Type]*plan) (*plan, bool) {
	if custom(t) || t == jsonNumber {
		return nil, false
	}
	if known, ok := plans[t]; ok {
		return known, true
	}
	p := &plan{kind: t.Kind()}
	switch p.kind {
	case reflect.Bool, reflect.String:
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		p.bits = t.Bits()
	case reflect.Struct:
		plans[t] = p
		return p, p.compileFields(t, plans)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil, false // base64 text, as encoding/json reads it
		}
		plans[t] = p
		return p, p.compileElem(t, plans)
	case reflect.Pointer:
		if t.Name() != "" || t.Elem().Kind() == reflect.Pointer {
			return nil, false
		}
		plans[t] = p
		return p, p.compileElem(t, plans)
	default:
		return nil, false
	}
	return p, true
}

func (p *plan) compileElem(t reflect.Type, plans map[reflect.Type]*plan) bool {
	var ok bool
	p.elem, ok = compile(t.Elem(), plans)
	return ok
}

func (p *plan) compileFields(t reflect.Type, plans map[reflect.Type]*plan) bool {
	p.fields = make(map[string]field, t.NumField())
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return false
		}
		if !sf.IsExported() {
			continue
		}
		name, ok := fieldName(sf)
		if !ok {
			return false
		}
		if name == "" {
			continue // tagged "-": encoding/json ignores it
		}
		fp, ok := compile(sf.Type, plans)
		if _, taken := p.fields[name]; taken || !ok {
			return false
		}
		p.fields[name] = field{index: i, plan: fp}
	}
	return true
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

// Decode decodes the JSON document data into v, an addressable value of
// the decoder's type holding its zero value. It reports false when it
// declines the document; v may then hold part of it, and the caller
// zeroes it before decoding with encoding/json.
func (d *Decoder) Decode(data []byte, v reflect.Value) bool {
	if v.Type() != d.typ || !utf8.Valid(data) {
		return false
	}
	end, ok := d.plan.decode(v, data, jsonscan.Space(data, 0), 0)
	return ok && jsonscan.Space(data, end) == len(data)
}

// decode decodes the value at i into v, and returns the offset past it.
// depth is the nesting of the value's container, 0 for the document.
func (p *plan) decode(v reflect.Value, b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	if b[i] == 'n' {
		end, ok := jsonscan.Literal(b, i, "null")
		if ok && (p.kind == reflect.Pointer || p.kind == reflect.Slice) {
			v.SetZero()
		}
		return end, ok // null leaves other kinds as they are
	}
	switch p.kind {
	case reflect.Bool:
		return setBool(v, b, i)
	case reflect.String:
		return setString(v, b, i)
	case reflect.Struct:
		return p.object(v, b, i, depth+1)
	case reflect.Slice:
		return p.array(v, b, i, depth+1)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return p.elem.decode(v.Elem(), b, i, depth)
	}
	return p.setNumber(v, b, i)
}

// object decodes an object into the struct v, member by member, leaving
// the fields it does not name as they are.
func (p *plan) object(v reflect.Value, b []byte, i, depth int) (int, bool) {
	if b[i] != '{' {
		return i, false
	}
	return jsonscan.Object(b, i, depth, func(_ int, key []byte, escaped bool, at int) (int, bool) {
		if escaped {
			return at, false // encoding/json may match it to a field by case
		}
		f, ok := p.fields[string(key[1:len(key)-1])]
		if !ok {
			return at, false
		}
		return f.plan.decode(v.Field(f.index), b, at, depth)
	})
}

// array decodes an array into the slice v as encoding/json does: into
// the elements v already has, growing it one element at a time, then
// cutting it to the array's length; an empty array leaves an empty slice,
// not nil.
func (p *plan) array(v reflect.Value, b []byte, i, depth int) (int, bool) {
	if b[i] != '[' {
		return i, false
	}
	n := 0
	end, ok := jsonscan.Array(b, i, depth, func(at int) (int, bool) {
		if n >= v.Cap() {
			v.Grow(1)
		}
		if n >= v.Len() {
			v.SetLen(n + 1)
		}
		e, ok := p.elem.decode(v.Index(n), b, at, depth)
		n++
		return e, ok
	})
	if !ok {
		return end, false
	}
	if n < v.Len() {
		v.SetLen(n)
	}
	if n == 0 {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	}
	return end, true
}

func setBool(v reflect.Value, b []byte, i int) (int, bool) {
	for _, word := range [...]string{"true", "false"} {
		if end, ok := jsonscan.Literal(b, i, word); ok {
			v.SetBool(word == "true")
			return end, true
		}
	}
	return i, false
}

func setString(v reflect.Value, b []byte, i int) (int, bool) {
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
	v.SetString(s)
	return end, true
}

// setNumber stores a number as encoding/json would, and declines what it
// would refuse: a fraction or exponent for an integer, a number out of
// the field's range.
func (p *plan) setNumber(v reflect.Value, b []byte, i int) (int, bool) {
	end, n, ok := jsonscan.ScanNumber(b, i)
	if !ok {
		return end, false
	}
	text := string(b[i:end])
	switch p.kind {
	case reflect.Float32, reflect.Float64:
		x, err := strconv.ParseFloat(text, p.bits)
		if err != nil || v.OverflowFloat(x) {
			return end, false
		}
		v.SetFloat(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		x, err := strconv.ParseUint(text, 10, p.bits)
		if !n.Integer() || err != nil {
			return end, false
		}
		v.SetUint(x)
	default:
		x, err := strconv.ParseInt(text, 10, p.bits)
		if !n.Integer() || err != nil {
			return end, false
		}
		v.SetInt(x)
	}
	return end, true
}
