package natq

import (
	"fmt"

	"github.com/natq/natq-go/codec"
)

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
	size := int64(len(res.data)) + envelopeRoom
	// Reading the limit takes the connection's lock, which every publish
	// holds: skip it while results are well under the last limit read,
	// as servers with a max payload that small do not exist.
	if size <= w.maxPayload.Load()/2 {
		return res
	}
	limit := w.nc.MaxPayload()
	w.maxPayload.Store(limit)
	if limit <= 0 || size <= limit {
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
