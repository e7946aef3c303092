package natq

import (
	"fmt"
	"reflect"
	"time"

	"github.com/natq/natq-go/codec"
	"github.com/natq/natq-go/internal/plainjson"
	"github.com/natq/natq-go/schema"
)

// Kind says how a task is served.
type Kind int

const (
	// Sync tasks are served by request and reply: the producer waits for
	// the result.
	Sync Kind = iota + 1
	// Async tasks are queued in a JetStream work queue; their results are
	// written to the results bucket.
	Async
)

// String returns the kind's name in task definitions: "sync" or "async".
func (k Kind) String() string {
	switch k {
	case Sync:
		return codec.TypeSync
	case Async:
		return codec.TypeAsync
	default:
		return fmt.Sprintf("Kind(%d)", int(k))
	}
}

// ValidateTaskID returns an error naming id when it cannot be a task id. A
// task id must be one NATS subject token and a valid KV key: letters,
// digits, '-' and '_'.
func ValidateTaskID(id string) error {
	if !validTaskID(id) {
		return fmt.Errorf("natq: invalid task id %q: use letters, digits, '-' and '_'", id)
	}
	return nil
}

// validTaskID reports whether id is one subject token that is also a KV
// key: ^[A-Za-z0-9_-]+$. Every call checks its task id, so this is a loop
// rather than a regular expression.
func validTaskID(id string) bool {
	for i := range len(id) {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return id != ""
}

// TaskOption configures a [Task].
type TaskOption func(*taskDef) error

// WithTimeout bounds each run of the task: the handler's context is
// cancelled after d. A run that times out fails with a 500 and, if async,
// is retried. Zero, the default, means no timeout.
func WithTimeout(d time.Duration) TaskOption {
	return func(t *taskDef) error {
		if d < 0 {
			return fmt.Errorf("natq: WithTimeout: negative duration %v", d)
		}
		t.timeout = d
		return nil
	}
}

// WithConcurrency sets how many runs of the task one worker runs at once,
// [DefaultConcurrency] by default. An async worker holds up to twice as
// many of the task's jobs: besides its runs, jobs prefetched for slots
// about to free and jobs whose result is being written.
func WithConcurrency(n int) TaskOption {
	return func(t *taskDef) error {
		if n < 1 {
			return fmt.Errorf("natq: WithConcurrency: must be at least 1, got %d", n)
		}
		t.concurrency = n
		return nil
	}
}

// WithMaxAttempts sets how many times an async run that fails with a 5xx
// status is tried, [DefaultMaxAttempts] by default. After the last attempt
// the run gets a final record with the last status and error, and its
// message is terminated. Zero means no limit, as in the other natq SDKs:
// such a run is retried for as long as it fails.
func WithMaxAttempts(n int) TaskOption {
	return func(t *taskDef) error {
		if n < 0 {
			return fmt.Errorf("natq: WithMaxAttempts: negative count %d", n)
		}
		t.maxAttempts = n
		return nil
	}
}

// taskDef is what a task is once its types are erased.
type taskDef struct {
	id      string
	kind    Kind
	in, out *schema.Schema
	// decodeIn and decodeOut decode plain inputs and outputs (structs,
	// slices and pointers of scalars) without encoding/json; nil for
	// other types.
	decodeIn, decodeOut *plainjson.Decoder
	timeout             time.Duration
	concurrency         int
	maxAttempts         int
	backoff             Backoff
	// Consumer settings, applied when a worker creates the consumer;
	// zero leaves JetStream's default.
	ackWait       time.Duration
	maxAckPending int
}

// Task is a typed task: an id, a kind, and the types of its input and
// output. Declare it once, in a package both workers and producers import;
// bind a handler with [Handle], and call it with [Task.Call] or
// [Task.Enqueue]. A Task is immutable and safe for concurrent use.
//
// In must encode as a JSON object (a struct, a pointer to one, or a map
// with string keys) and must not declare the reserved fields runId and
// dropResultOnSuccess. Out may be any type encoding/json can encode.
type Task[In, Out any] struct {
	def *taskDef
}

// NewTask declares a task. It panics if the id is invalid, if In or Out
// cannot be reflected into a schema, or if an option is invalid: all of
// these are mistakes in the program, found when it starts. [TryNewTask] is
// the same but returns the error.
func NewTask[In, Out any](id string, kind Kind, opts ...TaskOption) *Task[In, Out] {
	t, err := TryNewTask[In, Out](id, kind, opts...)
	if err != nil {
		panic(err)
	}
	return t
}

// TryNewTask is [NewTask] returning an error instead of panicking.
func TryNewTask[In, Out any](id string, kind Kind, opts ...TaskOption) (*Task[In, Out], error) {
	if err := ValidateTaskID(id); err != nil {
		return nil, err
	}
	if kind != Sync && kind != Async {
		return nil, fmt.Errorf("natq: task %s: unknown kind %v", id, kind)
	}
	def := &taskDef{
		id:          id,
		kind:        kind,
		concurrency: DefaultConcurrency,
		maxAttempts: DefaultMaxAttempts,
		backoff:     ProtocolBackoff,
	}
	for _, opt := range opts {
		if err := opt(def); err != nil {
			return nil, fmt.Errorf("task %s: %w", id, err)
		}
	}
	var err error
	if def.in, err = schema.ReflectInput(reflect.TypeFor[In]()); err != nil {
		return nil, fmt.Errorf("natq: task %s: input: %w", id, err)
	}
	if def.out, err = schema.Reflect(reflect.TypeFor[Out]()); err != nil {
		return nil, fmt.Errorf("natq: task %s: output: %w", id, err)
	}
	def.decodeIn = plainjson.For(reflect.TypeFor[In]())
	def.decodeOut = plainjson.For(reflect.TypeFor[Out]())
	return &Task[In, Out]{def: def}, nil
}

// ID returns the task id.
func (t *Task[In, Out]) ID() string { return t.def.id }

// Kind returns the task's kind.
func (t *Task[In, Out]) Kind() Kind { return t.def.kind }

// InputSchema returns the compiled JSON Schema of the input, as published.
// It declares the reserved fields runId and dropResultOnSuccess, so a
// document carrying them validates.
func (t *Task[In, Out]) InputSchema() *schema.Schema { return t.def.in }

// OutputSchema returns the compiled JSON Schema of the output.
func (t *Task[In, Out]) OutputSchema() *schema.Schema { return t.def.out }

// Definition returns the task definition a worker publishes to the tasks
// bucket.
func (t *Task[In, Out]) Definition() *codec.Definition { return t.def.definition() }

func (d *taskDef) definition() *codec.Definition {
	return &codec.Definition{
		ID:           d.id,
		Type:         d.kind.String(),
		InputSchema:  string(d.in.JSON()),
		OutputSchema: string(d.out.JSON()),
	}
}
