// Package jsonscan walks JSON text in place, without decoding it. It is
// the fast path of natq's input handling: a worker checks an input and
// finds its envelope fields in the bytes it received, and decodes them
// once, into the task's Go type.
//
// Every function takes the text and the offset of the first byte of a
// token, and returns the offset just past it, or false when the text is
// not valid JSON there. The text is assumed to be valid UTF-8; callers
// check that once for the whole document.
package jsonscan

import (
	"bytes"
	"encoding/json"
)

// MaxDepth is the deepest nesting of arrays and objects the scanner
// follows, and natq accepts in an input: validating deeper documents
// costs the full validator seconds. Deeper documents are reported as not
// scanned, so that callers fall back to the full decoder, which refuses
// them with its message.
const MaxDepth = 128

// MaxExponent is the largest exponent, in magnitude, of a number the
// scanner reads, and natq accepts in an input: far beyond any float type,
// and small enough that exact arithmetic on the number stays cheap.
// Numbers with larger exponents are reported as not scanned.
const MaxExponent = 1000

// Space returns the offset of the first byte at or after i that is not
// JSON white space.
func Space(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// String scans the string whose opening quote is at i. escaped reports
// whether it holds escape sequences, in which case its value differs from
// the bytes between the quotes.
func String(b []byte, i int) (end int, escaped, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return i, false, false
	}
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, escaped, true
		case c == '\\':
			escaped = true
			n, valid := escape(b, i)
			if !valid {
				return i, false, false
			}
			i += n - 1
		case c < 0x20:
			return i, false, false // control characters must be escaped
		}
	}
	return i, false, false
}

// escape returns the length of the escape sequence at i.
func escape(b []byte, i int) (int, bool) {
	if i+1 >= len(b) {
		return 0, false
	}
	switch b[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, true
	case 'u':
		if i+6 > len(b) {
			return 0, false
		}
		for _, c := range b[i+2 : i+6] {
			if !isHex(c) {
				return 0, false
			}
		}
		return 6, true
	}
	return 0, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Number describes a number token.
type Number struct {
	// Digits counts the digits of the integer and fraction parts.
	Digits int
	// Fraction and Exponent report a decimal point and an exponent.
	Fraction, Exponent bool
}

// Integer reports whether the token is written as an integer.
func (n Number) Integer() bool { return !n.Fraction && !n.Exponent }

// ScanNumber scans the number that starts at i.
func ScanNumber(b []byte, i int) (end int, n Number, ok bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return i, n, false
	case b[i] == '0':
		i++
		n.Digits = 1
	case '1' <= b[i] && b[i] <= '9':
		start := i
		i = digits(b, i)
		n.Digits = i - start
	default:
		return i, n, false
	}
	if i < len(b) && b[i] == '.' {
		start := i + 1
		i = digits(b, start)
		if i == start {
			return i, n, false
		}
		n.Fraction = true
		n.Digits += i - start
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		i = digits(b, start)
		if i == start || !smallExponent(b[start:i]) {
			return i, n, false
		}
		n.Exponent = true
	}
	return i, n, true
}

// smallExponent reports whether the digits of an exponent are at most
// MaxExponent.
func smallExponent(digits []byte) bool {
	v := 0
	for _, c := range digits {
		v = v*10 + int(c-'0')
		if v > MaxExponent {
			return false
		}
	}
	return true
}

// Measure returns the deepest nesting of arrays and objects in the JSON
// text b, and the largest exponent in magnitude of its numbers, capped
// just past MaxExponent. It reads any text, valid JSON or not, in one
// pass, and is meant for texts already known to be valid.
func Measure(b []byte) (depth, exponent int) {
	level := 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			level++
			depth = max(depth, level)
		case ']', '}':
			level--
		case 'e', 'E':
			j := i + 1
			if j < len(b) && (b[j] == '+' || b[j] == '-') {
				j++
			}
			v := 0
			for ; j < len(b) && '0' <= b[j] && b[j] <= '9'; j++ {
				v = min(v*10+int(b[j]-'0'), MaxExponent+1)
			}
			exponent = max(exponent, v)
			i = j - 1
		}
	}
	return depth, exponent
}

func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// Literal scans the literal word (true, false or null) at i.
func Literal(b []byte, i int, word string) (int, bool) {
	end := i + len(word)
	if end > len(b) || string(b[i:end]) != word {
		return i, false
	}
	return end, true
}

// Value scans any value starting at i, which must not be white space.
// depth is the nesting of the value's container.
func Value(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		end, _, ok := String(b, i)
		return end, ok
	case c == '{':
		return Object(b, i, depth+1, nil)
	case c == '[':
		return Array(b, i, depth+1, nil)
	case c == 't':
		return Literal(b, i, "true")
	case c == 'f':
		return Literal(b, i, "false")
	case c == 'n':
		return Literal(b, i, "null")
	case c == '-' || '0' <= c && c <= '9':
		end, _, ok := ScanNumber(b, i)
		return end, ok
	}
	return i, false
}

// Member is called by [Object] for each member with the offset of its
// key's opening quote, the key's token (quotes included), whether the key
// has escapes, and the offset of the value, past white space. It returns
// the offset past the value, or false to stop.
type Member func(at int, key []byte, escaped bool, value int) (int, bool)

// Object scans the object whose opening brace is at i, at nesting depth
// depth (1 for a document's root). Each member's value is scanned by
// member, or skipped when member is nil.
func Object(b []byte, i, depth int, member Member) (int, bool) {
	if depth > MaxDepth {
		return i, false
	}
	i = Space(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		keyEnd, escaped, ok := String(b, i)
		if !ok {
			return i, false
		}
		colon := Space(b, keyEnd)
		if colon >= len(b) || b[colon] != ':' {
			return colon, false
		}
		value := Space(b, colon+1)
		var end int
		if member != nil {
			end, ok = member(i, b[i:keyEnd], escaped, value)
		} else {
			end, ok = Value(b, value, depth)
		}
		if !ok {
			return end, false
		}
		var more bool
		if i, more, ok = after(b, end, '}'); !more {
			return i, ok
		}
	}
}

// Item is called by [Array] for each element, with its offset past white
// space. It returns the offset past the element, or false to stop.
type Item func(value int) (int, bool)

// Array scans the array whose opening bracket is at i, at nesting depth
// depth. Each element is scanned by item, or skipped when item is nil.
func Array(b []byte, i, depth int, item Item) (int, bool) {
	if depth > MaxDepth {
		return i, false
	}
	i = Space(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		var end int
		var ok bool
		if item != nil {
			end, ok = item(i)
		} else {
			end, ok = Value(b, i, depth)
		}
		if !ok {
			return end, false
		}
		var more bool
		if i, more, ok = after(b, end, ']'); !more {
			return i, ok
		}
	}
}

// after reads what follows a member or an element that ends at end: a
// comma and the offset of the next one (more), or the container's closing
// byte and the offset past it.
func after(b []byte, end int, closing byte) (i int, more, ok bool) {
	i = Space(b, end)
	switch {
	case i >= len(b):
		return i, false, false
	case b[i] == ',':
		return Space(b, i+1), true, true
	case b[i] == closing:
		return i + 1, false, true
	}
	return i, false, false
}

// Unquote returns the value of a string token, quotes included.
func Unquote(token []byte, escaped bool) (string, bool) {
	if !escaped {
		return string(token[1 : len(token)-1]), true
	}
	var s string
	if err := json.Unmarshal(token, &s); err != nil {
		return "", false
	}
	return s, true
}

// RepeatsKey reports whether an object anywhere in the JSON document b has
// a key twice, comparing keys by their value, escapes decoded. b must be
// a valid document: the walk stops at the first repeated key.
func RepeatsKey(b []byte) bool {
	repeated := false
	var value func(i, depth int) (int, bool)
	value = func(i, depth int) (int, bool) {
		if i >= len(b) {
			return i, false
		}
		switch b[i] {
		case '{':
			var keys keySet
			return Object(b, i, depth+1, func(_ int, key []byte, escaped bool, at int) (int, bool) {
				k := key[1 : len(key)-1] // the text itself, unless escaped
				if escaped {
					s, ok := Unquote(key, true)
					if !ok {
						return at, false
					}
					k = []byte(s)
				}
				if !keys.add(k) {
					repeated = true
					return at, false
				}
				return value(at, depth+1)
			})
		case '[':
			return Array(b, i, depth+1, func(at int) (int, bool) { return value(at, depth+1) })
		}
		return Value(b, i, depth)
	}
	value(Space(b, 0), 0)
	return repeated
}

// keySet holds the keys of one object: a short list of the keys' bytes
// while it is short, which costs no allocation for a small object, and a
// map once it is not.
type keySet struct {
	list [][]byte
	set  map[string]struct{}
}

// add adds k and reports whether it was new.
func (s *keySet) add(k []byte) bool {
	if s.set != nil {
		if _, ok := s.set[string(k)]; ok {
			return false
		}
		s.set[string(k)] = struct{}{}
		return true
	}
	for _, have := range s.list {
		if bytes.Equal(have, k) {
			return false
		}
	}
	s.list = append(s.list, k)
	if len(s.list) > 16 {
		s.set = make(map[string]struct{}, 2*len(s.list))
		for _, have := range s.list {
			s.set[string(have)] = struct{}{}
		}
	}
	return true
}
