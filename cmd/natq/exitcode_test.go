package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/natq/natq-go/natq"
)

func TestExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{errors.New("disk full"), exitError},
		{usageError{errors.New("bad flag")}, exitUsage},
		{fmt.Errorf("call x: %w", natq.ErrWrongKind), exitUsage},
		{natq.BadRequest("no"), exitRefused},
		{&runError{what: "run", err: natq.NewError(404, "gone")}, exitRefused},
		{fmt.Errorf("call x: %w", natq.ErrPayloadTooLarge), exitRefused},
		{natq.NewError(503, "busy"), exitFailed},
		{fmt.Errorf("call x: %w", natq.ErrNoWorker), exitNobody},
		{fmt.Errorf("call x: %w", natq.ErrUnknownTask), exitNobody},
		{fmt.Errorf("enqueue x: %w", natq.ErrNoStream), exitNobody},
		{fmt.Errorf("call x: %w: %w", natq.ErrTimeout, context.DeadlineExceeded), exitTimeout},
		{fmt.Errorf("run x: %w", natq.ErrNoRecord), exitNoRecord},
		{fmt.Errorf("wait: %w", context.Canceled), exitInterrupted},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v): got %d, want %d", tt.err, got, tt.want)
		}
	}
}
