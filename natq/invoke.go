package natq

import (
	"context"

	"github.com/natq/natq-go/codec"
	"github.com/oklog/ulid/v2"
)

// Invoke runs fn for task t on one input document, through the same steps
// a worker takes (envelope, validation, decoding, the handler, encoding),
// with no NATS involved. It returns the record a worker would write: the
// run id (the input's, or a new one), the status, and the data or error.
//
// Invoke is for tests; natqtest wraps it in typed helpers. The handler's
// [RunInfo] has worker id "invoke" and attempt 1.
func Invoke[In, Out any](ctx context.Context, t *Task[In, Out], fn HandlerFunc[In, Out], input []byte) *codec.Record {
	b := &binding{def: t.def, handler: erase(t, fn)}
	rec := &codec.Record{TaskID: t.def.id}
	in, serr := b.admit(input)
	if in != nil {
		rec.ID = in.RunID
	}
	if rec.ID == "" {
		rec.ID = ulid.Make().String()
	}
	if serr != nil {
		rec.Status, rec.Error = serr.Status, serr.Message
		return rec
	}
	res := b.run(ctx, in, newRunState(rec.ID, t.def.id, "invoke", 1))
	rec.Status, rec.Data, rec.Error = res.status, res.data, res.msg
	return rec
}
