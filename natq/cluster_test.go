package natq_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestReplicaOptionsValidate(t *testing.T) {
	t.Parallel()
	nc := &nats.Conn{} // never used: the options are refused first
	tests := []struct {
		name string
		opt  natq.WorkerOption
		want string
	}{
		{"zero replicas", natq.WithReplicas(0), "natq: WithReplicas: must be 1 to 5, got 0"},
		{"too many replicas", natq.WithReplicas(6), "natq: WithReplicas: must be 1 to 5, got 6"},
		{"empty placement", natq.WithPlacement(natq.Placement{}), "natq: WithPlacement: neither"},
		{"empty tag", natq.WithPlacement(natq.Placement{Tags: []string{"a", ""}}), "natq: WithPlacement: empty tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := natq.NewWorker(nc, tt.opt)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got %v, want an error starting %q", err, tt.want)
			}
		})
	}
	for _, opt := range []natq.WorkerOption{
		natq.WithReplicas(1), natq.WithReplicas(5),
		natq.WithPlacement(natq.Placement{Cluster: "east"}),
		natq.WithPlacement(natq.Placement{Tags: []string{"ssd"}}),
	} {
		if _, err := natq.NewWorker(nc, opt); err != nil {
			t.Errorf("valid option refused: %v", err)
		}
	}
}

// Provisioning on a cluster, sharing one cluster: each subtest has its own
// names.
func TestProvisionOnCluster(t *testing.T) {
	t.Parallel()
	c := natqtest.NewCluster(t)

	t.Run("replicas on creation", func(t *testing.T) {
		t.Parallel()
		names := uniqueNames("r3")
		nc := c.Connect(t)
		natqtest.StartWorker(t, nc, bindJobs, natq.WithNames(names), natq.WithReplicas(3))
		js := jsOf(t, nc)
		for _, stream := range objectStreams(names) {
			info := streamInfo(t, js, stream)
			if info.Config.Replicas != 3 || info.Cluster == nil || len(info.Cluster.Replicas) != 2 {
				t.Errorf("stream %s: got %d replicas (%+v), want 3", stream, info.Config.Replicas, info.Cluster)
			}
		}
		cons, err := js.Consumer(context.Background(), names.Stream, "natq_worker_"+asyncJob.ID())
		if err != nil {
			t.Fatal(err)
		}
		// The consumer follows its stream's replicas.
		if ci := cons.CachedInfo().Cluster; ci == nil || len(ci.Replicas) != 2 {
			t.Errorf("consumer: got cluster %+v, want a leader and 2 replicas", ci)
		}
		c2 := natqtest.NewClient(t, c.Connect(t), natq.WithNames(names))
		if out := natqtest.Wait(t, natqtest.Enqueue(t, c2, asyncJob, jobIn{N: 3})); out.N != 6 {
			t.Errorf("got %+v, want n 6", out)
		}
	})

	t.Run("default is one replica", func(t *testing.T) {
		t.Parallel()
		names := uniqueNames("r1")
		nc := c.Connect(t)
		natqtest.StartWorker(t, nc, bindJobs, natq.WithNames(names))
		for _, stream := range objectStreams(names) {
			if got := streamInfo(t, jsOf(t, nc), stream).Config.Replicas; got != natq.DefaultReplicas {
				t.Errorf("stream %s: got %d replicas, want %d", stream, got, natq.DefaultReplicas)
			}
		}
	})

	t.Run("placement by tag", func(t *testing.T) {
		t.Parallel()
		names := uniqueNames("tag")
		nc := c.Connect(t)
		natqtest.StartWorker(t, nc, bindJobs, natq.WithNames(names),
			natq.WithPlacement(natq.Placement{Tags: []string{"node:2"}}))
		for _, stream := range objectStreams(names) {
			if got := c.StreamLeader(t, stream); got != 2 {
				t.Errorf("stream %s is on node %d, want node 2 (tag node:2)", stream, got)
			}
		}
	})

	t.Run("existing objects are used as they are", func(t *testing.T) {
		t.Parallel()
		names := uniqueNames("drift")
		nc := c.Connect(t)
		// A first worker creates everything with one replica.
		natqtest.StartWorker(t, nc, bindJobs, natq.WithNames(names), natq.WithReplicas(1))

		rec := &logRecorder{}
		natqtest.StartWorker(t, c.Connect(t), bindJobs, natq.WithNames(names), natq.WithReplicas(3),
			natq.WithPlacement(natq.Placement{Tags: []string{"node:1"}}), natq.WithLogger(slog.New(rec)))
		objects := []string{
			"bucket " + names.TasksBucket, "bucket " + names.ResultsBucket, "stream " + names.Stream,
		}
		for _, object := range objects {
			rec.require(t, object, "replicas", "3", "1")
			rec.require(t, object, "placement", "tags=node:1", "none")
		}
		for _, stream := range objectStreams(names) {
			if got := streamInfo(t, jsOf(t, nc), stream).Config.Replicas; got != 1 {
				t.Errorf("stream %s: changed to %d replicas, want it left at 1", stream, got)
			}
		}
		// The second worker serves on the objects as they are.
		cl := natqtest.NewClient(t, nc, natq.WithNames(names))
		if out := natqtest.Call(t, cl, syncJob, jobIn{N: 4}); out.N != 8 {
			t.Errorf("got %+v, want n 8", out)
		}
	})

	t.Run("matching objects log nothing", func(t *testing.T) {
		t.Parallel()
		names := uniqueNames("match")
		natqtest.StartWorker(t, c.Connect(t), bindJobs, natq.WithNames(names), natq.WithReplicas(3))
		rec := &logRecorder{}
		natqtest.StartWorker(t, c.Connect(t), bindJobs, natq.WithNames(names), natq.WithReplicas(3),
			natq.WithLogger(slog.New(rec)))
		if warns := rec.warnings(); len(warns) != 0 {
			t.Errorf("got warnings %v, want none", warns)
		}
	})
}

func bindJobs(w *natq.Worker) {
	natq.Handle(w, syncJob, jobHandler)
	natq.Handle(w, asyncJob, jobHandler)
}

// uniqueNames gives a test its own objects and subjects on a shared
// server.
func uniqueNames(prefix string) natq.Names {
	return natq.Names{
		TasksBucket:   prefix + "_tasks",
		ResultsBucket: prefix + "_results",
		Stream:        prefix + "_jobs",
		SyncPrefix:    prefix + ".req",
		AsyncPrefix:   prefix + ".job",
	}
}

// objectStreams are the streams behind a worker's objects: the two
// buckets' and the job stream.
func objectStreams(n natq.Names) []string {
	return []string{"KV_" + n.TasksBucket, "KV_" + n.ResultsBucket, n.Stream}
}

func jsOf(t *testing.T, nc *nats.Conn) jetstream.JetStream {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func streamInfo(t *testing.T, js jetstream.JetStream, name string) *jetstream.StreamInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), natqtest.WaitTimeout)
	defer cancel()
	s, err := js.Stream(ctx, name)
	if err != nil {
		t.Fatalf("stream %s: %v", name, err)
	}
	return s.CachedInfo()
}

// logRecorder is a slog handler that keeps every record, with the
// attributes of the loggers derived from it.
type logRecorder struct {
	mu      sync.Mutex
	lines   []map[string]string
	changed chan struct{} // signalled, when not nil, after each line
	attrs   []slog.Attr
	root    *logRecorder
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	line := map[string]string{"level": rec.Level.String(), "msg": rec.Message}
	for _, a := range r.attrs {
		line[a.Key] = a.Value.String()
	}
	rec.Attrs(func(a slog.Attr) bool {
		line[a.Key] = a.Value.String()
		return true
	})
	root := r.top()
	root.mu.Lock()
	defer root.mu.Unlock()
	root.lines = append(root.lines, line)
	if root.changed != nil {
		select {
		case root.changed <- struct{}{}:
		default:
		}
	}
	return nil
}

// waitFor waits up to natqtest.WaitTimeout for a line that match accepts.
// The recorder must have been made with a changed channel.
func (r *logRecorder) waitFor(t *testing.T, what string, match func(map[string]string) bool) {
	t.Helper()
	timeout := time.After(natqtest.WaitTimeout)
	for {
		r.mu.Lock()
		found := slices.ContainsFunc(r.lines, match)
		r.mu.Unlock()
		if found {
			return
		}
		select {
		case <-r.changed:
		case <-timeout:
			t.Fatalf("no log line for %s", what)
		}
	}
}

func (r *logRecorder) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logRecorder{attrs: append(append([]slog.Attr(nil), r.attrs...), attrs...), root: r.top()}
}

func (r *logRecorder) WithGroup(string) slog.Handler { return r }

func (r *logRecorder) top() *logRecorder {
	if r.root != nil {
		return r.root
	}
	return r
}

func (r *logRecorder) warnings() []map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]string
	for _, l := range r.lines {
		if l["level"] == slog.LevelWarn.String() {
			out = append(out, l)
		}
	}
	return out
}

// require fails the test unless a Warn line names object and setting with
// ours and theirs.
func (r *logRecorder) require(t *testing.T, object, setting, ours, theirs string) {
	t.Helper()
	warns := r.warnings()
	for _, l := range warns {
		if l["object"] == object && l["setting"] == setting && l["ours"] == ours && l["theirs"] == theirs {
			if l["worker"] == "" {
				t.Errorf("warning %v has no worker attribute", l)
			}
			return
		}
	}
	t.Errorf("no warning for %s %s (ours %s, theirs %s) among %s", object, setting, ours, theirs, fmt.Sprint(warns))
}
