package codec

import (
	"unicode/utf8"

	"github.com/natq/natq-go/internal/jsonscan"
)

// ScanInput is the fast path of [DecodeInput]: it reads the envelope's
// reserved fields from b in place and leaves the task's own fields
// undecoded. It reports false whenever b needs the full decoder: when b
// is not a valid JSON object, nests deeper than the scanner follows, or
// has a reserved field that is repeated, escaped or unusable. The Input
// it returns has no Fields or Document; its [Input.Payload] is b itself,
// or a copy of b without the reserved members.
func ScanInput(b []byte) (*Input, bool) {
	if !utf8.Valid(b) {
		return nil, false
	}
	start := jsonscan.Space(b, 0)
	if start >= len(b) || b[start] != '{' {
		return nil, false
	}
	in := &Input{raw: b}
	end, ok := jsonscan.Object(b, start, 1, func(_ int, key []byte, escaped bool, value int) (int, bool) {
		return in.scanMember(b, key, escaped, value)
	})
	if !ok || jsonscan.Space(b, end) != len(b) {
		return nil, false
	}
	if in.reserved {
		in.payload = withoutReserved(b, start)
	}
	return in, true
}

// scanMember scans one member of a document's root, taking the reserved
// ones into the envelope.
func (in *Input) scanMember(b, key []byte, escaped bool, value int) (int, bool) {
	end, ok := jsonscan.Value(b, value, 1)
	if !ok || escaped {
		// An escaped key may spell a reserved name; leave it to the
		// decoder, as such keys are rare.
		return end, false
	}
	switch string(key[1 : len(key)-1]) {
	case FieldRunID:
		_, escapedID, _ := jsonscan.String(b, value)
		if in.HasRunID || b[value] != '"' || escapedID {
			return end, false
		}
		id := string(b[value+1 : end-1])
		if !ValidRunID(id) {
			return end, false
		}
		in.HasRunID, in.RunID = true, id
	case FieldDropResultOnSuccess:
		if in.HasDropResultOnSuccess {
			return end, false
		}
		switch string(b[value:end]) {
		case "true":
			in.DropResultOnSuccess = true
		case "false":
		default:
			return end, false
		}
		in.HasDropResultOnSuccess = true
	default:
		return end, true
	}
	in.reserved = true
	return end, true
}

// withoutReserved copies the object at b[start:] without its reserved
// members. b has been scanned already.
func withoutReserved(b []byte, start int) []byte {
	out := make([]byte, 0, len(b))
	out = append(out, '{')
	_, _ = jsonscan.Object(b, start, 1, func(at int, key []byte, _ bool, value int) (int, bool) {
		end, _ := jsonscan.Value(b, value, 1)
		if name := string(key[1 : len(key)-1]); name == FieldRunID || name == FieldDropResultOnSuccess {
			return end, true
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, b[at:end]...)
		return end, true
	})
	return append(out, '}')
}
