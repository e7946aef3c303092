package natq_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/natq/natq-go/natq"
)

func TestStatusOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 200},
		{"plain error", errors.New("boom"), 500},
		{"bad request", natq.BadRequest("no"), 400},
		{"not found", natq.NotFound("no"), 404},
		{"conflict", natq.Conflict("no"), 409},
		{"wrapped", fmt.Errorf("load: %w", natq.NotFound("no")), 404},
		{"explicit 503", natq.NewError(503, "later"), 503},
		{"success is not an error status", natq.NewError(200, "odd"), 500},
		{"processing is not an error status", natq.NewError(100, "odd"), 500},
		{"formatted", natq.Errorf(422, "field %s", "x"), 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := natq.StatusOf(tt.err); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestErrorMessageIsTheWireText(t *testing.T) {
	t.Parallel()
	err := natq.Errorf(409, "order %d exists", 42)
	if got, want := err.Error(), "order 42 exists"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
