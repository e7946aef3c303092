// Package natq runs typed tasks on NATS: Go handlers that producers in any
// language can call, with inputs validated against a published JSON Schema
// before a handler sees them.
//
// natq is the Go SDK of a language-agnostic task queue. On the wire a Go
// worker is indistinguishable from the natq workers in other languages:
// sync tasks are NATS request/reply, async tasks are a JetStream work
// queue with results in a KV bucket.
//
// # Tasks
//
// A [Task] is declared once, in a package that workers and producers both
// import. Its input and output types are checked by the compiler on both
// sides, and reflected into the JSON Schemas a worker publishes:
//
//	type GreetIn struct {
//		Name string `json:"name" jsonschema:"minLength=1"`
//	}
//	type GreetOut struct {
//		Message string `json:"message"`
//	}
//
//	var Greet = natq.NewTask[GreetIn, GreetOut]("greet", natq.Sync)
//
// A task id is letters, digits, '-' and '_'. The input must encode as a
// JSON object; its schema also declares the protocol's reserved envelope
// fields, runId and dropResultOnSuccess, so a producer may send them and
// still validate against the published schema. Struct schemas refuse
// unknown fields and require every field not tagged omitempty.
//
// # Workers
//
// A [Worker] binds handlers to tasks with [Handle] and serves them:
//
//	w, err := natq.NewWorker(nc, natq.WithLogger(logger))
//	natq.Handle(w, Greet, func(ctx context.Context, in GreetIn) (GreetOut, error) {
//		return GreetOut{Message: "Hello, " + in.Name}, nil
//	})
//	err = w.Run(ctx) // until ctx is done, then a graceful stop
//
// Starting a worker provisions what its tasks need, with the protocol's
// names ([DefaultNames]): the tasks and results buckets, the job stream and
// one durable consumer per async task. Objects that exist are used as they
// are. It then publishes each task's definition and serves: a queue
// subscription per sync task, so that one instance answers each call, and
// a pull consumer per async task. [WithConcurrency] bounds the runs of a
// task in one worker.
//
// For each async job the worker writes a record with status 100 before the
// handler runs and reports the job in progress while it runs. A success is
// written and acknowledged; a 4xx is written and terminated; a 5xx leaves
// the record at 100 and is retried after min(2^deliveries s, 60 s), until
// [WithMaxAttempts] attempts have failed: the run then gets a final record
// with the last status and error. A job that is not a JSON object, or whose
// run id cannot be a KV key, is terminated and logged: no result could be
// stored for it.
//
// # Reliability
//
// Async runs are delivered at least once. [WithBackoff] replaces the
// protocol's retry delay, [WithTimeout] bounds a run, [WithAckWait] and
// [WithMaxAckPending] set the task's consumer when a worker creates it.
// A worker pulls only for the room it has and keeps every job it holds
// alive, re-creates a deleted consumer or lost objects by itself, and on
// [Worker.Stop] hands back what it cannot finish. [WithDeadLetter] keeps
// runs that finally fail, input and all, for [Client.Redrive];
// [WithResultTTL] bounds how long results live. The repository's
// docs/reliability.md says what each guarantee is and which test proves
// it.
//
// # Clusters
//
// natq adds no coordinator: NATS is the distributed engine. On a cluster,
// [WithReplicas] and [WithPlacement] set the replicas and placement of the
// stream and buckets a worker creates; objects that exist are used as they
// are. docs/operations.md and docs/security.md cover sizing, rolling
// restarts and least-privilege permissions.
//
// # Producers
//
// A [Client] calls and enqueues through the task value:
//
//	out, err := Greet.Call(ctx, client, GreetIn{Name: "Ada"})
//	run, err := Resize.Enqueue(ctx, client, in, natq.WithRunID("order-42"))
//	res, err := run.Wait(ctx) // watches the result's key; no polling
//
// A run id is the JetStream message id too, so enqueueing the same id twice
// within the stream's duplicate window runs it once. [Run.Record] reads a
// run's current record (status 100 while it runs), and [Run.Watch] and
// [Client.Watch] follow records as they change.
//
// Programs without the Go types, such as tools and gateways, produce by
// task id with raw JSON through the same path: [Client.CallJSON],
// [Client.EnqueueJSON], [Client.RunOf]. [Client.Tasks] and [Client.Task]
// discover what workers have published, with the compiled schemas of each
// task. With [WithValidation] a producer validates an input against the
// published schema before sending it, and refuses it with the very
// [*Error] a worker would answer.
//
// A producer's failures are told apart with errors.Is: [ErrNoWorker],
// [ErrUnknownTask], [ErrWrongKind], [ErrNoStream], [ErrTimeout],
// [ErrPayloadTooLarge], [ErrNoRecord] and [ErrResultDropped]; a run that
// failed is a [*Error].
//
// # Errors
//
// A handler returns an error to fail its run. A [*Error] sets the status:
// [BadRequest], [NotFound], [Conflict], or [NewError] for any 4xx or 5xx.
// Any other error, and a panic, is a 500 whose message starts with
// "Unhandled exception: ". Inputs are refused before the handler runs:
// invalid JSON with 406 "Invalid JSON input", and anything the schema or
// the Go type refuses with 400 and a message naming every failing field.
// A producer gets a [*Error] back for a failed run; [StatusOf] reads the
// status of any error.
//
// # Runs
//
// [RunInfoFromContext] tells a handler its run id, task, worker and
// attempt. Logs go to the [log/slog] logger given with [WithLogger], with
// the attributes worker, task, run and attempt.
//
// # Testing
//
// Package natqtest starts an embedded nats-server in a test, starts
// workers, and has typed helpers to call, enqueue and wait. [Invoke] runs a
// handler through decoding, validation and encoding with no server at all.
package natq
