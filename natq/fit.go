package natq

import (
	"fmt"
	"sync/atomic"

	"github.com/natq/natq-go/codec"
	"github.com/nats-io/nats.go"
)

// maxPayload tells whether a message fits the server's max payload.
// Reading the limit takes the connection's lock, which every publish
// holds; it is read again only for messages over half the last limit
// read, since no server's limit changes by half between reconnects.
// The zero value is ready to use and safe for concurrent use.
type maxPayload struct{ last atomic.Int64 }

// exceeds reports whether size bytes are over nc's max payload, and the
// limit when it read it.
func (m *maxPayload) exceeds(nc *nats.Conn, size int64) (limit int64, over bool) {
	if size <= m.last.Load()/2 {
		return 0, false
	}
	limit = nc.MaxPayload()
	m.last.Store(limit)
	return limit, limit > 0 && size > limit
}

// envelopeRoom is what a reply or record needs beside its data: headers,
// subject and the record's own fields. A result is refused when its data
// leaves less room than this under the server's max payload.
const envelopeRoom = 1024

// fit turns a success whose data cannot travel (larger than the server's
// max payload) into a final 500 that says so, instead of a reply or a
// record that the connection refuses: the producer would wait for ever,
// or the run would fail the same way on every attempt. where names the
// reply subject or result key, for the log. It also clips the result's
// message to maxErrorText.
func (w *Worker) fit(res result, where string) result {
	res.msg = clip(res.msg)
	limit, over := w.maxPayload.exceeds(w.nc, int64(len(res.data))+envelopeRoom)
	if !over {
		return res
	}
	w.log.Warn("result too large for the server; refused", "where", where,
		"size", len(res.data), "max", limit)
	return result{
		status: codec.StatusInternal,
		msg: fmt.Sprintf("%soutput of %d bytes exceeds the server's max payload of %d bytes",
			codec.UnhandledPrefix, len(res.data), limit),
		final: true,
	}
}
