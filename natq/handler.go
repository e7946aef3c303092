package natq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/natq/natq-go/codec"
	"github.com/natq/natq-go/internal/plainjson"
	"github.com/natq/natq-go/schema"
)

// HandlerFunc serves one run of a task. A nil error is a success; an
// error's status is chosen by [StatusOf]: a [*Error] keeps its own, any
// other error is a 500. A panic is recovered as a 500.
type HandlerFunc[In, Out any] func(ctx context.Context, in In) (Out, error)

// rawHandler is a handler with its types erased: it takes the payload's
// JSON and returns the output's JSON. The engines see only this.
type rawHandler func(ctx context.Context, payload []byte) ([]byte, error)

// binding is a task bound to its handler.
type binding struct {
	def     *taskDef
	handler rawHandler
}

// erase wraps a typed handler into a rawHandler.
func erase[In, Out any](t *Task[In, Out], fn HandlerFunc[In, Out]) rawHandler {
	dec := t.def.decodeIn
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var in In
		if err := decodeJSON(dec, payload, &in); err != nil {
			return nil, BadRequest(decodeMessage(err))
		}
		out, err := fn(ctx, in)
		if err != nil {
			return nil, err
		}
		data, err := json.Marshal(out)
		if err != nil {
			return nil, fmt.Errorf("encode output: %w", err)
		}
		if string(data) == "null" {
			return nil, nil // no data: an empty body, no data field
		}
		return data, nil
	}
}

// decodeJSON decodes data into *v, which holds T's zero value: with dec
// when it is not nil and settles the document, else with encoding/json.
// The results, and the errors, are encoding/json's either way.
func decodeJSON[T any](dec *plainjson.Decoder, data []byte, v *T) error {
	if dec != nil && dec.Decode(data, reflect.ValueOf(v).Elem()) {
		return nil
	}
	var zero T
	*v = zero // dec may have set some fields before it declined
	return json.Unmarshal(data, v)
}

// decodeMessage explains why a payload that passed the schema still did
// not fit the Go type: a number too large for its field, say.
func decodeMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		path := "(root)"
		if te.Field != "" {
			path = "/" + strings.ReplaceAll(te.Field, ".", "/")
		}
		return fmt.Sprintf("invalid input: %s: %s does not fit Go type %s", path, te.Value, te.Type)
	}
	return "invalid input: " + err.Error()
}

// result is the outcome of one run, before it is put on the wire.
type result struct {
	status int
	data   []byte
	msg    string
	// final marks a failure that would fail the same way on every
	// attempt, so an async run ends at once instead of being retried.
	final bool
}

func failure(err *Error) result { return result{status: err.Status, msg: clip(err.Message)} }

// maxErrorText is the longest error message put on the wire. A result's
// message travels in a reply header or a KV record, both within the
// server's max payload; a validation error that lists every failing item
// of a large input would not fit, and the run would get no answer.
const maxErrorText = 4096

// clip shortens a message to maxErrorText bytes, on a rune boundary, and
// says how much was left out.
func clip(msg string) string {
	if len(msg) <= maxErrorText {
		return msg
	}
	cut := maxErrorText - 64 // room for the note
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes)", msg[:cut], len(msg)-cut)
}

// admit decodes and validates an input document. It returns the input (nil
// when the document is not a JSON object) and, when the input cannot run,
// the status error to answer with.
func (b *binding) admit(raw []byte) (*codec.Input, *Error) {
	return admitInput(b.def.in, raw)
}

// admitInput is what a worker does to an input document before a handler
// runs: decode the envelope, then validate against s (skipped when s is
// nil). A producer that validates before sending calls it too, so that it
// refuses an input with the very status and message a worker would.
//
// A valid document takes the fast path: its envelope is read and its
// fields checked in place, and the handler decodes it once, into its Go
// type. Anything the fast path cannot settle, invalid documents included,
// goes through the full decoder and validator, which give the verdict and
// the message.
func admitInput(s *schema.Schema, raw []byte) (*codec.Input, *Error) {
	scanned, ok := codec.ScanInput(raw)
	if ok && (s == nil || s.Accepts(raw)) {
		return scanned, nil
	}
	in, err := codec.DecodeInput(raw)
	switch {
	case errors.Is(err, codec.ErrInvalidJSON):
		return nil, NewError(codec.StatusNotAcceptable, codec.MsgInvalidJSON)
	case errors.Is(err, codec.ErrNotObject):
		return nil, BadRequest(err.Error())
	case errors.Is(err, codec.ErrTooDeep), errors.Is(err, codec.ErrNumberRange):
		return in, BadRequest(err.Error()) // in holds the envelope, if any
	case err != nil:
		return in, envelopeError(err)
	}
	if s != nil {
		if err := s.Validate(in.Document); err != nil {
			return in, BadRequest(err.Error())
		}
	}
	if ok && !in.Repeated {
		return scanned, nil // its payload needs no re-encoding
	}
	// in's payload keeps each repeated key's last value, as the validator
	// just read it (and as the protocol's other SDKs read it), where
	// encoding/json would merge repeated objects into a struct no one
	// validated.
	return in, nil
}

// envelopeError is the 400 for reserved fields that cannot be used.
func envelopeError(err error) *Error {
	return BadRequest("invalid input: " + strings.ReplaceAll(err.Error(), "\n", "; "))
}

// run calls the handler on an admitted input. It never panics: a panic in
// the handler becomes a 500.
func (b *binding) run(ctx context.Context, in *codec.Input, run *runState) (res result) {
	defer func() {
		if v := recover(); v != nil {
			res = result{status: codec.StatusInternal, msg: codec.UnhandledPrefix + panicText(v)}
		}
	}()
	payload, err := in.Payload()
	if err != nil {
		return failure(BadRequest(err.Error()))
	}
	ctx = withRunState(ctx, run)
	if b.def.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, b.def.timeout)
		defer cancel()
	}
	data, err := b.handler(ctx, payload)
	if err != nil {
		return result{status: StatusOf(err), msg: errorText(err)}
	}
	return result{status: codec.StatusOK, data: data}
}

// errorText is the wire message of a handler's error: the error's own text
// when it carries a status, else the protocol's "Unhandled exception".
func errorText(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return err.Error()
	}
	return codec.UnhandledPrefix + err.Error()
}

func panicText(v any) string {
	if err, ok := v.(error); ok {
		return err.Error()
	}
	return fmt.Sprint(v)
}
