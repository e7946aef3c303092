package codec

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// scanSeeds are documents for the fast path: ones it takes and ones it
// must leave to the decoder.
var scanSeeds = []string{
	`{}`, ` {"a":1} `, `{"runId":"r-1","dropResultOnSuccess":true,"x":[1,{"y":null}]}`,
	`{"a":1,"runId":"r-1"}`, `{"dropResultOnSuccess":false}`, `{"a":{"runId":"nested"},"b":2}`,
	`{"runId":5}`, `{"runId":"a b"}`, `{"runId":"r\u002d1"}`, `{"run\u0049d":"x"}`,
	`{"dropResultOnSuccess":"yes"}`, `{"runId":"x","runId":"y"}`, `[1]`, `"s"`, `null`,
	`{"a":`, "{\"a\":\"\xff\"}", `{"a":1} {}`, `{"a":1,}`, `{"a":01}`,
}

// TestScanInputAgreesWithDecodeInput checks the fast path against the
// decoder: whatever ScanInput takes, DecodeInput takes too, with the same
// envelope and the same payload.
func TestScanInputAgreesWithDecodeInput(t *testing.T) {
	t.Parallel()
	taken := 0
	for _, doc := range scanSeeds {
		if agree(t, []byte(doc)) {
			taken++
		}
	}
	if taken != 6 {
		t.Errorf("the fast path took %d of the seeds, want the first 6", taken)
	}
}

func TestScanInputPayload(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ doc, want string }{
		{`{"a":1}`, `{"a":1}`},
		{`{"runId":"r-1","a":1}`, `{"a":1}`},
		{`{ "a" : 1 , "runId" : "r-1" , "b" : [ 2 ] }`, `{"a" : 1,"b" : [ 2 ]}`},
		{`{"runId":"r-1","dropResultOnSuccess":true}`, `{}`},
	} {
		in, ok := ScanInput([]byte(c.doc))
		if !ok {
			t.Fatalf("ScanInput(%s): not taken", c.doc)
		}
		got, err := in.Payload()
		if err != nil || string(got) != c.want {
			t.Errorf("ScanInput(%s).Payload(): got %s, %v; want %s", c.doc, got, err, c.want)
		}
	}
}

// agree fails t when ScanInput takes doc but reads it differently from
// DecodeInput, and reports whether it took it.
func agree(t *testing.T, doc []byte) bool {
	t.Helper()
	fast, ok := ScanInput(doc)
	if !ok {
		return false
	}
	full, err := DecodeInput(doc)
	if err != nil {
		t.Fatalf("ScanInput(%q) taken, but DecodeInput says %v", doc, err)
	}
	type envelope struct {
		RunID          string
		HasRunID, Drop bool
		HasDrop        bool
	}
	got := envelope{fast.RunID, fast.HasRunID, fast.DropResultOnSuccess, fast.HasDropResultOnSuccess}
	want := envelope{full.RunID, full.HasRunID, full.DropResultOnSuccess, full.HasDropResultOnSuccess}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("ScanInput(%q) envelope (-decoder +scan):\n%s", doc, diff)
	}
	payload, err := fast.Payload()
	if err != nil {
		t.Fatalf("ScanInput(%q).Payload(): %v", doc, err)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var fields map[string]any
	if err := dec.Decode(&fields); err != nil {
		t.Fatalf("ScanInput(%q).Payload() = %q, not an object: %v", doc, payload, err)
	}
	if diff := cmp.Diff(full.Fields, fields); diff != "" {
		t.Fatalf("ScanInput(%q) payload fields (-decoder +scan):\n%s", doc, diff)
	}
	return true
}

func FuzzScanInput(f *testing.F) {
	for _, seed := range scanSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) { agree(t, b) })
}
