package bench

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// latencies collects request latencies and summarises them.
type latencies []time.Duration

func (l latencies) percentile(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// syncResult is one measured sync run.
type syncResult struct {
	perSec   float64
	p50, p99 time.Duration
}

// median returns the run with the median throughput.
func median[T any](runs []T, key func(T) float64) T {
	s := slices.Clone(runs)
	sort.Slice(s, func(i, j int) bool { return key(s[i]) < key(s[j]) })
	return s[len(s)/2]
}

// report gathers every figure and prints them side by side.
type report struct {
	sync    []syncRow
	async   []asyncRow
	inProc  []inProcRow
	comment []string
}

type syncRow struct {
	callers   int
	raw, natq syncResult
}

type asyncRow struct {
	jobs      int
	raw, natq float64 // jobs per second, end to end
}

type inProcRow struct {
	name          string
	nsPerOp       int64
	allocs, bytes int64
}

// p50Overhead is how much later natq's median call returns than the raw
// one's, in microseconds, at each number of callers.
func (r *report) p50Overhead() string {
	parts := make([]string, len(r.sync))
	for i, s := range r.sync {
		over := (s.natq.p50 - s.raw.p50).Round(time.Microsecond).Microseconds()
		unit := "callers"
		if s.callers == 1 {
			unit = "caller"
		}
		parts[i] = fmt.Sprintf("%+d µs at %d %s", over, s.callers, unit)
	}
	return strings.Join(parts, ", ")
}

func (r *report) String() string {
	var b strings.Builder
	w := &b
	fmt.Fprintln(w, "\nsync (request/reply)")
	fmt.Fprintf(w, "  %-8s %14s %14s %7s %10s %10s %10s %10s\n",
		"callers", "raw calls/s", "natq calls/s", "ratio", "raw p50", "natq p50", "raw p99", "natq p99")
	for _, s := range r.sync {
		fmt.Fprintf(w, "  %-8d %14.0f %14.0f %7.2f %10v %10v %10v %10v\n",
			s.callers, s.raw.perSec, s.natq.perSec, s.natq.perSec/s.raw.perSec,
			s.raw.p50.Round(time.Microsecond), s.natq.p50.Round(time.Microsecond),
			s.raw.p99.Round(time.Microsecond), s.natq.p99.Round(time.Microsecond))
	}
	if len(r.sync) > 0 {
		fmt.Fprintf(w, "  p50 latency overhead (natq - raw): %s\n", r.p50Overhead())
	}
	fmt.Fprintln(w, "\nasync (queued jobs drained end to end)")
	fmt.Fprintf(w, "  %-8s %14s %14s %7s\n", "jobs", "raw jobs/s", "natq jobs/s", "ratio")
	for _, a := range r.async {
		fmt.Fprintf(w, "  %-8d %14.0f %14.0f %7.2f\n", a.jobs, a.raw, a.natq, a.natq/a.raw)
	}
	fmt.Fprintln(w, "\nin-process path (decode, validate, handler, encode), one run")
	fmt.Fprintf(w, "  %-24s %10s %10s %10s\n", "", "ns/run", "allocs", "bytes")
	for _, p := range r.inProc {
		fmt.Fprintf(w, "  %-24s %10d %10d %10d\n", p.name, p.nsPerOp, p.allocs, p.bytes)
	}
	for _, c := range r.comment {
		fmt.Fprintln(w, c)
	}
	return b.String()
}
