package natqtest

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// Logger returns a logger that writes to the test's log, at Info level
// and above. Lines logged after the test has ended are dropped rather
// than failing it: a run that outlives its test must not panic the
// program.
func Logger(tb testing.TB) *slog.Logger {
	h := &tbHandler{state: &tbState{tb: tb}}
	h.text = slog.NewTextHandler(&h.state.buf, &slog.HandlerOptions{
		Level: slog.LevelInfo,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{} // the test log has its own clock
			}
			return a
		},
	})
	tb.Cleanup(h.state.close)
	return slog.New(h)
}

// tbState is shared by a handler and the handlers derived from it.
type tbState struct {
	mu     sync.Mutex
	tb     testing.TB
	buf    bytes.Buffer
	closed bool
}

func (s *tbState) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
}

type tbHandler struct {
	state *tbState
	text  slog.Handler
}

func (h *tbHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.text.Enabled(ctx, l)
}

func (h *tbHandler) Handle(ctx context.Context, r slog.Record) error {
	s := h.state
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.buf.Reset()
	if err := h.text.Handle(ctx, r); err != nil {
		return err
	}
	s.tb.Log(strings.TrimSuffix(s.buf.String(), "\n"))
	return nil
}

func (h *tbHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &tbHandler{state: h.state, text: h.text.WithAttrs(attrs)}
}

func (h *tbHandler) WithGroup(name string) slog.Handler {
	return &tbHandler{state: h.state, text: h.text.WithGroup(name)}
}
