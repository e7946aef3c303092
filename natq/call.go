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
// failing status returns a [*Error] with that status and message; no
// worker answering returns an error wrapping [ErrNoWorker]. When ctx has no
// deadline the client's call timeout applies ([WithCallTimeout]).
func (t *Task[In, Out]) Call(ctx context.Context, c *Client, in In) (Out, error) {
	var out Out
	if t.def.kind != Sync {
		return out, fmt.Errorf("natq: call %s: the task is async; use Enqueue", t.def.id)
	}
	payload, err := encodePayload(t.def.id, in)
	if err != nil {
		return out, err
	}
	data, err := c.call(ctx, t.def.id, payload)
	if err != nil || len(data) == 0 {
		return out, err
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return out, fmt.Errorf("natq: call %s: decode output: %w", t.def.id, err)
	}
	return out, nil
}

// call sends one request and turns the reply's status into an error.
func (c *Client) call(ctx context.Context, taskID string, payload []byte) ([]byte, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.callTimeout)
		defer cancel()
	}
	req := &nats.Msg{Subject: c.cfg.names.syncSubject(taskID), Data: payload}
	reply, err := c.nc.RequestMsgWithContext(ctx, req)
	if errors.Is(err, nats.ErrNoResponders) {
		return nil, fmt.Errorf("natq: call %s: %w", taskID, ErrNoWorker)
	}
	if err != nil {
		return nil, fmt.Errorf("natq: call %s: %w", taskID, err)
	}
	status, msg, ok := codec.ParseReplyHeaders(reply.Header)
	if !ok {
		return nil, fmt.Errorf("natq: call %s: reply with a malformed status header", taskID)
	}
	if !codec.IsSuccess(status) {
		return nil, &Error{Status: status, Message: msg}
	}
	return reply.Data, nil
}

// encodePayload marshals a task's input and checks that it is an object.
func encodePayload(taskID string, in any) ([]byte, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("natq: %s: encode input: %w", taskID, err)
	}
	if len(b) == 0 || b[0] != '{' {
		return nil, fmt.Errorf("natq: %s: %w", taskID, codec.ErrNotObject)
	}
	return b, nil
}
