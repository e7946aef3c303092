package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/natq/natq-go/internal/jsonscan"
)

// Errors of [DecodeInput]. ErrInvalidJSON maps to [StatusNotAcceptable];
// the others to [StatusBadRequest]. ErrNotObject comes with no Input, and
// ErrTooDeep and ErrNumberRange with one that holds the envelope only
// (or none, when the document is not an object).
var (
	ErrInvalidJSON   = errors.New("input is not valid JSON")
	ErrNotObject     = errors.New("input must be a JSON object")
	ErrTooDeep       = fmt.Errorf("input is nested more than %d levels deep", MaxDepth)
	ErrNumberRange   = fmt.Errorf("input has a number with an exponent beyond ±%d", MaxExponent)
	ErrInvalidRunID  = errors.New("runId must be a non-empty string of letters, digits, '-', '_', '=', '/' and single inner dots")
	ErrInvalidDropFl = errors.New("dropResultOnSuccess must be a boolean")
)

// Limits of an input document, beyond which [DecodeInput] refuses it and
// [ScanInput] leaves it to DecodeInput.
const (
	MaxDepth    = jsonscan.MaxDepth
	MaxExponent = jsonscan.MaxExponent
)

// maxDecodeDepth is where encoding/json stops.
const maxDecodeDepth = 10000

// Input is a decoded input document: the envelope's reserved fields split
// from the task's own fields.
type Input struct {
	// RunID is the run id the producer chose, or "" when it chose none.
	RunID string
	// HasRunID reports that the document has a runId member, even one
	// that could not be used.
	HasRunID bool
	// DropResultOnSuccess is the producer's request to delete the result of
	// a successful async run.
	DropResultOnSuccess bool
	// HasDropResultOnSuccess reports that the document has a
	// dropResultOnSuccess member, whatever its value.
	HasDropResultOnSuccess bool
	// Fields holds the task's own fields, decoded with json.Number for
	// numbers, as a JSON Schema validator expects them. It is nil in an
	// Input made by [ScanInput].
	Fields map[string]any
	// Document holds the whole document, reserved fields included, in the
	// same form as Fields. Validators that know the reserved fields (natq's
	// input schemas declare them) check this one. It is nil in an Input
	// made by [ScanInput].
	Document map[string]any
	// Repeated reports that an object in the document has a key twice.
	// Fields and Document keep each key's last value, and so does the
	// [Input.Payload] of an Input made by [DecodeInput]. [ScanInput] does
	// not look for repeated keys.
	Repeated bool

	raw      []byte
	payload  []byte // raw without the reserved members, once made
	reserved bool
}

// DecodeInput parses an input document. It returns [ErrInvalidJSON] when b
// is not JSON, [ErrNotObject] when it is JSON but not an object,
// [ErrTooDeep] or [ErrNumberRange] past [MaxDepth] or [MaxExponent], and
// [ErrInvalidRunID] or [ErrInvalidDropFl] when a reserved field has the
// wrong type or a run id could not be used as a KV key. Any error but
// ErrInvalidJSON may come with a partly filled Input: a valid run id is
// kept so that a failure can still be recorded under it.
func DecodeInput(b []byte) (*Input, error) {
	if !utf8.Valid(b) {
		return nil, ErrInvalidJSON // RFC 8259 requires UTF-8
	}
	depth, exponent := jsonscan.Measure(b)
	if !json.Valid(b) {
		// encoding/json also stops at 10 000 levels; such a document may
		// well be valid JSON, just not one anybody should send.
		if depth > maxDecodeDepth {
			return nil, ErrTooDeep
		}
		return nil, ErrInvalidJSON
	}
	switch {
	case depth > MaxDepth:
		return envelopeOnly(b), ErrTooDeep
	case exponent > MaxExponent:
		// Exact arithmetic on such a number costs the validator seconds,
		// and it fits no Go number type anyway.
		return envelopeOnly(b), ErrNumberRange
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, ErrInvalidJSON
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return &Input{}, ErrNotObject
	}
	in := &Input{Document: obj, raw: b, Repeated: jsonscan.RepeatsKey(b)}
	return in, in.split()
}

// envelopeOnly reads the envelope of a valid document that is refused
// for what it holds, so that the refusal can be recorded under its run
// id. The members' values are not decoded. It returns nil when b is not
// an object.
func envelopeOnly(b []byte) *Input {
	var members map[string]json.RawMessage
	if json.Unmarshal(b, &members) != nil {
		return nil
	}
	in := &Input{raw: b}
	if v, ok := members[FieldRunID]; ok {
		in.HasRunID = true
		var id string
		if json.Unmarshal(v, &id) == nil && ValidRunID(id) {
			in.RunID = id
		}
	}
	if v, ok := members[FieldDropResultOnSuccess]; ok {
		in.HasDropResultOnSuccess = true
		in.DropResultOnSuccess = string(v) == "true"
	}
	return in
}

// split takes the reserved fields out of the document into the envelope.
func (in *Input) split() error {
	var errs []error
	if v, ok := in.Document[FieldRunID]; ok {
		in.reserved, in.HasRunID = true, true
		if id, isStr := v.(string); isStr && ValidRunID(id) {
			in.RunID = id
		} else {
			errs = append(errs, ErrInvalidRunID)
		}
	}
	if v, ok := in.Document[FieldDropResultOnSuccess]; ok {
		in.reserved, in.HasDropResultOnSuccess = true, true
		if drop, isBool := v.(bool); isBool {
			in.DropResultOnSuccess = drop
		} else {
			errs = append(errs, ErrInvalidDropFl)
		}
	}
	in.Fields = in.Document
	if in.reserved {
		in.Fields = make(map[string]any, len(in.Document))
		for k, v := range in.Document {
			if k != FieldRunID && k != FieldDropResultOnSuccess {
				in.Fields[k] = v
			}
		}
	}
	return errors.Join(errs...)
}

// Payload returns the JSON of the task's own fields, ready to be decoded
// into the task's input type. When the document had no reserved fields
// and no repeated keys it is the document as received. A repeated key
// keeps its last value, as a validator of Document sees it: decoded as
// received, encoding/json would merge repeated objects into one struct.
func (in *Input) Payload() ([]byte, error) {
	if !in.reserved && !in.Repeated {
		return in.raw, nil
	}
	if in.payload != nil { // cut by ScanInput, which sets no Repeated
		return in.payload, nil
	}
	b, err := json.Marshal(in.Fields)
	if err != nil {
		return nil, fmt.Errorf("encode payload: %w", err)
	}
	return b, nil
}

// EncodeInput returns payload, which must be the JSON of an object, with
// the envelope's reserved fields added in front: runID when it is not
// empty, and dropResultOnSuccess when drop is true.
func EncodeInput(payload []byte, runID string, drop bool) ([]byte, error) {
	payload = bytes.TrimSpace(payload)
	if len(payload) < 2 || payload[0] != '{' || payload[len(payload)-1] != '}' {
		return nil, ErrNotObject
	}
	if runID != "" && !ValidRunID(runID) {
		return nil, fmt.Errorf("%w: %q", ErrInvalidRunID, runID)
	}
	var buf bytes.Buffer
	buf.Grow(len(payload) + len(runID) + 48)
	buf.WriteByte('{')
	sep := false
	if runID != "" {
		buf.WriteString(`"` + FieldRunID + `":`)
		buf.WriteString(strconv.Quote(runID)) // run ids are plain ASCII
		sep = true
	}
	if drop {
		if sep {
			buf.WriteByte(',')
		}
		buf.WriteString(`"` + FieldDropResultOnSuccess + `":true`)
		sep = true
	}
	rest := bytes.TrimSpace(payload[1:])
	if sep && len(rest) > 1 {
		buf.WriteByte(',')
	}
	buf.Write(rest)
	return buf.Bytes(), nil
}
