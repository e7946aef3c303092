package bench

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestValidate(t *testing.T) {
	t.Parallel()
	good := Config{Rounds: DefaultRounds, Duration: DefaultDuration, Jobs: DefaultJobs}
	for _, c := range []struct {
		name    string
		edit    func(*Config)
		wantErr string
	}{
		{"defaults", func(*Config) {}, ""},
		{"only sync", func(c *Config) { c.Only = "sync" }, ""},
		{"only async", func(c *Config) { c.Only = "async" }, ""},
		{"no rounds", func(c *Config) { c.Rounds = 0 }, "rounds must be at least 1, got 0"},
		{"no duration", func(c *Config) { c.Duration = 0 }, "duration must be positive, got 0s"},
		{"negative jobs", func(c *Config) { c.Jobs = -1 }, "jobs must be at least 1, got -1"},
		{"unknown only", func(c *Config) { c.Only = "memory" }, `only must be "sync", "async" or empty, got "memory"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			c.edit(&cfg)
			err := cfg.Validate()
			switch {
			case c.wantErr == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case c.wantErr != "" && (err == nil || err.Error() != c.wantErr):
				t.Errorf("got %v, want %q", err, c.wantErr)
			}
		})
	}
}

// Run refuses a config it cannot use before starting any server.
func TestRunRefusesBadConfig(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	if err := Run(t.Context(), Config{}, &out); err == nil || out.Len() != 0 {
		t.Errorf("got %v and output %q, want an error and no output", err, out.String())
	}
}

func TestPercentileAndMedian(t *testing.T) {
	t.Parallel()
	var l latencies
	for i := 100; i >= 1; i-- { // unsorted on purpose
		l = append(l, time.Duration(i)*time.Microsecond)
	}
	if got := l.percentile(0.50); got != 51*time.Microsecond {
		t.Errorf("p50: got %v, want 51µs", got)
	}
	if got := l.percentile(0.99); got != 100*time.Microsecond {
		t.Errorf("p99: got %v, want 100µs", got)
	}
	if got := (latencies{}).percentile(0.5); got != 0 {
		t.Errorf("p50 of nothing: got %v, want 0", got)
	}

	runs := []syncResult{{perSec: 3}, {perSec: 1}, {perSec: 2}}
	if got := median(runs, func(s syncResult) float64 { return s.perSec }); got.perSec != 2 {
		t.Errorf("median: got %v, want the run at 2 calls/s", got.perSec)
	}
}

func TestP50Overhead(t *testing.T) {
	t.Parallel()
	r := report{sync: []syncRow{
		{callers: 1, raw: syncResult{p50: 40 * time.Microsecond}, natq: syncResult{p50: 65600 * time.Nanosecond}},
		{callers: 64, raw: syncResult{p50: time.Millisecond}, natq: syncResult{p50: 990 * time.Microsecond}},
	}}
	want := "  p50 latency overhead (natq - raw): +26 µs at 1 caller, -10 µs at 64 callers\n"
	if got := r.String(); !strings.Contains(got, want) {
		t.Errorf("got %q, want it to hold %q", got, want)
	}
	if got := (&report{}).String(); strings.Contains(got, "overhead") {
		t.Errorf("with no sync rows: got %q, want no overhead line", got)
	}
}
