package main

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// natq dev serves until cancelled, and what it stores survives a restart.
func TestDev(t *testing.T) {
	t.Parallel()
	store := t.TempDir()

	url, stop := startDev(t, store)
	js := connectJS(t, url)
	ctx := context.Background()
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "kept"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.PutString(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if o := stop(); o.code != 0 || !strings.HasSuffix(o.stdout, "stopped\n") {
		t.Fatalf("first run: got exit %d, output %q, %q", o.code, o.stdout, o.stderr)
	}

	url, stop = startDev(t, store, "--json")
	kv, err = connectJS(t, url).KeyValue(ctx, "kept")
	if err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	if e, err := kv.Get(ctx, "k"); err != nil || string(e.Value()) != "v" {
		t.Errorf("after a restart: got %v, %v", e, err)
	}
	if o := stop(); o.code != 0 {
		t.Errorf("second run: got exit %d, %q", o.code, o.stderr)
	}
}

// startDev runs natq dev on a free port and returns its URL and a function
// that interrupts it and returns what it printed.
func startDev(t *testing.T, store string, flags ...string) (string, func() outcome) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := newSyncBuffer()
	done := make(chan outcome, 1)
	args := append([]string{"dev", "--port", "0", "--store", store}, flags...)
	go func() { done <- runCLI(ctx, t, "", out, args...) }()
	stop := sync.OnceValue(func() outcome {
		cancel()
		return <-done
	})
	t.Cleanup(func() { stop() })

	if len(flags) > 0 { // --json
		line := out.waitFor(t, "}\n")
		var info struct{ URL, Store string }
		if err := json.Unmarshal([]byte(line), &info); err != nil || info.Store != store {
			t.Fatalf("natq dev --json printed %q: %v", line, err)
		}
		return info.URL, stop
	}
	first := out.waitFor(t, "\n")
	url := first[strings.Index(first, "nats://"):strings.Index(first, "\n")]
	if !strings.HasPrefix(url, "nats://127.0.0.1:") {
		t.Fatalf("natq dev printed %q, want a URL on 127.0.0.1", first)
	}
	return url, stop
}

func connectJS(t *testing.T, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}
