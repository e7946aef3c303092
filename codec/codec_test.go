package codec

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func jsonNum(s string) json.Number { return json.Number(s) }

func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rec  Record
		want string
	}{
		{"processing", Record{ID: "r", TaskID: "t", Status: 100}, `{"id":"r","taskId":"t","status":100}`},
		{
			"success",
			Record{ID: "r", TaskID: "t", Status: 200, Data: json.RawMessage(`{"x":1}`)},
			`{"id":"r","taskId":"t","status":200,"data":{"x":1}}`,
		},
		{
			"failure",
			Record{ID: "r", TaskID: "t", Status: 400, Error: "no"},
			`{"id":"r","taskId":"t","status":400,"error":"no"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := EncodeRecord(&tt.rec)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got %s, want %s", b, tt.want)
			}
			got, err := DecodeRecord(b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.rec, *got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeRecordNeedsStatus(t *testing.T) {
	t.Parallel()
	if _, err := DecodeRecord([]byte(`{"id":"r","taskId":"t"}`)); err == nil {
		t.Error("got no error for a record without status")
	}
}

func TestStatusClasses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status                    int
		success, final, retryable bool
	}{
		{100, false, false, false},
		{200, true, true, false},
		{204, true, true, false},
		{400, false, true, false},
		{406, false, true, false},
		{500, false, true, true},
		{503, false, true, true},
	}
	for _, tt := range tests {
		if got := IsSuccess(tt.status); got != tt.success {
			t.Errorf("IsSuccess(%d): got %v, want %v", tt.status, got, tt.success)
		}
		if got := IsFinal(tt.status); got != tt.final {
			t.Errorf("IsFinal(%d): got %v, want %v", tt.status, got, tt.final)
		}
		if got := IsRetryable(tt.status); got != tt.retryable {
			t.Errorf("IsRetryable(%d): got %v, want %v", tt.status, got, tt.retryable)
		}
	}
}

func TestReplyHeaders(t *testing.T) {
	t.Parallel()
	h := ReplyHeaders(400, "bad")
	if diff := cmp.Diff(map[string][]string{"status": {"400"}, "error": {"bad"}}, h); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if _, ok := ReplyHeaders(200, "")[HeaderError]; ok {
		t.Error("error header set on success")
	}
	tests := []struct {
		name   string
		h      map[string][]string
		status int
		msg    string
		ok     bool
	}{
		{"natq reply", h, 400, "bad", true},
		{"no headers", nil, 200, "", true},
		{"not a number", map[string][]string{"status": {"x"}}, 0, "", false},
		{"canonical case is not ours", map[string][]string{"Status": {"503"}}, 200, "", true},
	}
	for _, tt := range tests {
		status, msg, ok := ParseReplyHeaders(tt.h)
		if status != tt.status || msg != tt.msg || ok != tt.ok {
			t.Errorf("%s: got %d %q %v, want %d %q %v", tt.name, status, msg, ok, tt.status, tt.msg, tt.ok)
		}
	}
}

func TestDefinitionRoundTrip(t *testing.T) {
	t.Parallel()
	d := &Definition{ID: "t", Type: TypeAsync, InputSchema: `{"type":"object"}`}
	b, err := EncodeDefinition(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"t","type":"async","inputSchema":"{\"type\":\"object\"}"}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	got, err := DecodeDefinition(b)
	if err != nil || *got != *d {
		t.Errorf("round trip: got %+v, %v", got, err)
	}
	if _, err := DecodeDefinition([]byte(`{"id":"t","type":"batch"}`)); err == nil {
		t.Error("got no error for an unknown type")
	}
}
