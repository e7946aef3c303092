package natqtest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/natq/natq-go/natq"
)

// Result is the outcome of [Invoke]: what a worker would have stored for
// the run, with the data decoded.
type Result[Out any] struct {
	// RunID is the run's id.
	RunID string
	// Status is the protocol status.
	Status int
	// Data is the output; the zero value unless the run succeeded.
	Data Out
	// Error is the failure's message; empty on success.
	Error string
}

// Invoke runs fn for task t on in, in memory: through the envelope,
// validation, decoding and encoding a worker applies, with no server. It is
// the fastest way to test a handler and the messages it returns.
func Invoke[In, Out any](tb testing.TB, t *natq.Task[In, Out], fn natq.HandlerFunc[In, Out], in In) Result[Out] {
	tb.Helper()
	doc, err := json.Marshal(in)
	if err != nil {
		tb.Fatalf("natq: encode input of %s: %v", t.ID(), err)
	}
	return InvokeJSON(tb, t, fn, doc)
}

// InvokeJSON is [Invoke] with the input given as a raw document, for
// testing what a producer in another language might send: invalid JSON,
// fields of the wrong type, reserved fields.
func InvokeJSON[In, Out any](tb testing.TB, t *natq.Task[In, Out], fn natq.HandlerFunc[In, Out], input []byte) Result[Out] {
	tb.Helper()
	rec := natq.Invoke(context.Background(), t, fn, input)
	res := Result[Out]{RunID: rec.ID, Status: rec.Status, Error: rec.Error}
	if len(rec.Data) > 0 {
		if err := json.Unmarshal(rec.Data, &res.Data); err != nil {
			tb.Fatalf("natq: decode output of %s: %v", t.ID(), err)
		}
	}
	return res
}
