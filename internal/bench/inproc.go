package bench

import (
	"context"
	"testing"

	"github.com/natq/natq-go/natq"
)

// benchInProcess measures the path every run takes inside the worker,
// with no network: envelope, validation, decoding, handler, encoding.
func (r *runner) benchInProcess() {
	handler := func(_ context.Context, in AddIn) (AddOut, error) {
		return AddOut{Sum: in.A + in.B}, nil
	}
	for _, c := range []struct{ name, doc string }{
		{"small struct", `{"a":1,"b":2}`},
		{"with run id", `{"runId":"order-42","a":1,"b":2}`},
	} {
		doc := []byte(c.doc)
		res := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if rec := natq.Invoke(context.Background(), benchAdd, handler, doc); rec.Status != 200 {
					b.Fatalf("status %d: %s", rec.Status, rec.Error)
				}
			}
		})
		r.report.inProc = append(r.report.inProc, inProcRow{
			name: c.name, nsPerOp: res.NsPerOp(), allocs: res.AllocsPerOp(), bytes: res.AllocedBytesPerOp(),
		})
	}
}
