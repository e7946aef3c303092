package schema

import (
	"encoding/json"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/natq/natq-go/codec"
	"github.com/natq/natq-go/internal/jsonscan"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// The fast validator checks a document in its JSON text, with no decoding
// and no allocation on the common path. It covers the keywords reflection
// produces and is sound, not complete: it accepts only what the full
// validator accepts, and when it cannot tell (a number too long to compare
// exactly, a string with escapes where its content matters, a keyword it
// does not know) it says no, and the caller asks the full validator, which
// also explains the failure. The tests compare the two on every input
// they have.

// Bits of fastNode.types, one per JSON type.
const (
	typeNull uint8 = 1 << iota
	typeBoolean
	typeInteger // a number written without fraction or exponent
	typeNumber
	typeString
	typeArray
	typeObject
	anyType = 1<<iota - 1
)

// maxHops bounds how many schemas may apply to one value, through
// references and combinators, before the fast validator gives up: a
// schema that refers to itself without descending would loop.
const maxHops = 64

// fastNode is one compiled schema of the fast validator.
type fastNode struct {
	always *bool // a boolean schema: everything or nothing
	types  uint8 // anyType when "type" is absent

	ref   *fastNode
	allOf []*fastNode
	anyOf []*fastNode

	// enum lists the allowed scalar values by JSON type: strings by value,
	// and true, false and null as literals.
	enum      []string
	enumTypes uint8 // the types enum has values of
	hasEnum   bool
	format    func(any) bool

	props    map[string]int // property name to index in propNodes
	propNode []*fastNode
	required uint64 // bit i: propNode[i] is required
	declared uint64 // bit i: propNode[i] is in "properties", not only required
	// closed rejects members that are not properties; otherProps checks
	// them instead when it is not nil.
	closed     bool
	otherProps *fastNode

	items              *fastNode
	minItems, maxItems int // -1 when absent

	minLength, maxLength int // -1 when absent
	pattern              func([]byte) bool

	bounds []bound

	// plain marks a node with no keywords of its own, only references
	// and combinators: it need not scan the value itself.
	plain bool
}

// bound is one of minimum, maximum and the exclusive forms.
type bound struct {
	limit     float64
	above     bool // the value must be above limit (a minimum)
	exclusive bool
	huge      bool // beyond every number the fast path compares
	hugeSide  int  // the sign of a huge limit
}

// compileFast compiles s for the fast validator, or returns nil when s
// uses a keyword or a value it does not cover.
// It also reports whether the schema lets some object through without
// looking at its keys (a value of any type, an object with no schema for
// its other properties, an array with no schema for its items): a
// repeated key there goes unseen.
func compileFast(s *jsonschema.Schema) (n *fastNode, permissive bool) {
	c := fastCompiler{done: map[*jsonschema.Schema]*fastNode{}}
	n = c.node(s)
	if c.unsupported {
		return nil, false
	}
	return n, c.permissive
}

type fastCompiler struct {
	done        map[*jsonschema.Schema]*fastNode
	unsupported bool
	permissive  bool
}

func (c *fastCompiler) node(s *jsonschema.Schema) *fastNode {
	if s == nil {
		return nil
	}
	if n, ok := c.done[s]; ok {
		return n
	}
	n := &fastNode{types: anyType, minItems: -1, maxItems: -1, minLength: -1, maxLength: -1}
	c.done[s] = n
	if !covered(s) {
		c.unsupported = true
		return n
	}
	n.always = s.Always
	if len(s.Types) > 0 {
		n.types = typesOf(s.Types)
	}
	n.ref = c.node(s.Ref)
	n.allOf = c.nodes(s.AllOf)
	n.anyOf = c.nodes(s.AnyOf)
	c.enum(n, s)
	if s.Format != "" {
		n.format = jsonschema.Formats[s.Format] // unknown formats pass, as in the full validator
	}
	c.object(n, s)
	n.items = c.node(s.Items2020)
	n.minItems, n.maxItems = s.MinItems, s.MaxItems
	n.minLength, n.maxLength = s.MinLength, s.MaxLength
	n.pattern = matcher(s.Pattern)
	for _, b := range []struct {
		r                *big.Rat
		above, exclusive bool
	}{
		{s.Minimum, true, false},
		{s.ExclusiveMinimum, true, true},
		{s.Maximum, false, false},
		{s.ExclusiveMaximum, false, true},
	} {
		if b.r != nil {
			n.bounds = append(n.bounds, c.bound(b.r, b.above, b.exclusive))
		}
	}
	n.plain = n.types == anyType && !n.hasEnum && n.format == nil &&
		n.props == nil && !n.closed && n.otherProps == nil &&
		n.items == nil && n.minItems < 0 && n.maxItems < 0 &&
		n.minLength < 0 && n.maxLength < 0 && n.pattern == nil && len(n.bounds) == 0
	c.permissive = c.permissive || n.lets()
	return n
}

// lets reports whether n lets an object through without looking at its
// keys. A node with $ref, allOf or anyOf leaves that to the schemas it
// names, which are compiled too.
func (n *fastNode) lets() bool {
	if n.always != nil {
		return *n.always
	}
	if n.ref != nil || len(n.allOf) > 0 || len(n.anyOf) > 0 {
		return false
	}
	return n.types&typeObject != 0 && !n.closed && n.otherProps == nil ||
		n.types&typeArray != 0 && n.items == nil ||
		slices.Contains(n.propNode, nil)
}

// matcher returns what checks a pattern: the run id's, which every input
// with a run id declares, with a loop instead of the regular expression.
func matcher(re *regexp.Regexp) func([]byte) bool {
	switch {
	case re == nil:
		return nil
	case re.String() == codec.RunIDPattern:
		return codec.MatchRunIDPattern[[]byte]
	}
	return re.Match
}

func (c *fastCompiler) nodes(list []*jsonschema.Schema) []*fastNode {
	var out []*fastNode
	for _, s := range list {
		out = append(out, c.node(s))
	}
	return out
}

// covered reports whether s uses only keywords the fast validator covers.
func covered(s *jsonschema.Schema) bool {
	contentAsserted := s.Draft != jsonschema.Draft2019 && s.Draft != jsonschema.Draft2020
	return s.RecursiveRef == nil && s.DynamicRef == nil &&
		s.Not == nil && len(s.OneOf) == 0 && s.If == nil &&
		s.MinProperties == -1 && s.MaxProperties == -1 &&
		s.PropertyNames == nil && !s.RegexProperties && len(s.PatternProperties) == 0 &&
		len(s.Dependencies) == 0 && len(s.DependentRequired) == 0 && len(s.DependentSchemas) == 0 &&
		s.UnevaluatedProperties == nil &&
		!s.UniqueItems && s.Items == nil && s.AdditionalItems == nil && len(s.PrefixItems) == 0 &&
		s.Contains == nil && s.UnevaluatedItems == nil &&
		s.MultipleOf == nil && len(s.Extensions) == 0 &&
		(!contentAsserted || s.ContentEncoding == "" && s.ContentMediaType == "")
}

func typesOf(names []string) uint8 {
	var t uint8
	for _, name := range names {
		switch name {
		case "null":
			t |= typeNull
		case "boolean":
			t |= typeBoolean
		case "integer":
			t |= typeInteger
		case "number":
			t |= typeNumber | typeInteger
		case "string":
			t |= typeString
		case "array":
			t |= typeArray
		case "object":
			t |= typeObject
		}
	}
	return t
}

// enum takes const and enum, when all their values are strings, booleans
// or null. const is an enum of one value.
func (c *fastCompiler) enum(n *fastNode, s *jsonschema.Schema) {
	values := s.Enum
	if len(s.Constant) > 0 {
		if len(values) > 0 {
			c.unsupported = true // both: rare, and an intersection
			return
		}
		values = s.Constant
	}
	if len(values) == 0 {
		return
	}
	n.hasEnum = true
	for _, v := range values {
		switch v := v.(type) {
		case string:
			n.enum = append(n.enum, v)
			n.enumTypes |= typeString
		case bool:
			n.enum = append(n.enum, strconv.FormatBool(v))
			n.enumTypes |= typeBoolean
		case nil:
			n.enum = append(n.enum, "null")
			n.enumTypes |= typeNull
		default:
			c.unsupported = true
		}
	}
}

func (c *fastCompiler) object(n *fastNode, s *jsonschema.Schema) {
	if len(s.Properties) > 64 {
		c.unsupported = true // required is a 64-bit mask
		return
	}
	if len(s.Properties) > 0 {
		n.props = make(map[string]int, len(s.Properties))
		for name, p := range s.Properties {
			n.declared |= 1 << len(n.propNode)
			n.props[name] = len(n.propNode)
			n.propNode = append(n.propNode, c.node(p))
		}
	}
	for _, name := range s.Required {
		i, ok := n.props[name]
		if !ok {
			// Required but not a property: track its presence only.
			if len(n.propNode) == 64 {
				c.unsupported = true
				return
			}
			if n.props == nil {
				n.props = map[string]int{}
			}
			i = len(n.propNode)
			n.props[name] = i
			n.propNode = append(n.propNode, nil)
		}
		n.required |= 1 << i
	}
	switch ap := s.AdditionalProperties.(type) {
	case bool:
		n.closed = !ap
	case *jsonschema.Schema:
		n.otherProps = c.node(ap)
	}
}

// bound converts a limit to a float64 the fast path compares with, or
// marks it huge: farther from zero than any number the fast path reads.
func (c *fastCompiler) bound(r *big.Rat, above, exclusive bool) bound {
	f, exact := r.Float64()
	b := bound{limit: f, above: above, exclusive: exclusive}
	switch {
	case exact && math.Abs(f) <= 1<<53 && shortDecimal(r, f):
	case math.Abs(f) >= 1e16:
		b.huge, b.hugeSide = true, r.Sign()
	default:
		c.unsupported = true
	}
	return b
}

// shortDecimal reports whether r, which is f exactly, is a decimal of at
// most maxFastDigits significant digits. Then no other number of that
// many digits reads as the same float64, and comparing floats orders
// such numbers exactly against r.
func shortDecimal(r *big.Rat, f float64) bool {
	text := strconv.FormatFloat(f, 'e', -1, 64)
	digits := 0
	for _, c := range text {
		if c == 'e' {
			break
		}
		if '0' <= c && c <= '9' {
			digits++
		}
	}
	short, ok := new(big.Rat).SetString(text)
	return ok && digits <= maxFastDigits && short.Cmp(r) == 0
}

// maxFastDigits is the longest number, in digits, whose value the fast
// path compares with a bound: any such number is exactly ordered against
// an integer bound or a huge one when read as a float64.
const maxFastDigits = 15

// accepts reports whether the document doc is valid. A false means
// invalid or not decided.
func (n *fastNode) accepts(doc []byte) bool {
	i := jsonscan.Space(doc, 0)
	end, ok := n.check(doc, i, 0, 0)
	return ok && jsonscan.Space(doc, end) == len(doc)
}

// check validates the value at i, at nesting depth depth, through hops
// schemas so far. It returns the offset past the value.
func (n *fastNode) check(b []byte, i, depth, hops int) (int, bool) {
	if hops > maxHops || i >= len(b) {
		return i, false
	}
	if n == nil {
		return jsonscan.Value(b, i, depth)
	}
	if n.always != nil {
		end, ok := jsonscan.Value(b, i, depth)
		return end, ok && *n.always
	}
	end := -1 // not scanned yet
	if !n.plain {
		var ok bool
		if end, ok = n.own(b, i, depth); !ok {
			return end, false
		}
	}
	if n.ref != nil {
		e, ok := n.ref.check(b, i, depth, hops+1)
		if !ok {
			return e, false
		}
		end = e
	}
	for _, s := range n.allOf {
		e, ok := s.check(b, i, depth, hops+1)
		if !ok {
			return e, false
		}
		end = e
	}
	if len(n.anyOf) > 0 {
		for _, s := range n.anyOf {
			if e, ok := s.check(b, i, depth, hops+1); ok {
				return e, true
			}
		}
		return i, false
	}
	if end < 0 {
		return jsonscan.Value(b, i, depth)
	}
	return end, true
}

// own checks the value at i against n's own keywords.
func (n *fastNode) own(b []byte, i, depth int) (int, bool) {
	switch c := b[i]; {
	case c == '"':
		return n.checkString(b, i)
	case c == '{':
		return n.checkObject(b, i, depth+1)
	case c == '[':
		return n.checkArray(b, i, depth+1)
	case c == 't':
		return n.checkLiteral(b, i, "true", typeBoolean, true)
	case c == 'f':
		return n.checkLiteral(b, i, "false", typeBoolean, false)
	case c == 'n':
		return n.checkLiteral(b, i, "null", typeNull, nil)
	case c == '-' || '0' <= c && c <= '9':
		return n.checkNumber(b, i)
	}
	return i, false
}

// checkLiteral checks true, false or null; value is the literal decoded,
// for a format to check.
func (n *fastNode) checkLiteral(b []byte, i int, word string, t uint8, value any) (int, bool) {
	end, ok := jsonscan.Literal(b, i, word)
	if !ok || n.types&t == 0 || n.format != nil && !n.format(value) {
		return end, false
	}
	if n.hasEnum && (n.enumTypes&t == 0 || !n.inEnum(word)) {
		return end, false
	}
	return end, true
}

func (n *fastNode) inEnum(v string) bool {
	for _, e := range n.enum {
		if e == v {
			return true
		}
	}
	return false
}

func (n *fastNode) checkString(b []byte, i int) (int, bool) {
	end, escaped, ok := jsonscan.String(b, i)
	if !ok || n.types&typeString == 0 {
		return end, false
	}
	if n.hasEnum && n.enumTypes&typeString == 0 {
		return end, false
	}
	if !n.hasEnum && n.format == nil && n.pattern == nil && n.minLength < 0 && n.maxLength < 0 {
		return end, true
	}
	if escaped {
		return end, false // its content differs from its bytes: ask the full validator
	}
	v := b[i+1 : end-1]
	if n.minLength >= 0 || n.maxLength >= 0 {
		length := utf8.RuneCount(v)
		if n.minLength >= 0 && length < n.minLength || n.maxLength >= 0 && length > n.maxLength {
			return end, false
		}
	}
	if n.pattern != nil && !n.pattern(v) {
		return end, false
	}
	if n.hasEnum && !n.inEnum(string(v)) {
		return end, false
	}
	if n.format != nil && !n.format(string(v)) {
		return end, false
	}
	return end, true
}

func (n *fastNode) checkNumber(b []byte, i int) (int, bool) {
	end, num, ok := jsonscan.ScanNumber(b, i)
	if !ok || n.hasEnum || n.format != nil && !n.format(json.Number(b[i:end])) {
		return end, false
	}
	switch {
	case n.types&typeNumber != 0:
	case n.types&typeInteger != 0 && num.Integer():
	default:
		return end, false // 1.0 is an integer too; the full validator knows
	}
	if len(n.bounds) == 0 {
		return end, true
	}
	if num.Exponent || num.Digits > maxFastDigits {
		return end, false
	}
	v, err := strconv.ParseFloat(string(b[i:end]), 64)
	if err != nil {
		return end, false
	}
	for _, bd := range n.bounds {
		if !bd.holds(v) {
			return end, false
		}
	}
	return end, true
}

func (bd bound) holds(v float64) bool {
	if bd.huge {
		return bd.above == (bd.hugeSide < 0)
	}
	switch {
	case bd.above && bd.exclusive:
		return v > bd.limit
	case bd.above:
		return v >= bd.limit
	case bd.exclusive:
		return v < bd.limit
	default:
		return v <= bd.limit
	}
}

func (n *fastNode) checkArray(b []byte, i, depth int) (int, bool) {
	if n.types&typeArray == 0 || n.hasEnum || n.format != nil {
		return i, false
	}
	count := 0
	end, ok := jsonscan.Array(b, i, depth, func(at int) (int, bool) {
		count++
		return n.items.check(b, at, depth, 0)
	})
	if !ok {
		return end, false
	}
	return end, (n.minItems < 0 || count >= n.minItems) && (n.maxItems < 0 || count <= n.maxItems)
}

func (n *fastNode) checkObject(b []byte, i, depth int) (int, bool) {
	if n.types&typeObject == 0 || n.hasEnum || n.format != nil {
		return i, false
	}
	var seen uint64
	end, ok := jsonscan.Object(b, i, depth, func(_ int, key []byte, escaped bool, value int) (int, bool) {
		if escaped {
			return value, false // the key's name is not its bytes
		}
		if p, known := n.props[string(key[1:len(key)-1])]; known {
			if seen&(1<<p) != 0 {
				// A repeated key: the validator reads the last value,
				// encoding/json may merge both into one struct. The
				// caller reads such documents as the validator does.
				return value, false
			}
			seen |= 1 << p
			if n.declared&(1<<p) != 0 {
				return n.propNode[p].check(b, value, depth, 0)
			}
		}
		if n.closed {
			return value, false
		}
		return n.otherProps.check(b, value, depth, 0)
	})
	return end, ok && seen&n.required == n.required
}
