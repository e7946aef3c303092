package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeInput checks that no input document panics the decoder, that
// every error is one of the documented ones, and that an accepted
// document's payload is a JSON object without the reserved fields.
func FuzzDecodeInput(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"a":1}`, `{"runId":"r-1","dropResultOnSuccess":true,"x":[1,{"y":null}]}`,
		`{"runId":5}`, `{"runId":"a b"}`, `[1]`, `"s"`, `null`, `{"a":`, "{\"a\":\"\xff\"}",
		`{"a":1e999}`, `{"a":1} {}`, `{"runId":"x","runId":"y"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := DecodeInput(b)
		if err != nil {
			for _, known := range []error{ErrInvalidJSON, ErrNotObject, ErrTooDeep, ErrNumberRange, ErrInvalidRunID, ErrInvalidDropFl} {
				if errors.Is(err, known) {
					return
				}
			}
			t.Fatalf("undocumented error %v", err)
		}
		payload, err := in.Payload()
		if err != nil {
			t.Fatalf("payload of an accepted input: %v", err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(payload, &fields); err != nil {
			t.Fatalf("payload %q is not an object: %v", payload, err)
		}
		if _, ok := fields[FieldRunID]; ok {
			t.Fatalf("payload %q kept %s", payload, FieldRunID)
		}
		if _, ok := fields[FieldDropResultOnSuccess]; ok {
			t.Fatalf("payload %q kept %s", payload, FieldDropResultOnSuccess)
		}
	})
}

// FuzzEncodeInput checks that what EncodeInput accepts decodes back to the
// same envelope.
func FuzzEncodeInput(f *testing.F) {
	f.Add([]byte(`{"a":1}`), "r-1", true)
	f.Add([]byte(`{}`), "", false)
	f.Add([]byte(` { } `), "a.b", true)
	f.Fuzz(func(t *testing.T, payload []byte, runID string, drop bool) {
		// Only payloads json.Marshal could produce for a task's input: an
		// object, in valid UTF-8 (json.Valid tolerates bad UTF-8 in strings;
		// the decoder, like RFC 8259, does not).
		if !json.Valid(payload) || !utf8.Valid(payload) || !bytes.HasPrefix(bytes.TrimSpace(payload), []byte("{")) {
			return
		}
		var fields map[string]any
		if json.Unmarshal(payload, &fields) != nil {
			return
		}
		if _, ok := fields[FieldRunID]; ok {
			return // a task's input cannot declare the reserved fields
		}
		if _, ok := fields[FieldDropResultOnSuccess]; ok {
			return
		}
		doc, err := EncodeInput(payload, runID, drop)
		if err != nil {
			if runID == "" || ValidRunID(runID) {
				t.Fatalf("refused a valid envelope: %v", err)
			}
			return
		}
		in, err := DecodeInput(doc)
		if err != nil {
			t.Fatalf("decode %s: %v", doc, err)
		}
		if in.RunID != runID || in.DropResultOnSuccess != drop {
			t.Fatalf("got %q %v from %s, want %q %v", in.RunID, in.DropResultOnSuccess, doc, runID, drop)
		}
	})
}

// FuzzValidRunID checks that ValidRunID is RunIDPattern, which other SDKs
// and the published schemas use.
func FuzzValidRunID(f *testing.F) {
	pattern := regexp.MustCompile(RunIDPattern)
	for _, seed := range []string{"r-1", "a.b", ".a", "a.", "a..b", "a b", "", "=/_-", "é", "a.b.c"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		match := pattern.MatchString(id)
		if got := MatchRunIDPattern(id); got != match {
			t.Errorf("MatchRunIDPattern(%q) = %v, want %v", id, got, match)
		}
		if got, want := ValidRunID(id), match && len(id) <= MaxRunIDLength; got != want {
			t.Errorf("ValidRunID(%q) = %v, want %v", id, got, want)
		}
	})
}
