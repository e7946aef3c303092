// Package jsproducer runs the JavaScript producer in this directory
// against a Go worker, to prove that a program in another language can
// discover, validate, call and enqueue natq tasks with nothing but NATS.
package jsproducer

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/natq/natq-go/natqtest"
)

// Bounds of the slow steps: installing the packages (from npm's cache
// when it has them), building the worker, running the producer.
const (
	installTimeout = 5 * time.Minute
	buildTimeout   = 5 * time.Minute
	runTimeout     = 2 * time.Minute
)

// producerFiles are what the producer needs; node_modules is made anew.
var producerFiles = []string{"package.json", "package-lock.json", "producer.mjs"}

// TestJavaScriptProducer installs the producer's packages with npm ci in
// a temporary copy of this directory, starts the quick-start worker (a Go
// program) on an embedded server, and runs the producer with NATS_URL. The
// producer fails if any step disagrees with the protocol.
//
// Without node and npm the test is skipped, except in CI (CI=true), where
// it fails: the cross-language promise must be checked there.
func TestJavaScriptProducer(t *testing.T) {
	t.Parallel()
	node, npm := requireTool(t, "node"), requireTool(t, "npm")
	dir := copyProducer(t)
	runStep(t, installTimeout, dir, nil, npm, "ci", "--no-audit", "--no-fund", "--prefer-offline")

	srv := natqtest.NewServer(t)
	startQuickstartWorker(t, srv.URL())
	out := runStep(t, runTimeout, dir, []string{"NATS_URL=" + srv.URL()}, node, "producer.mjs")
	t.Logf("producer output:\n%s", out)
}

// requireTool finds a program on PATH, or skips (fails in CI) without it.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed; CI must have Node.js 20 or newer with npm", name)
	}
	t.Skipf("%s is not installed: the JavaScript producer is not tested (CI=true makes this a failure)", name)
	return ""
}

// copyProducer copies the producer to a temporary directory, so that the
// test writes nothing into the source tree.
func copyProducer(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range producerFiles {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runStep runs a command in dir and returns its output, failing the test
// with the output if it fails or outlives limit.
func runStep(t *testing.T, limit time.Duration, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// startQuickstartWorker builds the quick-start example and runs it as a
// worker on url until the test ends.
func startQuickstartWorker(t *testing.T, url string) {
	t.Helper()
	gobin := requireTool(t, "go")
	bin := filepath.Join(t.TempDir(), "quickstart")
	runStep(t, buildTimeout, "", nil, gobin, "build", "-o", bin, "../quickstart")

	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "NATS_URL="+url)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Registered after the server's cleanup, so the worker stops first.
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})

	// The worker says it serves once it has published its tasks.
	ready := make(chan bool, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		served := false
		for lines.Scan() {
			if !served && strings.HasPrefix(lines.Text(), "serving ") {
				served = true
				ready <- true
			}
		}
		if !served {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("the quick-start worker exited before serving")
		}
	case <-time.After(natqtest.StartTimeout):
		t.Fatal("the quick-start worker did not start in time")
	}
}
