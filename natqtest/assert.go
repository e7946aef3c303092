package natqtest

import (
	"strings"
	"testing"

	"github.com/natq/natq-go/natq"
)

// RequireStatus fails the test unless err stands for status (see
// [natq.StatusOf]; a nil error stands for 200).
func RequireStatus(tb testing.TB, err error, status int) {
	tb.Helper()
	if got := natq.StatusOf(err); got != status {
		tb.Fatalf("natq: got status %d (%v), want %d", got, err, status)
	}
}

// RequireError fails the test unless err carries status and its message
// contains want.
func RequireError(tb testing.TB, err error, status int, want string) {
	tb.Helper()
	RequireStatus(tb, err, status)
	if err == nil || !strings.Contains(err.Error(), want) {
		tb.Fatalf("natq: got error %q, want one containing %q", errText(err), want)
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
