package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

type greetIn struct {
	Name string `json:"name" jsonschema:"minLength=1"`
}

type greetOut struct {
	Message string `json:"message"`
}

type countIn struct {
	Words []string `json:"words" jsonschema:"minItems=1"`
}

type countOut struct {
	Count int `json:"count"`
}

var (
	greet = natq.NewTask[greetIn, greetOut]("greet", natq.Sync)
	count = natq.NewTask[countIn, countOut]("count", natq.Async)
	held  = natq.NewTask[countIn, countOut]("held", natq.Async)
)

// testEnv is a server with a worker serving the tasks above. Runs of held
// wait until release is closed, which the test's cleanup does.
type testEnv struct {
	*natqtest.Env
	started chan string
	release chan struct{}
}

func start(t *testing.T) *testEnv {
	t.Helper()
	e := &testEnv{started: make(chan string, 8), release: make(chan struct{})}
	e.Env = natqtest.Start(t, func(w *natq.Worker) {
		natq.Handle(w, greet, func(_ context.Context, in greetIn) (greetOut, error) {
			if in.Name == "Bob" {
				return greetOut{}, natq.Errorf(503, "Bob is busy")
			}
			return greetOut{Message: "Hello, " + in.Name + "!"}, nil
		})
		natq.Handle(w, count, func(_ context.Context, in countIn) (countOut, error) {
			if in.Words[0] == "refuse" {
				return countOut{}, natq.BadRequest("refused")
			}
			return countOut{Count: len(in.Words)}, nil
		})
		natq.Handle(w, held, func(ctx context.Context, in countIn) (countOut, error) {
			info, _ := natq.RunInfoFromContext(ctx)
			e.started <- info.RunID
			select {
			case <-e.release:
			case <-ctx.Done():
			}
			return countOut{Count: len(in.Words)}, nil
		})
	})
	// Registered after the worker's, so it runs first: held runs end
	// before the worker's graceful stop waits for them.
	t.Cleanup(func() { close(e.release) })
	return e
}

// outcome is what one run of the command printed and returned.
type outcome struct {
	stdout, stderr string
	code           int
}

// run runs natq in-process against the test's server.
func (e *testEnv) run(t *testing.T, stdin string, args ...string) outcome {
	t.Helper()
	return runCLI(context.Background(), t, stdin, nil, append([]string{"-s", e.Server.URL()}, args...)...)
}

// runCLI runs natq in-process with an empty environment.
func runCLI(ctx context.Context, t *testing.T, stdin string, stdout *syncBuffer, args ...string) outcome {
	t.Helper()
	if stdout == nil {
		stdout = newSyncBuffer()
	}
	var stderr bytes.Buffer
	a := newApp(strings.NewReader(stdin), stdout, &stderr, func(string) string { return "" })
	code := a.run(ctx, args)
	return outcome{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

func (o outcome) require(t *testing.T, code int, stdoutSub, stderrSub string) {
	t.Helper()
	if o.code != code {
		t.Errorf("got exit code %d, want %d\nstdout: %s\nstderr: %s", o.code, code, o.stdout, o.stderr)
	}
	if !strings.Contains(o.stdout, stdoutSub) {
		t.Errorf("stdout %q does not contain %q", o.stdout, stdoutSub)
	}
	if !strings.Contains(o.stderr, stderrSub) {
		t.Errorf("stderr %q does not contain %q", o.stderr, stderrSub)
	}
}

// syncBuffer is a buffer that several goroutines may use, and that tells
// a waiting test when it has been written to.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{}
}

func newSyncBuffer() *syncBuffer {
	return &syncBuffer{written: make(chan struct{}, 1)}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	select {
	case b.written <- struct{}{}:
	default:
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the buffer holds sub.
func (b *syncBuffer) waitFor(t *testing.T, sub string) string {
	t.Helper()
	deadline := time.After(natqtest.WaitTimeout)
	for {
		if s := b.String(); strings.Contains(s, sub) {
			return s
		}
		select {
		case <-b.written:
		case <-deadline:
			t.Fatalf("output %q never held %q", b.String(), sub)
		}
	}
}

// startServer starts a server with no worker and returns its URL.
func startServer(t *testing.T) string {
	t.Helper()
	return natqtest.NewServer(t).URL()
}

// waitWithin waits up to d for the buffer to hold sub, and reports whether
// it does.
func (b *syncBuffer) waitWithin(sub string, d time.Duration) bool {
	deadline := time.After(d)
	for !strings.Contains(b.String(), sub) {
		select {
		case <-b.written:
		case <-deadline:
			return false
		}
	}
	return true
}
