package natq

import (
	"fmt"
	"log/slog"
	"time"
)

// Names are the names of the NATS objects natq uses. Workers and producers
// that work together must agree on them.
type Names struct {
	// TasksBucket is the KV bucket of task definitions.
	TasksBucket string
	// ResultsBucket is the KV bucket of async results.
	ResultsBucket string
	// Stream is the JetStream stream of async jobs.
	Stream string
	// SyncPrefix is the subject prefix of sync tasks: a task is served on
	// "<SyncPrefix>.<task id>".
	SyncPrefix string
	// AsyncPrefix is the subject prefix of async tasks: a job is published
	// to "<AsyncPrefix>.<task id>".
	AsyncPrefix string
}

// DefaultNames are the protocol's names, shared with the other natq SDKs.
var DefaultNames = Names{
	TasksBucket:   "natq_tasks",
	ResultsBucket: "natq_results",
	Stream:        "natq_jobs",
	SyncPrefix:    "natq.req",
	AsyncPrefix:   "natq.job",
}

// Defaults of the options below.
const (
	// DefaultHeartbeat is how often a worker tells JetStream that an async
	// run is still in progress.
	DefaultHeartbeat = 10 * time.Second
	// DefaultConcurrency is how many runs of one task a worker runs at once.
	DefaultConcurrency = 64
	// DefaultMaxAttempts is how many times an async run that fails with a
	// 5xx status is tried before it gets a final failing record.
	DefaultMaxAttempts = 10
	// DefaultShutdownTimeout is how long [Worker.Run] gives in-flight runs
	// to finish once its context is done.
	DefaultShutdownTimeout = 30 * time.Second
	// DefaultCallTimeout bounds a sync call whose context has no deadline.
	DefaultCallTimeout = 30 * time.Second
	// DefaultQueueGroup is the queue group of sync subscriptions, so that
	// one worker instance answers each call.
	DefaultQueueGroup = "natq"
	// DefaultReplicas is the number of replicas of the stream and buckets
	// a worker creates: one copy, right for a single server. Set it with
	// [WithReplicas] on a cluster.
	DefaultReplicas = 1
)

func (n Names) validate() error {
	for _, f := range []struct{ name, v string }{
		{"TasksBucket", n.TasksBucket},
		{"ResultsBucket", n.ResultsBucket},
		{"Stream", n.Stream},
		{"SyncPrefix", n.SyncPrefix},
		{"AsyncPrefix", n.AsyncPrefix},
	} {
		if f.v == "" {
			return fmt.Errorf("natq: WithNames: %s is empty", f.name)
		}
	}
	if n.SyncPrefix == n.AsyncPrefix {
		return fmt.Errorf("natq: WithNames: SyncPrefix and AsyncPrefix are both %q", n.SyncPrefix)
	}
	return nil
}

func (n Names) syncSubject(taskID string) string  { return n.SyncPrefix + "." + taskID }
func (n Names) asyncSubject(taskID string) string { return n.AsyncPrefix + "." + taskID }
func consumerName(taskID string) string           { return "natq_worker_" + taskID }

// WorkerOption configures a [Worker].
type WorkerOption interface {
	applyWorker(*workerConfig) error
}

// ClientOption configures a [Client].
type ClientOption interface {
	applyClient(*clientConfig) error
}

// Option configures both a [Worker] and a [Client].
type Option interface {
	WorkerOption
	ClientOption
}

type workerConfig struct {
	names           Names
	logger          *slog.Logger
	heartbeat       time.Duration
	shutdownTimeout time.Duration
	queueGroup      string
	replicas        int        // see WithReplicas; 0 when not set
	placement       *Placement // see WithPlacement
	resultTTL       time.Duration
	deadLetter      *DeadLetter // see WithDeadLetter; nil when not set
}

type clientConfig struct {
	names       Names
	callTimeout time.Duration
	validate    bool // see WithValidation
}

type workerOptionFunc func(*workerConfig) error

func (f workerOptionFunc) applyWorker(c *workerConfig) error { return f(c) }

type clientOptionFunc func(*clientConfig) error

func (f clientOptionFunc) applyClient(c *clientConfig) error { return f(c) }

type namesOption Names

func (o namesOption) applyWorker(c *workerConfig) error {
	c.names = Names(o)
	return Names(o).validate()
}

func (o namesOption) applyClient(c *clientConfig) error {
	c.names = Names(o)
	return Names(o).validate()
}

// WithNames replaces [DefaultNames]. Every field must be set.
func WithNames(n Names) Option { return namesOption(n) }

// WithLogger sets the worker's logger. Nil, the default, discards logs.
func WithLogger(l *slog.Logger) WorkerOption {
	return workerOptionFunc(func(c *workerConfig) error {
		c.logger = l
		return nil
	})
}

// WithHeartbeat sets how often an async run is reported in progress to
// JetStream, [DefaultHeartbeat] by default. It must stay well below the
// consumer's ack wait (30 s unless a peer configured it otherwise).
func WithHeartbeat(d time.Duration) WorkerOption {
	return workerOptionFunc(func(c *workerConfig) error {
		if d <= 0 {
			return fmt.Errorf("natq: WithHeartbeat: must be positive, got %v", d)
		}
		c.heartbeat = d
		return nil
	})
}

// WithShutdownTimeout sets how long [Worker.Run] waits for in-flight runs
// once its context is done, [DefaultShutdownTimeout] by default.
func WithShutdownTimeout(d time.Duration) WorkerOption {
	return workerOptionFunc(func(c *workerConfig) error {
		if d <= 0 {
			return fmt.Errorf("natq: WithShutdownTimeout: must be positive, got %v", d)
		}
		c.shutdownTimeout = d
		return nil
	})
}

// WithQueueGroup sets the queue group of sync subscriptions,
// [DefaultQueueGroup] by default.
func WithQueueGroup(name string) WorkerOption {
	return workerOptionFunc(func(c *workerConfig) error {
		if name == "" {
			return fmt.Errorf("natq: WithQueueGroup: empty name")
		}
		c.queueGroup = name
		return nil
	})
}

// WithResultTTL sets how long results live in the results bucket: the
// bucket's TTL, applied when a worker creates the bucket. Every record
// expires that long after its last write, whatever its status, so keep it
// well above the longest run and the longest a producer may take to read a
// result. Zero, the default, keeps results until they are deleted. A bucket
// that exists is used as it is.
func WithResultTTL(d time.Duration) WorkerOption {
	return workerOptionFunc(func(c *workerConfig) error {
		if d < 0 {
			return fmt.Errorf("natq: WithResultTTL: negative duration %v", d)
		}
		c.resultTTL = d
		return nil
	})
}

// WithCallTimeout bounds sync calls whose context has no deadline,
// [DefaultCallTimeout] by default.
func WithCallTimeout(d time.Duration) ClientOption {
	return clientOptionFunc(func(c *clientConfig) error {
		if d <= 0 {
			return fmt.Errorf("natq: WithCallTimeout: must be positive, got %v", d)
		}
		c.callTimeout = d
		return nil
	})
}
