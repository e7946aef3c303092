package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/natq/natq-go/natq"
	"github.com/spf13/cobra"
)

// Exit codes. They are part of the command's interface: scripts test
// them, so a code keeps its meaning once released.
const (
	exitOK          = 0
	exitError       = 1 // anything else: connection, server, files
	exitUsage       = 2
	exitRefused     = 3 // a 4xx, or an input not sent
	exitFailed      = 4 // a 5xx
	exitNobody      = 5 // unknown task, no worker, no stream
	exitTimeout     = 6
	exitNoRecord    = 7
	exitInterrupted = 130
)

// exitCodesHelp is the table of exit codes in natq --help.
const exitCodesHelp = `Exit codes:
  0    success
  1    error: connection, server, file
  2    usage: bad command, flag or argument; wrong kind of task
  3    the run was refused with a 4xx status, or the input was not sent
       (client-side validation, over the server's max payload)
  4    the run failed with a 5xx status
  5    nobody to run it: unknown task, no worker, no job stream
  6    timed out (an enqueued run may still finish)
  7    no record for the run: not started, dropped, expired or unknown
  130  interrupted (Ctrl-C)`

// usageError is a mistake in the command line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCode maps the error a command returned to the exit code.
func exitCode(err error) int {
	var serr *natq.Error
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &usageError{}), errors.Is(err, natq.ErrWrongKind):
		return exitUsage
	case errors.As(err, &serr) && serr.Status < 500:
		return exitRefused
	case errors.As(err, &serr):
		return exitFailed
	case errors.Is(err, natq.ErrPayloadTooLarge):
		return exitRefused
	case errors.Is(err, natq.ErrUnknownTask), errors.Is(err, natq.ErrNoWorker), errors.Is(err, natq.ErrNoStream):
		return exitNobody
	case errors.Is(err, natq.ErrTimeout):
		return exitTimeout
	case errors.Is(err, natq.ErrNoRecord):
		return exitNoRecord
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	default:
		return exitError
	}
}

// errorLine is the line printed on standard error for a failed command.
func errorLine(root *cobra.Command, err error) string {
	// Library errors start with "natq: ", wrapped ones too: say it once.
	msg := "natq: " + strings.ReplaceAll(strings.TrimPrefix(err.Error(), "natq: "), ": natq: ", ": ")
	if errors.As(err, &usageError{}) {
		msg += fmt.Sprintf("\nRun '%s --help' for usage.", root.Name())
	}
	return msg
}
