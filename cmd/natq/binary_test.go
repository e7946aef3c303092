package main

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildTimeout bounds building the binary; a cold build cache is slow.
const buildTimeout = 5 * time.Minute

// The built command behaves as the in-process one: exit codes, $NATS_URL,
// and a clean stop of natq dev on an interrupt.
func TestBinary(t *testing.T) {
	t.Parallel()
	bin := buildNatq(t)
	e := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()

	out, err := exec.CommandContext(ctx, bin, "--help").Output()
	if err != nil || !strings.Contains(string(out), "Exit codes:") {
		t.Errorf("natq --help: %v\n%s", err, out)
	}

	cmd := exec.CommandContext(ctx, bin, "call", "greet", `{"name":""}`)
	cmd.Env = append(os.Environ(), "NATS_URL="+e.Server.URL())
	out, err = cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitRefused || !strings.Contains(string(out), "status 400") {
		t.Errorf("natq call with a refused input: got %v\n%s", err, out)
	}

	cmd = exec.CommandContext(ctx, bin, "-s", e.Server.URL(), "enqueue", "count", `{"words":["a","b"]}`, "--wait")
	out, err = cmd.Output()
	if err != nil || string(out) != "{\n  \"count\": 2\n}\n" {
		t.Errorf("natq enqueue --wait: got %v, %q", err, out)
	}
}

func TestBinaryDevStopsOnInterrupt(t *testing.T) {
	t.Parallel()
	bin := buildNatq(t)
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "dev", "--port", "0", "--store", t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || !strings.Contains(lines.Text(), "nats://127.0.0.1:") {
		t.Fatalf("natq dev printed %q, want its URL", lines.Text())
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for lines.Scan() {
		rest = append(rest, lines.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("natq dev after an interrupt: %v", err)
	}
	if len(rest) == 0 || rest[len(rest)-1] != "stopped" {
		t.Errorf("got %q after the URL, want it to end with stopped", rest)
	}
}

// buildNatq builds the command into the test's directory.
func buildNatq(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to build natq with")
	}
	bin := filepath.Join(t.TempDir(), "natq")
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
