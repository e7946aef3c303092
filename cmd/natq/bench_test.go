package main

import (
	"context"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tinyBench are settings that keep a bench to a few seconds.
var tinyBench = []string{"bench", "--rounds", "1", "--duration", "200ms", "--jobs", "200"}

// natq bench with no server flag measures on an embedded server and
// prints every table with figures that make sense.
func TestBench(t *testing.T) {
	t.Parallel()

	o := runCLI(context.Background(), t, "", nil, tinyBench...)

	o.require(t, 0, "natq bench: server nats://127.0.0.1:", "")
	if strings.ContainsAny(o.stdout, "\r\x1b") {
		t.Errorf("escape codes in output that is not a terminal: %q", o.stdout)
	}
	sync := tableRows(t, o.stdout, "sync (request/reply)")
	sync = slices.DeleteFunc(sync, func(row []string) bool { return row[0] == "p50" }) // checked below
	if len(sync) != 2 || sync[0][0] != "1" || sync[1][0] != "64" {
		t.Fatalf("got sync rows %q, want one for 1 caller and one for 64", sync)
	}
	var p50Over []time.Duration // natq p50 minus raw p50, per row
	for _, row := range sync {
		checkRatio(t, "sync, "+row[0]+" callers", row[1:4])
		p50, p99 := parseDuration(t, row[5]), parseDuration(t, row[7])
		if p50 <= 0 || p99 < p50 {
			t.Errorf("sync, %s callers: got natq p50 %v and p99 %v, want 0 < p50 <= p99", row[0], p50, p99)
		}
		p50Over = append(p50Over, p50-parseDuration(t, row[4]))
	}
	checkP50Overhead(t, o.stdout, p50Over)
	async := tableRows(t, o.stdout, "async (queued jobs drained end to end)")
	if len(async) != 1 || async[0][0] != "200" {
		t.Fatalf("got async rows %q, want one for 200 jobs", async)
	}
	checkRatio(t, "async", async[0][1:4])
	inProc := tableRows(t, o.stdout, "in-process path (decode, validate, handler, encode), one run")
	if len(inProc) != 2 {
		t.Fatalf("got in-process rows %q, want two", inProc)
	}
	for _, row := range inProc {
		for _, f := range row[len(row)-3:] { // ns/run, allocs, bytes
			if n, err := strconv.ParseInt(f, 10, 64); err != nil || n <= 0 {
				t.Errorf("in-process row %q: got %q, want a positive integer", row, f)
			}
		}
	}
	memory := regexp.MustCompile(
		`(?m)^memory: heap [\d.]+ MiB before the worker, [\d.]+ MiB with 1000 runs in flight`)
	if !memory.MatchString(o.stdout) {
		t.Errorf("no memory line in %q", o.stdout)
	}
}

// With --server, natq bench measures on that server; on a terminal it
// draws a bar and erases it before each measurement's label.
func TestBenchServerOnTerminal(t *testing.T) {
	t.Parallel()
	url := startServer(t)
	out := newSyncBuffer()
	a := newApp(strings.NewReader(""), out, &strings.Builder{}, func(string) string { return "" })
	a.terminal = func(io.Writer) bool { return true }

	code := a.run(context.Background(),
		[]string{"-s", url, "bench", "--only", "sync", "--rounds", "1", "--duration", "100ms"})

	got := out.String()
	if code != 0 {
		t.Fatalf("got exit code %d, output %q", code, got)
	}
	if !strings.HasPrefix(got, "natq bench: server "+url+",") {
		t.Errorf("got %q, want it to start with the server's URL", got)
	}
	erased := "\r" + strings.Repeat(" ", 70) + "\r"
	for _, label := range []string{"sync raw, 1 callers, round 1\n", "sync natq, 64 callers, round 1\n"} {
		if !strings.Contains(got, erased+label) {
			t.Errorf("got %q, want an erased bar before %q", got, label)
		}
	}
	if rows := tableRows(t, got, "async (queued jobs drained end to end)"); len(rows) != 0 {
		t.Errorf("--only sync: got async rows %q", rows)
	}
}

func TestBenchRefuses(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		args   []string
		code   int
		stderr string
	}{
		{"zero rounds", nil, []string{"--rounds", "0"}, exitUsage, "natq: rounds must be at least 1, got 0"},
		{"negative duration", nil, []string{"--duration", "-1s"}, exitUsage, "duration must be positive"},
		{"no jobs", nil, []string{"--jobs", "0"}, exitUsage, "jobs must be at least 1"},
		{"unknown only", nil, []string{"--only", "memory"}, exitUsage, `got "memory"`},
		{"json", nil, []string{"--json"}, exitUsage, "--json is not supported"},
		{"argument", nil, []string{"sync"}, exitUsage, "unknown command"},
		{"interrupted", cancelled, []string{"--only", "sync", "--rounds", "1"}, exitInterrupted, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			o := runCLI(ctx, t, "", nil, append([]string{"bench"}, tt.args...)...)
			o.require(t, tt.code, "", tt.stderr)
		})
	}
}

// tableRows returns the fields of the rows of the table under title: the
// lines after its column header, up to a blank line.
func tableRows(t *testing.T, out, title string) [][]string {
	t.Helper()
	_, table, ok := strings.Cut(out, "\n"+title+"\n")
	if !ok {
		t.Fatalf("no table %q in %q", title, out)
	}
	lines := strings.Split(table, "\n")
	var rows [][]string
	for _, line := range lines[1:] { // the column header first
		if strings.TrimSpace(line) == "" {
			break
		}
		rows = append(rows, strings.Fields(line))
	}
	return rows
}

// checkP50Overhead checks the sync p50 overhead line against the
// overheads the table shows.
func checkP50Overhead(t *testing.T, out string, want []time.Duration) {
	t.Helper()
	line := regexp.MustCompile(`\n  p50 latency overhead \(natq - raw\): ` +
		`([+-]\d+) µs at 1 caller, ([+-]\d+) µs at 64 callers\n`)
	m := line.FindStringSubmatch(out)
	if m == nil {
		t.Errorf("no p50 overhead line for 1 and 64 callers in %q", out)
		return
	}
	for i, f := range m[1:] {
		us, _ := strconv.Atoi(f)
		// The table rounds each p50 to the microsecond, the line their
		// difference.
		if got := time.Duration(us) * time.Microsecond; (got - want[i]).Abs() > time.Microsecond {
			t.Errorf("p50 overhead %d: got %v, want %v as the table says", i, got, want[i])
		}
	}
}

// checkRatio checks the raw figure, the natq figure and their ratio in
// fields: all positive, and the ratio the one of the figures.
func checkRatio(t *testing.T, what string, fields []string) {
	t.Helper()
	var v [3]float64
	for i, f := range fields {
		n, err := strconv.ParseFloat(f, 64)
		if err != nil || n <= 0 {
			t.Errorf("%s: got %q in %q, want a positive number", what, f, fields)
			return
		}
		v[i] = n
	}
	if want := v[1] / v[0]; math.Abs(v[2]-want) > 0.01+want/100 {
		t.Errorf("%s: got ratio %v, want natq/raw = %.3f", what, v[2], want)
	}
}

func parseDuration(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Errorf("got %q, want a duration", s)
	}
	return d
}
