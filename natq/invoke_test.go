package natq_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/natq/natq-go/natq"
)

type sizeIn struct {
	Name  string `json:"name" jsonschema:"minLength=1"`
	Count int8   `json:"count"`
}

type sizeOut struct {
	Total int `json:"total"`
}

var sizeTask = natq.NewTask[sizeIn, sizeOut]("size", natq.Sync)

func sizeHandler(ctx context.Context, in sizeIn) (sizeOut, error) {
	switch in.Name {
	case "refuse":
		return sizeOut{}, natq.BadRequest("refused: " + in.Name)
	case "fail":
		return sizeOut{}, errors.New("disk on fire")
	case "panic":
		panic("handler bug")
	case "info":
		info, ok := natq.RunInfoFromContext(ctx)
		if !ok || info.TaskID != "size" || info.RunID != "run-7" || info.Attempt != 1 {
			return sizeOut{}, natq.Errorf(500, "run info %+v %v", info, ok)
		}
	}
	return sizeOut{Total: len(in.Name) * int(in.Count)}, nil
}

func TestInvokeStatusPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		input     string
		status    int
		data      string
		errSubstr []string
	}{
		{name: "success", input: `{"name":"ab","count":3}`, status: 200, data: `{"total":6}`},
		{name: "repeated key", input: `{"name":"ab","count":9,"count":2}`, status: 200, data: `{"total":4}`},
		{name: "run info", input: `{"runId":"run-7","name":"info","count":1}`, status: 200, data: `{"total":4}`},
		{name: "invalid JSON", input: `{"name":`, status: 406, errSubstr: []string{"Invalid JSON input"}},
		{name: "not an object", input: `[1]`, status: 400, errSubstr: []string{"JSON object"}},
		{
			name: "validation", input: `{"name":"","count":"x","extra":1}`, status: 400,
			errSubstr: []string{"/name", "/count", "extra"},
		},
		{name: "missing field", input: `{"count":1}`, status: 400, errSubstr: []string{"name"}},
		{name: "overflow", input: `{"name":"a","count":300}`, status: 400, errSubstr: []string{"/count", "int8"}},
		{name: "bad run id", input: `{"runId":"a b","name":"a","count":1}`, status: 400, errSubstr: []string{"runId"}},
		{name: "handler 400", input: `{"name":"refuse","count":1}`, status: 400, errSubstr: []string{"refused: refuse"}},
		{
			name: "handler error", input: `{"name":"fail","count":1}`, status: 500,
			errSubstr: []string{"Unhandled exception: disk on fire"},
		},
		{
			name: "handler panic", input: `{"name":"panic","count":1}`, status: 500,
			errSubstr: []string{"Unhandled exception: handler bug"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := natq.Invoke(context.Background(), sizeTask, sizeHandler, []byte(tt.input))
			if rec.Status != tt.status {
				t.Fatalf("got status %d (%s), want %d", rec.Status, rec.Error, tt.status)
			}
			if string(rec.Data) != tt.data {
				t.Errorf("got data %s, want %s", rec.Data, tt.data)
			}
			for _, s := range tt.errSubstr {
				if !strings.Contains(rec.Error, s) {
					t.Errorf("error %q does not contain %q", rec.Error, s)
				}
			}
			if strings.Contains(rec.Error, "\n") {
				t.Errorf("error is not one line: %q", rec.Error)
			}
			if rec.ID == "" || rec.TaskID != "size" {
				t.Errorf("got record id %q task %q", rec.ID, rec.TaskID)
			}
		})
	}
}

func TestInvokeTimeout(t *testing.T) {
	t.Parallel()
	task := natq.NewTask[sizeIn, sizeOut]("slow", natq.Sync, natq.WithTimeout(1))
	rec := natq.Invoke(context.Background(), task, func(ctx context.Context, _ sizeIn) (sizeOut, error) {
		<-ctx.Done()
		return sizeOut{}, ctx.Err()
	}, []byte(`{"name":"a","count":1}`))
	if rec.Status != 500 || !strings.Contains(rec.Error, "deadline exceeded") {
		t.Errorf("got %d %q, want 500 deadline exceeded", rec.Status, rec.Error)
	}
}

type part struct {
	A int `json:"a,omitempty" jsonschema:"minimum=0"`
	B int `json:"b,omitempty"`
}

type partsIn struct {
	Q     part   `json:"q,omitempty"`
	Items []part `json:"items,omitempty"`
}

var partsTask = natq.NewTask[partsIn, partsIn]("parts", natq.Sync)

// A repeated key keeps its last value, as the validator reads it (and the
// protocol's other SDKs): encoding/json alone would merge repeated
// objects into one struct, and a handler could see a value no one
// validated.
func TestRepeatedKeysKeepTheLastValue(t *testing.T) {
	t.Parallel()
	echoes(t, partsTask, []echoCase{
		{"merge refused", `{"q":{"a":1},"q":{"b":2}}`, 200, `{"q":{"b":2}}`},
		{"escaped repeat", `{"q":{"a":1},"\u0071":{"b":2}}`, 200, `{"q":{"b":2}}`},
		{"with a run id", `{"runId":"r-1","q":{"a":1},"q":{"b":2}}`, 200, `{"q":{"b":2}}`},
		{"invalid value overwritten", `{"q":{"a":-5},"q":{}}`, 200, `{"q":{}}`},
		{"invalid value last", `{"q":{"a":1},"q":{"a":-5}}`, 400, ``},
		{"slice reused", `{"items":[{"a":-5,"b":1}],"items":[{}]}`, 200, `{"q":{},"items":[{}]}`},
		{"within an element", `{"items":[{"a":-5,"a":2}]}`, 200, `{"q":{},"items":[{"a":2}]}`},
	})
}

// echoCase is an input to a task whose handler returns its input, and the
// status and data of the run.
type echoCase struct {
	name, input string
	status      int
	data        string
}

// echoes runs each case through task with a handler that returns its
// input, so that the data shows what the handler got.
func echoes[T any](t *testing.T, task *natq.Task[T, T], tests []echoCase) {
	t.Helper()
	echo := func(_ context.Context, in T) (T, error) { return in, nil }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := natq.Invoke(context.Background(), task, echo, []byte(tt.input))
			if rec.Status != tt.status || string(rec.Data) != tt.data {
				t.Errorf("got %d %s %q, want %d %s", rec.Status, rec.Data, rec.Error, tt.status, tt.data)
			}
		})
	}
}

type xy struct {
	X int `json:"x,omitempty"`
	Y int `json:"y,omitempty"`
}

// opaque encodes itself, so its schema is true: the fast validator does
// not look inside it.
type opaque struct {
	In xy `json:"in"`
}

func (o opaque) MarshalJSON() ([]byte, error) {
	type plain opaque
	return json.Marshal(plain(o))
}

type opaqueIn struct {
	T opaque `json:"t"`
}

var opaqueTask = natq.NewTask[opaqueIn, opaqueIn]("opaque", natq.Sync)

// The last value also wins inside a value whose schema allows anything,
// where the fast validator does not look at keys.
func TestRepeatedKeysInAnyValue(t *testing.T) {
	t.Parallel()
	echoes(t, opaqueTask, []echoCase{
		{"repeated inside", `{"t":{"in":{"x":1},"in":{"y":2}}}`, 200, `{"t":{"in":{"y":2}}}`},
		{"with a run id", `{"runId":"r-2","t":{"in":{"x":1},"in":{"y":2}}}`, 200, `{"t":{"in":{"y":2}}}`},
		{"no repeat", `{"t":{"in":{"x":1,"y":2}}}`, 200, `{"t":{"in":{"x":1,"y":2}}}`},
	})
}
