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

type orderLine struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

type orderIn struct {
	ID    string      `json:"id"`
	Lines []orderLine `json:"lines"`
	Tags  []string    `json:"tags,omitempty"`
	Note  *string     `json:"note,omitempty"`
}

var orderTask = natq.NewTask[orderIn, benchOut]("bench-order", natq.Sync)

// BenchmarkInvokeNested is BenchmarkInvoke for an input with nested
// structs, slices and a pointer.
func BenchmarkInvokeNested(b *testing.B) {
	doc := []byte(`{"id":"o-1","lines":[{"sku":"a","qty":2},{"sku":"b","qty":1},{"sku":"c","qty":5}],"tags":["gift","rush"],"note":"ring twice"}`)
	handler := func(_ context.Context, in orderIn) (benchOut, error) {
		n := 0
		for _, l := range in.Lines {
			n += l.Qty
		}
		return benchOut{Sum: float64(n)}, nil
	}
	b.ReportAllocs()
	for b.Loop() {
		if rec := natq.Invoke(context.Background(), orderTask, handler, doc); rec.Status != 200 || string(rec.Data) != `{"sum":8}` {
			b.Fatalf("status %d: %s %s", rec.Status, rec.Error, rec.Data)
		}
	}
}
