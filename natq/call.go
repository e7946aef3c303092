package natq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/natq/natq-go/codec"
	"github.com/nats-io/nats.go"
)

// Call runs a sync task and returns its output. A run that ends with a
// failing status returns a [*Error] with that status and message. Other
// failures wrap [ErrNoWorker] (no worker answered; also [ErrUnknownTask]
// when no worker ever published the task), [ErrTimeout] or
// [ErrPayloadTooLarge]. When ctx has no deadline the client's call timeout
// applies ([WithCallTimeout]).
func (t *Task[In, Out]) Call(ctx context.Context, c *Client, in In, opts ...CallOption) (Out, error) {
	var out Out
	if t.def.kind != Sync {
		return out, fmt.Errorf("natq: call %s: %w", t.def.id, wrongKind(t.def.id, t.def.kind))
	}
	payload, err := encodePayload(t.def.id, in)
	if err != nil {
		return out, err
	}
	data, err := c.callPayload(ctx, t.def.id, payload, opts)
	if err != nil {
		return out, err
	}
	return decodeData[Out](t.def.decodeOut, t.def.id, data)
}

// CallJSON runs a sync task by id with a raw JSON input, and returns the
// output's JSON, nil when the run had no data. It is [Task.Call] for
// programs that do not have the task's Go types, such as tools and
// gateways, and fails the same ways; a call to an async task returns an
// error wrapping [ErrWrongKind].
//
// The input must be a JSON object. It may carry the envelope's runId; it
// is sent as it is, with a run id added when [WithRunID] is given.
func (c *Client) CallJSON(ctx context.Context, taskID string, input []byte, opts ...CallOption) (json.RawMessage, error) {
	return c.callPayload(ctx, taskID, input, opts)
}

// callPayload is the path of every call, typed or not.
func (c *Client) callPayload(ctx context.Context, taskID string, payload []byte, opts []CallOption) ([]byte, error) {
	var cfg produceConfig
	for _, opt := range opts {
		opt.applyCall(&cfg)
	}
	r, err := c.newRequest(Sync, taskID, payload, cfg)
	if err != nil {
		return nil, err
	}
	data, err := c.call(ctx, r)
	if err != nil {
		return nil, r.fail(err)
	}
	return data, nil
}

// call sends one request and turns the reply's status into an error.
func (c *Client) call(ctx context.Context, r *request) ([]byte, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.callTimeout)
		defer cancel()
	}
	if err := c.check(ctx, r); err != nil {
		return nil, err
	}
	req := &nats.Msg{Subject: c.cfg.names.syncSubject(r.taskID), Data: r.doc}
	reply, err := c.request(ctx, req)
	if errors.Is(err, nats.ErrNoResponders) {
		return nil, c.noWorker(ctx, r.taskID)
	}
	if err != nil {
		return nil, transportError(err)
	}
	status, msg, ok := codec.ParseReplyHeaders(reply.Header)
	if !ok {
		return nil, errors.New("reply with a malformed status header")
	}
	if !codec.IsSuccess(status) {
		return nil, &Error{Status: status, Message: msg}
	}
	return reply.Data, nil
}

// noWorker explains why nobody answered a call. The tasks bucket tells a
// task that is not served now from one no worker has ever published, and
// from an async task called by mistake.
func (c *Client) noWorker(ctx context.Context, taskID string) error {
	info, err := c.Task(ctx, taskID)
	switch {
	case errors.Is(err, ErrUnknownTask):
		return &sentinels{msg: ErrUnknownTask.Error(), errs: []error{ErrUnknownTask, ErrNoWorker}}
	case err == nil && info.Kind != Sync:
		return wrongKind(taskID, info.Kind)
	}
	return ErrNoWorker
}
