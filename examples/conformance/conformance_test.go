package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/natq/natq-go/natqtest"
	"github.com/natq/natq-go/schema"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"
)

// These tests drive the conformance worker the way a producer in another
// language does: raw NATS requests, JetStream publishes and KV watches, and
// nothing of natq's client. They check what PROTOCOL.md says a tester
// checks.
//
// By default each test starts an embedded server and a worker. With
// NATS_URL set they use that server; with NATQ_EXTERNAL_WORKER=1 as well
// they start no worker and test the one already serving there (for
// example `go run ./examples/conformance`).

const timeout = 30 * time.Second

// peer is a producer that knows the protocol and nothing else.
type peer struct {
	nc *nats.Conn
	js jetstream.JetStream
}

func setup(t *testing.T) *peer {
	t.Helper()
	var nc *nats.Conn
	if url := os.Getenv("NATS_URL"); url != "" {
		var err error
		if nc, err = nats.Connect(url); err != nil {
			t.Fatalf("connect to %s: %v", url, err)
		}
		t.Cleanup(nc.Close)
	} else {
		nc = natqtest.NewServer(t).Connect(t)
	}
	if os.Getenv("NATQ_EXTERNAL_WORKER") != "1" {
		natqtest.StartWorker(t, nc, register)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return &peer{nc: nc, js: js}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}

// request sends a sync request and returns the reply.
func (p *peer) request(t *testing.T, task, body string) *nats.Msg {
	t.Helper()
	msg, err := p.nc.RequestWithContext(ctxFor(t), "natq.req."+task, []byte(body))
	if err != nil {
		t.Fatalf("request %s: %v", task, err)
	}
	return msg
}

// checkReply checks a sync reply's headers and body. The body is compared
// as JSON when wantBody is not empty.
func checkReply(t *testing.T, msg *nats.Msg, status, errMsg, wantBody string) {
	t.Helper()
	if got := msg.Header.Get("status"); got != status {
		t.Errorf("status header: got %q, want %q", got, status)
	}
	if got := msg.Header.Get("error"); got != errMsg {
		t.Errorf("error header: got %q, want %q", got, errMsg)
	}
	if errMsg == "" && len(msg.Header.Values("error")) != 0 {
		t.Errorf("error header present on success: %v", msg.Header)
	}
	if wantBody == "" {
		if len(msg.Data) != 0 {
			t.Errorf("body: got %q, want empty", msg.Data)
		}
		return
	}
	if diff := cmp.Diff(decode(t, []byte(wantBody)), decode(t, msg.Data)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %q: %v", b, err)
	}
	return v
}

func TestSyncAdd(t *testing.T) {
	t.Parallel()
	p := setup(t)
	checkReply(t, p.request(t, "e2e-add", `{"a": 2, "b": 3.5}`), "200", "", `{"sum": 5.5}`)
}

func TestSyncEcho(t *testing.T) {
	t.Parallel()
	p := setup(t)
	in := `{"runId": "echo-1", "text": "héllo", "n": 12345678901234, "list": [1, null, {"x": true}]}`
	checkReply(t, p.request(t, "e2e-echo", in), "200", "",
		`{"text": "héllo", "n": 12345678901234, "list": [1, null, {"x": true}]}`)
}

func TestSyncClientError(t *testing.T) {
	t.Parallel()
	p := setup(t)
	checkReply(t, p.request(t, "e2e-client-error", `{}`), "400", "Client requested failure", "")
}

func TestSyncInvalidJSON(t *testing.T) {
	t.Parallel()
	p := setup(t)
	checkReply(t, p.request(t, "e2e-add", `{"a": 1,`), "406", "Invalid JSON input", "")
}

func TestSyncValidationFailure(t *testing.T) {
	t.Parallel()
	p := setup(t)
	msg := p.request(t, "e2e-add", `{"a": "one"}`)
	if got := msg.Header.Get("status"); got != "400" {
		t.Fatalf("status: got %q, want 400", got)
	}
	for _, want := range []string{"/a", "(root)"} {
		if got := msg.Header.Get("error"); !strings.Contains(got, want) {
			t.Errorf("error %q does not name %s", got, want)
		}
	}
}

func TestSyncBadRunID(t *testing.T) {
	t.Parallel()
	p := setup(t)
	msg := p.request(t, "e2e-add", `{"runId": "a b*", "a": 1, "b": 2}`)
	if got := msg.Header.Get("status"); got != "400" {
		t.Fatalf("status: got %q, want 400 (error %q)", got, msg.Header.Get("error"))
	}
}

// results returns the results bucket, created by the worker.
func (p *peer) results(t *testing.T) jetstream.KeyValue {
	t.Helper()
	kv, err := p.js.KeyValue(ctxFor(t), "natq_results")
	if err != nil {
		t.Fatalf("results bucket: %v", err)
	}
	return kv
}

// publish enqueues a job the way any producer does.
func (p *peer) publish(t *testing.T, task, body string) {
	t.Helper()
	if _, err := p.js.Publish(ctxFor(t), "natq.job."+task, []byte(body)); err != nil {
		t.Fatalf("publish %s: %v", task, err)
	}
}

// event is one change of a result key as a watcher sees it.
type event struct {
	deleted bool
	status  int
	data    any
	err     string
}

// watch starts following a result key and returns, on the channel, every
// change it sees until the key holds a final record. The watch is in place
// when watch returns, so a job published afterwards cannot slip past it.
func (p *peer) watch(t *testing.T, key string) <-chan []event {
	t.Helper()
	ctx := ctxFor(t)
	w, err := p.results(t).Watch(ctx, key)
	if err != nil {
		t.Fatalf("watch %s: %v", key, err)
	}
	done := make(chan []event, 1)
	go func() {
		defer func() { _ = w.Stop() }()
		var seen []event
		defer func() { done <- seen }()
		for {
			select {
			case <-ctx.Done():
				t.Errorf("watch %s: timed out; seen %+v", key, seen)
				return
			case e := <-w.Updates():
				if e == nil {
					continue // the end of the key's current state
				}
				if e.Operation() != jetstream.KeyValuePut {
					seen = append(seen, event{deleted: true})
					return
				}
				ev, err := parseRecord(key, e.Value())
				if err != nil {
					t.Errorf("%v", err)
					return
				}
				seen = append(seen, ev)
				if ev.status != 100 {
					return
				}
			}
		}
	}()
	return done
}

// parseRecord reads an output record and checks that it belongs to key.
func parseRecord(key string, b []byte) (event, error) {
	var rec struct {
		ID     string          `json:"id"`
		TaskID string          `json:"taskId"`
		Status int             `json:"status"`
		Data   json.RawMessage `json:"data"`
		Error  string          `json:"error"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return event{}, fmt.Errorf("record %s: %w", b, err)
	}
	if got := rec.TaskID + "." + rec.ID; got != key {
		return event{}, fmt.Errorf("record id and taskId make key %q, want %q", got, key)
	}
	ev := event{status: rec.Status, err: rec.Error}
	if len(rec.Data) > 0 {
		if err := json.Unmarshal(rec.Data, &ev.data); err != nil {
			return event{}, fmt.Errorf("record data %s: %w", rec.Data, err)
		}
	}
	return ev, nil
}

func runID(prefix string) string { return prefix + "-" + ulid.Make().String() }

// last returns the last event, failing the test when there is none.
func last(t *testing.T, events []event) event {
	t.Helper()
	if len(events) == 0 {
		t.Fatal("no record seen")
	}
	return events[len(events)-1]
}

func TestAsyncDelay(t *testing.T) {
	t.Parallel()
	p := setup(t)
	id := runID("delay")
	events := p.watch(t, "e2e-delay."+id)
	p.publish(t, "e2e-delay", fmt.Sprintf(`{"runId": %q, "delayMs": 300}`, id))
	got := <-events
	want := []event{{status: 100}, {status: 200, data: map[string]any{"delayed": true}}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(event{})); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestAsyncRetry(t *testing.T) {
	t.Parallel()
	p := setup(t)
	id := runID("retry")
	events := p.watch(t, "e2e-retry."+id)
	p.publish(t, "e2e-retry", fmt.Sprintf(`{"runId": %q, "failCount": 2}`, id))
	got := <-events
	if final := last(t, got); final.status != 200 || !cmp.Equal(final.data, map[string]any{"attempts": 3.0}) {
		t.Errorf("final record: got %+v, want 200 with attempts 3", final)
	}
	for _, e := range got[:len(got)-1] {
		if e.status != 100 {
			t.Errorf("record during retries: got status %d, want 100", e.status)
		}
	}
}

func TestAsyncClientError(t *testing.T) {
	t.Parallel()
	p := setup(t)
	id := runID("client-error")
	key := "e2e-async-client-error." + id
	events := p.watch(t, key)
	p.publish(t, "e2e-async-client-error", fmt.Sprintf(`{"runId": %q}`, id))
	got := <-events
	if final := last(t, got); final.status != 400 || final.err != "Async client error" {
		t.Fatalf("final record: got %+v, want 400 Async client error", final)
	}
	// Final means the message is gone: nothing pending, nothing to
	// redeliver, and the record stays as it is. The worker terminates the
	// message just after it writes the record, so the consumer may take a
	// moment to show it.
	cons, err := p.js.Consumer(ctxFor(t), "natq_jobs", "natq_worker_e2e-async-client-error")
	if err != nil {
		t.Fatal(err)
	}
	settled(t, cons)
	e, err := p.results(t).Get(ctxFor(t), key)
	if err != nil || !bytes.Contains(e.Value(), []byte(`"status":400`)) {
		t.Errorf("record after a 400: %s, %v", e.Value(), err)
	}
}

// settled waits, for a bounded time, until a consumer has nothing pending
// and has redelivered nothing.
func settled(t *testing.T, cons jetstream.Consumer) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		info, err := cons.Info(ctxFor(t))
		if err != nil {
			t.Fatal(err)
		}
		if info.NumAckPending == 0 && info.NumPending == 0 && info.NumRedelivered == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumer %s: ack pending %d, pending %d, redelivered %d; want all 0",
				info.Name, info.NumAckPending, info.NumPending, info.NumRedelivered)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAsyncDropResult(t *testing.T) {
	t.Parallel()
	p := setup(t)
	id := runID("drop")
	key := "e2e-drop-result." + id
	// The record's own subject, not a KV watch: the bucket keeps one
	// record per key, and a watch can miss the 200 when the deletion
	// replaces it before the watch has delivered it.
	sub, err := p.nc.SubscribeSync("$KV.natq_results." + key)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	p.publish(t, "e2e-drop-result", fmt.Sprintf(`{"runId": %q, "dropResultOnSuccess": true}`, id))
	var got []event
	for len(got) == 0 || !got[len(got)-1].deleted {
		m, err := sub.NextMsg(timeout)
		if err != nil {
			t.Fatalf("after %+v: %v", got, err)
		}
		if op := m.Header.Get("KV-Operation"); op == "DEL" || op == "PURGE" {
			got = append(got, event{deleted: true})
			continue
		}
		ev, err := parseRecord(key, m.Data)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
	}
	want := []event{{status: 100}, {status: 200, data: map[string]any{"dropped": true}}, {deleted: true}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(event{})); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

// A run id that cannot be a KV key loses nothing and breaks nothing: the
// message is terminated and the worker goes on serving.
func TestAsyncBadRunID(t *testing.T) {
	t.Parallel()
	p := setup(t)
	p.publish(t, "e2e-delay", `{"runId": "no spaces allowed", "delayMs": 1}`)
	id := runID("after-bad")
	events := p.watch(t, "e2e-delay."+id)
	p.publish(t, "e2e-delay", fmt.Sprintf(`{"runId": %q, "delayMs": 1}`, id))
	if got := <-events; last(t, got).status != 200 {
		t.Fatalf("job after a bad run id: got %+v, want 200", got)
	}
	keys, err := p.results(t).ListKeys(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	for k := range keys.Keys() {
		if strings.Contains(k, "no spaces") {
			t.Errorf("a record was written for a bad run id: %s", k)
		}
	}
}

func TestDefinitions(t *testing.T) {
	t.Parallel()
	p := setup(t)
	kv, err := p.js.KeyValue(ctxFor(t), "natq_tasks")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"e2e-add": "sync", "e2e-echo": "sync", "e2e-client-error": "sync",
		"e2e-delay": "async", "e2e-retry": "async", "e2e-async-client-error": "async",
		"e2e-drop-result": "async",
	}
	for id, typ := range want {
		e, err := kv.Get(ctxFor(t), id)
		if err != nil {
			t.Errorf("definition %s: %v", id, err)
			continue
		}
		var def map[string]any
		if err := json.Unmarshal(e.Value(), &def); err != nil {
			t.Fatalf("definition %s: %v", id, err)
		}
		if def["id"] != id || def["type"] != typ {
			t.Errorf("definition %s: got id %v type %v, want %s %s", id, def["id"], def["type"], id, typ)
		}
		for _, field := range []string{"inputSchema", "outputSchema"} {
			s, ok := def[field].(string)
			if !ok {
				t.Errorf("definition %s: %s is %T, want a JSON string", id, field, def[field])
				continue
			}
			if _, err := schema.Compile([]byte(s)); err != nil {
				t.Errorf("definition %s: %s does not compile: %v", id, field, err)
			}
		}
	}
}

// A producer in another language validates what it sends with the
// published schema alone. The envelope's reserved fields must pass it,
// and what the worker refuses must fail it.
func TestPublishedSchemaValidatesTheEnvelope(t *testing.T) {
	t.Parallel()
	p := setup(t)
	kv, err := p.js.KeyValue(ctxFor(t), "natq_tasks")
	if err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get(ctxFor(t), "e2e-add")
	if err != nil {
		t.Fatal(err)
	}
	var def struct {
		InputSchema string `json:"inputSchema"`
	}
	if err := json.Unmarshal(e.Value(), &def); err != nil {
		t.Fatal(err)
	}
	published, err := schema.Compile([]byte(def.InputSchema))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		doc    string
		status string
	}{
		{`{"a": 1, "b": 2}`, "200"},
		{`{"runId": "order-42", "dropResultOnSuccess": true, "a": 1, "b": 2}`, "200"},
		{`{"runId": "not a key", "a": 1, "b": 2}`, "400"},
		{`{"dropResultOnSuccess": "yes", "a": 1, "b": 2}`, "400"},
		{`{"a": "1", "b": 2}`, "400"},
		{`{"a": 1}`, "400"},
		{`{"a": 1, "b": 2, "c": 3}`, "400"},
	}
	for _, tt := range tests {
		var doc any
		dec := json.NewDecoder(strings.NewReader(tt.doc))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		verr := published.Validate(doc)
		if (verr == nil) != (tt.status == "200") {
			t.Errorf("%s: published schema says %v, want status %s", tt.doc, verr, tt.status)
		}
		if got := p.request(t, "e2e-add", tt.doc).Header.Get("status"); got != tt.status {
			t.Errorf("%s: worker says %s, want %s", tt.doc, got, tt.status)
		}
	}
}
