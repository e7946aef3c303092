package natq

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/natq/natq-go/codec"
	"github.com/natq/natq-go/internal/plainjson"
	"github.com/oklog/ulid/v2"
)

// request is one call or enqueue on its way to the server. Typed tasks and
// raw JSON build it the same way and send it down the same path, so both
// check, validate and fail alike.
type request struct {
	kind   Kind
	taskID string
	// doc is the input document as sent, envelope fields included.
	doc   []byte
	runID string
	drop  bool
	// lookup asks for the task's definition to be read before sending:
	// for validation, or to refuse an unknown task.
	lookup   bool
	validate bool
}

// op names what the request does, for error messages.
func (r *request) op() string {
	if r.kind == Async {
		return "enqueue"
	}
	return "call"
}

// fail wraps an error of the request with what was being done. A
// [*Error] is returned as it is: its message is the worker's, or the one
// a worker would have given.
func (r *request) fail(err error) error {
	var serr *Error
	if errors.As(err, &serr) {
		return err
	}
	return fmt.Errorf("natq: %s %s: %w", r.op(), r.taskID, err)
}

// newRequest reads the envelope of an input document, adds the run id and
// drop flag that the options ask for, and returns the request. The
// envelope is always checked, as the producer must know the run id it
// waits on; an input a worker would refuse for its envelope, or for not
// being a JSON object, is refused with the same [*Error].
func (c *Client) newRequest(kind Kind, taskID string, payload []byte, cfg produceConfig) (*request, error) {
	r := &request{kind: kind, taskID: taskID, validate: c.cfg.validate}
	if cfg.validate != nil {
		r.validate = *cfg.validate
	}
	r.lookup = r.validate
	if err := ValidateTaskID(taskID); err != nil {
		return nil, err
	}
	in, serr := admitInput(nil, payload)
	if serr != nil {
		return nil, serr
	}
	addID, err := r.mergeRunID(in, cfg.runID)
	if err != nil {
		return nil, err
	}
	addDrop, err := r.mergeDrop(in, cfg.drop)
	if err != nil {
		return nil, err
	}
	r.doc = payload
	if addID != "" || addDrop {
		if r.doc, err = codec.EncodeInput(payload, addID, addDrop); err != nil {
			return nil, r.fail(err)
		}
	}
	return r, nil
}

// mergeRunID settles the run id from the input and the option, and
// returns the id to add to the document, if any. An async run always gets
// one: the producer needs it to wait.
func (r *request) mergeRunID(in *codec.Input, opt string) (string, error) {
	r.runID = in.RunID
	switch {
	case opt == "" && r.runID == "" && r.kind == Async:
		r.runID = ulid.Make().String()
		return r.runID, nil
	case opt == "" || opt == r.runID:
		return "", nil
	case r.runID != "":
		return "", r.fail(fmt.Errorf("the input's runId %q differs from WithRunID(%q)", r.runID, opt))
	case !codec.ValidRunID(opt):
		return "", envelopeError(codec.ErrInvalidRunID)
	}
	r.runID = opt
	return opt, nil
}

// mergeDrop settles the drop flag from the input and the option, and
// reports whether the flag must be added to the document.
func (r *request) mergeDrop(in *codec.Input, opt bool) (bool, error) {
	r.drop = in.DropResultOnSuccess || opt
	if !opt || in.DropResultOnSuccess {
		return false, nil
	}
	if in.HasDropResultOnSuccess {
		return false, r.fail(errors.New("the input's dropResultOnSuccess is false, WithDropResultOnSuccess asks for true"))
	}
	return true, nil
}

// encodePayload marshals a typed input.
func encodePayload(taskID string, in any) ([]byte, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("natq: %s: encode input: %w", taskID, err)
	}
	return b, nil
}

// decodeData decodes a successful run's data; no data is the zero value.
// dec decodes plain types, and may be nil.
func decodeData[Out any](dec *plainjson.Decoder, taskID string, data []byte) (Out, error) {
	var out Out
	if len(data) == 0 {
		return out, nil
	}
	if err := decodeJSON(dec, data, &out); err != nil {
		return out, fmt.Errorf("natq: %s: decode output: %w", taskID, err)
	}
	return out, nil
}
