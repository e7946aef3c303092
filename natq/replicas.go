package natq

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// maxReplicas is JetStream's limit on the replicas of a stream.
const maxReplicas = 5

// Placement says where JetStream puts the stream and buckets a worker
// creates. It mirrors JetStream's placement of a stream.
type Placement struct {
	// Cluster is the name of the cluster that holds the objects. Empty
	// means the cluster of the server the worker is connected to.
	Cluster string
	// Tags are server tags: every server that holds a replica carries all
	// of them. Nil means any server.
	Tags []string
}

// WithReplicas sets the number of replicas of the stream of async jobs and
// of both buckets when the worker creates them: 1 to 5, [DefaultReplicas]
// by default. Three replicas survive the loss of one server; the cluster
// must have at least n servers with JetStream. The durable consumers the
// worker creates follow the stream's replicas.
//
// Objects that exist already are used as they are: a worker does not
// change them. When one has another number of replicas, the worker logs
// the difference at Warn level, naming the object, the setting and both
// values. Without this option the worker compares nothing.
func WithReplicas(n int) WorkerOption {
	return workerOptionFunc(func(c *workerConfig) error {
		if n < 1 || n > maxReplicas {
			return fmt.Errorf("natq: WithReplicas: must be 1 to %d, got %d", maxReplicas, n)
		}
		c.replicas = n
		return nil
	})
}

// WithPlacement sets where JetStream puts the stream and both buckets when
// the worker creates them. By default JetStream chooses among the servers
// of the worker's cluster. Like [WithReplicas], it does not change objects
// that exist; a different placement is logged at Warn level.
func WithPlacement(p Placement) WorkerOption {
	return workerOptionFunc(func(c *workerConfig) error {
		if p.Cluster == "" && len(p.Tags) == 0 {
			return fmt.Errorf("natq: WithPlacement: neither Cluster nor Tags is set")
		}
		if slices.Contains(p.Tags, "") {
			return fmt.Errorf("natq: WithPlacement: empty tag in %q", p.Tags)
		}
		p.Tags = slices.Clone(p.Tags)
		c.placement = &p
		return nil
	})
}

// storage is what a worker was asked for about where its objects live,
// and where it reports objects that differ.
type storage struct {
	replicas  int // 0: not asked; create with DefaultReplicas
	placement *Placement
	log       *slog.Logger
}

func (w *Worker) storage() storage {
	return storage{replicas: w.cfg.replicas, placement: w.cfg.placement, log: w.log}
}

// createReplicas is the number of replicas of an object the worker
// creates.
func (s storage) createReplicas() int {
	if s.replicas == 0 {
		return DefaultReplicas
	}
	return s.replicas
}

func (s storage) jsPlacement() *jetstream.Placement {
	if s.placement == nil {
		return nil
	}
	return &jetstream.Placement{Cluster: s.placement.Cluster, Tags: slices.Clone(s.placement.Tags)}
}

// checkBucket compares an existing bucket with what the worker was asked
// for. A failure to read the bucket's settings is only logged: the bucket
// is usable, and the comparison is advice.
func (s storage) checkBucket(ctx context.Context, kv jetstream.KeyValue) {
	if s.replicas == 0 && s.placement == nil {
		return
	}
	st, err := kv.Status(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "read bucket settings", "object", "bucket "+kv.Bucket(), "err", err)
		return
	}
	cfg := st.Config()
	s.check(ctx, "bucket "+kv.Bucket(), cfg.Replicas, cfg.Placement)
}

// checkStream compares an existing stream with what the worker was asked
// for.
func (s storage) checkStream(ctx context.Context, stream jetstream.Stream) {
	cfg := stream.CachedInfo().Config
	s.check(ctx, "stream "+cfg.Name, cfg.Replicas, cfg.Placement)
}

// check logs, at Warn level, each setting of an existing object that
// differs from what the worker was asked for. The worker goes on with the
// object as it is: changing the replicas of a live stream is an operator's
// decision, not a side effect of starting a worker.
func (s storage) check(ctx context.Context, object string, replicas int, placement *jetstream.Placement) {
	if replicas == 0 {
		replicas = 1 // JetStream reports an unset count as 0
	}
	if s.replicas != 0 && s.replicas != replicas {
		s.differs(ctx, object, "replicas", s.replicas, replicas)
	}
	if s.placement != nil && !samePlacement(s.placement, placement) {
		s.differs(ctx, object, "placement", placementText(s.jsPlacement()), placementText(placement))
	}
}

func (s storage) differs(ctx context.Context, object, setting string, ours, theirs any) {
	s.log.WarnContext(ctx, "existing object differs from the worker's settings; using it as it is",
		"object", object, "setting", setting, "ours", ours, "theirs", theirs)
}

// samePlacement compares placements, with tags as a set.
func samePlacement(ours *Placement, theirs *jetstream.Placement) bool {
	if theirs == nil {
		return false
	}
	a, b := slices.Clone(ours.Tags), slices.Clone(theirs.Tags)
	slices.Sort(a)
	slices.Sort(b)
	return ours.Cluster == theirs.Cluster && slices.Equal(slices.Compact(a), slices.Compact(b))
}

// placementText writes a placement for a log line.
func placementText(p *jetstream.Placement) string {
	if p == nil || p.Cluster == "" && len(p.Tags) == 0 {
		return "none"
	}
	var parts []string
	if p.Cluster != "" {
		parts = append(parts, "cluster="+p.Cluster)
	}
	if len(p.Tags) > 0 {
		parts = append(parts, "tags="+strings.Join(p.Tags, ","))
	}
	return strings.Join(parts, " ")
}
