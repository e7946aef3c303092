package natq

import (
	"errors"
	"fmt"

	"github.com/natq/natq-go/codec"
)

// Error is an error that carries a protocol status. A handler returns one
// (or an error wrapping one) to choose the status of its run; a producer
// gets one back when a run ends with a failing status.
//
// Error's message is what travels on the wire, so Error() returns it as it
// is, without the status; use [StatusOf] or the Status field for that.
type Error struct {
	// Status is the protocol status, 400 to 599.
	Status int
	// Message is the error text sent to the producer.
	Message string
}

// NewError returns an error with the given status and message. A status
// outside 400 to 599 is taken as 500: a handler cannot report success, or
// "still processing", through an error.
func NewError(status int, msg string) *Error {
	if status < 400 || status > 599 {
		status = codec.StatusInternal
	}
	return &Error{Status: status, Message: msg}
}

// Errorf is [NewError] with a formatted message.
func Errorf(status int, format string, args ...any) *Error {
	return NewError(status, fmt.Sprintf(format, args...))
}

// BadRequest returns a 400 error: the input was understood but is not
// acceptable. A 400 is final; an async run that ends with it is not retried.
func BadRequest(msg string) *Error { return NewError(codec.StatusBadRequest, msg) }

// NotFound returns a 404 error: something the input names does not exist.
func NotFound(msg string) *Error { return NewError(404, msg) }

// Conflict returns a 409 error: the input clashes with the current state.
func Conflict(msg string) *Error { return NewError(409, msg) }

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// StatusOf returns the status that err stands for: 200 for nil, the status
// of the first [*Error] in err's chain, and 500 for any other error.
func StatusOf(err error) int {
	if err == nil {
		return codec.StatusOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return codec.StatusInternal
}

// Errors a producer can test for with errors.Is.
var (
	// ErrNoWorker means no worker serves a sync task: nobody answered.
	ErrNoWorker = errors.New("natq: no worker is serving the task")
	// ErrNoStream means the stream of async jobs does not exist: no worker
	// has provisioned it yet.
	ErrNoStream = errors.New("natq: the async job stream does not exist; start a worker first")
	// ErrResultDropped means a run succeeded, but its result was deleted
	// (dropResultOnSuccess) before the waiter could read it.
	ErrResultDropped = errors.New("natq: the run succeeded and its result was dropped")
	// ErrWorkerStarted means a task was registered on a worker that is
	// already running.
	ErrWorkerStarted = errors.New("natq: worker already started")
)
