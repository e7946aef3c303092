package codec

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantErr error
		runID   string
		drop    bool
		fields  map[string]any
		payload string
	}{
		{name: "plain", in: `{"a":1}`, fields: map[string]any{"a": jsonNum("1")}, payload: `{"a":1}`},
		{
			name: "reserved fields split off", in: `{"runId":"r-1","dropResultOnSuccess":true,"a":"x"}`,
			runID: "r-1", drop: true, fields: map[string]any{"a": "x"}, payload: `{"a":"x"}`,
		},
		{name: "empty object", in: ` {} `, fields: map[string]any{}, payload: ` {} `},
		{name: "invalid JSON", in: `{"a":`, wantErr: ErrInvalidJSON},
		{name: "empty", in: ``, wantErr: ErrInvalidJSON},
		{name: "trailing data", in: `{} {}`, wantErr: ErrInvalidJSON},
		{name: "trailing garbage", in: `{}x`, wantErr: ErrInvalidJSON},
		{name: "invalid UTF-8", in: "{\"a\":\"\xff\"}", wantErr: ErrInvalidJSON},
		{name: "array", in: `[1,2]`, wantErr: ErrNotObject},
		{name: "string", in: `"x"`, wantErr: ErrNotObject},
		{name: "number", in: `12`, wantErr: ErrNotObject},
		{name: "null", in: `null`, wantErr: ErrNotObject},
		{name: "run id with a space", in: `{"runId":"a b"}`, wantErr: ErrInvalidRunID},
		{name: "run id with a wildcard", in: `{"runId":"a.*"}`, wantErr: ErrInvalidRunID},
		{name: "run id with a leading dot", in: `{"runId":".a"}`, wantErr: ErrInvalidRunID},
		{name: "run id not a string", in: `{"runId":5}`, wantErr: ErrInvalidRunID},
		{name: "empty run id", in: `{"runId":""}`, wantErr: ErrInvalidRunID},
		{name: "drop flag not a bool", in: `{"dropResultOnSuccess":"yes"}`, wantErr: ErrInvalidDropFl},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, err := DecodeInput([]byte(tt.in))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			if in.RunID != tt.runID || in.DropResultOnSuccess != tt.drop {
				t.Errorf("got envelope %q %v, want %q %v", in.RunID, in.DropResultOnSuccess, tt.runID, tt.drop)
			}
			if diff := cmp.Diff(tt.fields, in.Fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			payload, err := in.Payload()
			if err != nil {
				t.Fatal(err)
			}
			if string(payload) != tt.payload {
				t.Errorf("got payload %s, want %s", payload, tt.payload)
			}
		})
	}
}

func TestDecodeInputKeepsValidRunIDBesideAnError(t *testing.T) {
	t.Parallel()
	in, err := DecodeInput([]byte(`{"runId":"ok-1","dropResultOnSuccess":1}`))
	if !errors.Is(err, ErrInvalidDropFl) {
		t.Fatalf("got error %v, want %v", err, ErrInvalidDropFl)
	}
	if in == nil || in.RunID != "ok-1" {
		t.Fatalf("got input %+v, want run id ok-1 kept", in)
	}
}

func TestEncodeInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, payload, runID string
		drop                 bool
		want                 string
		wantErr              error
	}{
		{name: "nothing added", payload: `{"a":1}`, want: `{"a":1}`},
		{name: "run id", payload: `{"a":1}`, runID: "r1", want: `{"runId":"r1","a":1}`},
		{name: "both", payload: `{"a":1}`, runID: "r1", drop: true, want: `{"runId":"r1","dropResultOnSuccess":true,"a":1}`},
		{name: "empty object", payload: `{}`, runID: "r1", want: `{"runId":"r1"}`},
		{name: "empty object with space", payload: ` { } `, drop: true, want: `{"dropResultOnSuccess":true}`},
		{name: "not an object", payload: `[1]`, runID: "r1", wantErr: ErrNotObject},
		{name: "bad run id", payload: `{}`, runID: "a b", wantErr: ErrInvalidRunID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := EncodeInput([]byte(tt.payload), tt.runID, tt.drop)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			if tt.wantErr != nil {
				return
			}
			in, err := DecodeInput(got)
			if err != nil || in.RunID != tt.runID || in.DropResultOnSuccess != tt.drop {
				t.Errorf("round trip: got %+v, %v", in, err)
			}
		})
	}
}

func TestValidRunID(t *testing.T) {
	t.Parallel()
	tests := map[string]bool{
		"order-42": true, "01J0ABCDEF": true, "a.b.c": true, "a/b=c_d": true,
		"": false, "a b": false, "a*": false, "a>": false, ".a": false, "a.": false,
		"a..b": false, "ä": false, strings.Repeat("x", MaxRunIDLength): true,
		strings.Repeat("x", MaxRunIDLength+1): false,
	}
	for id, want := range tests {
		if got := ValidRunID(id); got != want {
			t.Errorf("ValidRunID(%q): got %v, want %v", id, got, want)
		}
	}
}

// A repeated key keeps its last value in Fields and in the payload, so
// that a handler decodes what a validator of Document saw.
func TestDecodeInputRepeatedKeys(t *testing.T) {
	in, err := DecodeInput([]byte(`{"a":{"x":1},"b":[{"k":1,"k":2}],"a":{"y":2}}`))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := in.Payload()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":{"y":2},"b":[{"k":2}]}`; !in.Repeated || string(payload) != want {
		t.Errorf("got repeated %v, payload %s; want true, %s", in.Repeated, payload, want)
	}
	in, err = DecodeInput([]byte(`{"a":{"x":1},"b":{"x":1}}`))
	if err != nil || in.Repeated {
		t.Errorf("got repeated %v, %v; want false", in.Repeated, err)
	}
}
