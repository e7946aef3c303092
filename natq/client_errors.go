package natq

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
)

// More errors a producer can test for with errors.Is, beside [ErrNoWorker],
// [ErrNoStream] and [ErrResultDropped]. A run that ends with a failing
// status is not among them: it is a [*Error], found with errors.As or
// [StatusOf].
var (
	// ErrUnknownTask means the tasks bucket holds no definition for the
	// task id: no worker has ever published it, or the id is misspelt. A
	// call to such a task also matches [ErrNoWorker].
	ErrUnknownTask = errors.New("natq: unknown task: no worker has published it")
	// ErrWrongKind means a sync task was enqueued or an async task called.
	ErrWrongKind = errors.New("natq: wrong kind of task")
	// ErrTimeout means the server, a worker or a result did not answer in
	// time. The error also matches the cause: context.DeadlineExceeded or
	// nats.ErrTimeout. An async run that timed out for its waiter may
	// still finish.
	ErrTimeout = errors.New("natq: timed out")
	// ErrPayloadTooLarge means an input is larger than the server's
	// maximum payload; it was not sent.
	ErrPayloadTooLarge = errors.New("natq: input larger than the server's max payload")
	// ErrNoRecord means the results bucket holds no record for a run: it
	// has not started yet, its result was dropped or has expired, or the
	// run does not exist.
	ErrNoRecord = errors.New("natq: no record for the run")
)

// transportError classifies an error of the NATS client, so that a timeout
// and an oversized payload can be told apart with errors.Is.
func transportError(err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, nats.ErrTimeout):
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	case errors.Is(err, nats.ErrMaxPayload):
		return fmt.Errorf("%w: %w", ErrPayloadTooLarge, err)
	default:
		return err
	}
}

// sentinels is an error that matches several sentinels, under one
// message.
type sentinels struct {
	msg  string
	errs []error
}

func (e *sentinels) Error() string   { return e.msg }
func (e *sentinels) Unwrap() []error { return e.errs }
