package natq_test

import (
	"context"
	"testing"

	"github.com/natq/natq-go/natq"
)

type benchIn struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

type benchOut struct {
	Sum float64 `json:"sum"`
}

var benchTask = natq.NewTask[benchIn, benchOut]("bench", natq.Sync)

func benchHandler(_ context.Context, in benchIn) (benchOut, error) {
	return benchOut{Sum: in.A + in.B}, nil
}

// BenchmarkInvoke measures the path every run takes inside a worker:
// envelope, validation, decoding, the handler and encoding. Run it with
// -benchmem for allocations per run.
func BenchmarkInvoke(b *testing.B) {
	for _, c := range []struct{ name, doc string }{
		{"small", `{"a":1,"b":2}`},
		{"run-id", `{"runId":"order-42","a":1,"b":2}`},
	} {
		doc := []byte(c.doc)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if rec := natq.Invoke(context.Background(), benchTask, benchHandler, doc); rec.Status != 200 {
					b.Fatalf("status %d: %s", rec.Status, rec.Error)
				}
			}
		})
	}
}
