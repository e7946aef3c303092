package natq

// CallOption configures one call of a sync task: [Task.Call] or
// [Client.CallJSON].
type CallOption interface {
	applyCall(*produceConfig)
}

// EnqueueOption configures one enqueue of an async task: [Task.Enqueue] or
// [Client.EnqueueJSON].
type EnqueueOption interface {
	applyEnqueue(*produceConfig)
}

// ProduceOption configures a call and an enqueue alike.
type ProduceOption interface {
	CallOption
	EnqueueOption
}

// ValidationOption is [WithValidation]: an option of a [Client], and of
// one call or enqueue.
type ValidationOption interface {
	ClientOption
	ProduceOption
}

// produceConfig is the options of one call or enqueue.
type produceConfig struct {
	runID string
	drop  bool
	// validate overrides the client's setting when not nil.
	validate *bool
}

type produceOption func(*produceConfig)

func (f produceOption) applyCall(c *produceConfig)    { f(c) }
func (f produceOption) applyEnqueue(c *produceConfig) { f(c) }

type enqueueOption func(*produceConfig)

func (f enqueueOption) applyEnqueue(c *produceConfig) { f(c) }

// WithRunID sets the run's id. Without it, Enqueue makes a new ULID and a
// call sends none (the worker makes one). For an async run the id is also
// the JetStream message id, so enqueueing the same run id twice within the
// stream's duplicate window (two minutes unless configured otherwise) runs
// it once.
//
// A run id must be letters, digits, '-', '_', '=', '/' and single inner
// dots, at most 256 characters; any other is refused with the 400 a worker
// would answer. An input that already carries a runId must carry the same.
func WithRunID(id string) ProduceOption {
	return produceOption(func(c *produceConfig) { c.runID = id })
}

// WithDropResultOnSuccess asks the worker to delete the run's result once
// it has succeeded. The enqueue starts watching the result before it
// publishes, so that [Run.Wait] still sees the success.
func WithDropResultOnSuccess() EnqueueOption {
	return enqueueOption(func(c *produceConfig) { c.drop = true })
}

// WithValidation turns client-side validation on or off. Given to
// [NewClient] it sets the default of every call and enqueue (off unless
// set); given to one call or enqueue it overrides that default.
//
// With validation on, the producer reads the task's definition from the
// tasks bucket and validates the input document against the published
// input schema before sending it. An input the schema refuses is not sent:
// the producer returns the [*Error] a worker would have answered with, the
// same status and the same message. A task published without an input
// schema is not validated. Validation costs one read of the tasks bucket
// per call; compiled schemas are kept while their definition is unchanged.
func WithValidation(on bool) ValidationOption { return validationOption(on) }

type validationOption bool

func (o validationOption) applyClient(c *clientConfig) error {
	c.validate = bool(o)
	return nil
}

func (o validationOption) applyCall(c *produceConfig) {
	on := bool(o)
	c.validate = &on
}

func (o validationOption) applyEnqueue(c *produceConfig) { o.applyCall(c) }
