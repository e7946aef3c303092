package natq_test

import (
	"context"
	"strings"
	"testing"

	"github.com/natq/natq-go/natq"
)

// FuzzInvoke feeds arbitrary documents through the whole path a worker
// takes: envelope, validation, decoding, handler and encoding. Nothing may
// panic, and every outcome must be a status the protocol defines with the
// message it promises.
func FuzzInvoke(f *testing.F) {
	for _, seed := range []string{
		`{"when":"2026-12-04T10:00:00Z"}`,
		`{"when":"2026-12-04T10:00:00Z","small":127,"list":["a"],"runId":"r"}`,
		`{"when":"x"}`, `{"small":1e99}`, `[]`, `{"runId":"*"}`, "\xff", `{"list":null}`,
	} {
		f.Add([]byte(seed))
	}
	handler := func(_ context.Context, in strictIn) (jobOut, error) {
		return jobOut{N: len(in.List)}, nil
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		rec := natq.Invoke(context.Background(), strict, handler, doc)
		switch rec.Status {
		case 200:
			if rec.Error != "" || len(rec.Data) == 0 {
				t.Fatalf("success with error %q and data %s", rec.Error, rec.Data)
			}
		case 400:
			if rec.Error == "" || strings.Contains(rec.Error, "\n") {
				t.Fatalf("400 with error %q", rec.Error)
			}
		case 406:
			if rec.Error != "Invalid JSON input" {
				t.Fatalf("406 with error %q", rec.Error)
			}
		default:
			t.Fatalf("status %d (%s) for %q", rec.Status, rec.Error, doc)
		}
	})
}
