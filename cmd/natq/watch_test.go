package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestWatch(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.run(t, "", "enqueue", "count", `{"words":["a"]}`, "--run-id", "before", "--wait").require(t, 0, "", "")

	tests := []struct {
		name string
		args []string
		want []string
	}{
		// A watch sees a record only if it gets it before the next write to
		// the key replaces it (the bucket keeps one per key): the 100 of
		// these quick runs, and the 200 of a dropped run, may go unseen.
		// The deletion, the last write, is always seen.
		{"text", nil, []string{"  before  200 {\"count\":1}", "  w-text  deleted"}},
		{"json", []string{"--json"}, []string{
			`{"id":"before","taskId":"count","status":200,"data":{"count":1}}`,
			`{"id":"w-json","taskId":"count","deleted":true}`,
		}},
		{"new only", []string{"--new"}, []string{`200 {"count":1}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runID := "w-" + strings.ReplaceAll(tt.name, " ", "-")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := newSyncBuffer()
			done := make(chan outcome, 1)
			go func() {
				done <- runCLI(ctx, t, "", out, append([]string{"-s", e.Server.URL(), "watch", "count"}, tt.args...)...)
			}()
			if tt.name == "new only" {
				// Nothing tells when a --new watch has started, and a run
				// before that goes unseen: enqueue until one shows up.
				for i := 0; !out.waitWithin(runID, time.Second); i++ {
					if i == 30 {
						t.Fatalf("no run seen by the watch: %q", out.String())
					}
					e.run(t, "", "enqueue", "count", `{"words":["a"]}`, "--run-id", fmt.Sprintf("%s-%d", runID, i), "--wait")
				}
			} else {
				out.waitFor(t, "before")
				e.run(t, "", "enqueue", "count", `{"words":["a"]}`, "--run-id", runID, "--drop-result", "--wait")
			}
			got := out.waitFor(t, tt.want[len(tt.want)-1])
			if tt.name == "new only" && strings.Contains(got, "before") {
				t.Errorf("--new showed a record older than the watch: %q", got)
			}
			cancel()
			if o := <-done; o.code != 0 {
				t.Errorf("got exit code %d, stderr %q", o.code, o.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output %q does not contain %q", got, w)
				}
			}
			if strings.Contains(got, "\x1b") {
				t.Errorf("escape codes in output: %q", got)
			}
		})
	}
}
