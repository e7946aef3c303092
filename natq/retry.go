package natq

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Backoff returns how long to wait before the next attempt of an async run
// whose attempt number attempt (from 1) has just failed with a 5xx status.
// It must be safe for concurrent use.
type Backoff func(attempt int) time.Duration

// ProtocolBackoff is the natq protocol's retry delay, the default of every
// async task: min(2^attempt s, 60 s), so 2 s, 4 s, 8 s, ... up to a minute.
func ProtocolBackoff(attempt int) time.Duration {
	return ExponentialBackoff(time.Second, time.Minute, 0)(attempt)
}

// ExponentialBackoff returns a [Backoff] of min(base × 2^attempt, maxDelay),
// with the delay spread at random by up to ±jitter of itself (jitter is
// clamped to 0 to 1), so that runs failing together do not all retry at
// the same moment.
func ExponentialBackoff(base, maxDelay time.Duration, jitter float64) Backoff {
	jitter = min(max(jitter, 0), 1)
	return func(attempt int) time.Duration {
		d := base
		for i := 0; i < attempt && d < maxDelay; i++ {
			d *= 2
		}
		d = min(d, maxDelay)
		if jitter > 0 {
			spread := float64(d) * jitter
			d += time.Duration((rand.Float64()*2 - 1) * spread) //nolint:gosec // jitter needs no crypto
		}
		return max(d, 0)
	}
}

// WithBackoff replaces [ProtocolBackoff] as the task's retry delay.
func WithBackoff(b Backoff) TaskOption {
	return func(t *taskDef) error {
		if b == nil {
			return fmt.Errorf("natq: WithBackoff: nil backoff")
		}
		t.backoff = b
		return nil
	}
}

// WithAckWait sets the ack wait of the task's consumer when a worker
// creates it (JetStream's default, 30 s, otherwise). A run not finished
// nor reported in progress within it is delivered again; the worker
// reports progress every third of it at least. A consumer that exists is
// used as it is.
func WithAckWait(d time.Duration) TaskOption {
	return func(t *taskDef) error {
		if d < time.Second {
			return fmt.Errorf("natq: WithAckWait: must be at least 1s, got %v", d)
		}
		t.ackWait = d
		return nil
	}
}

// WithMaxAckPending bounds, across every worker of the task, how many of
// its runs may be in flight at once: the max ack pending of the task's
// consumer when a worker creates it (JetStream's default, 1000,
// otherwise). A consumer that exists is used as it is.
func WithMaxAckPending(n int) TaskOption {
	return func(t *taskDef) error {
		if n < 1 {
			return fmt.Errorf("natq: WithMaxAckPending: must be at least 1, got %d", n)
		}
		t.maxAckPending = n
		return nil
	}
}
