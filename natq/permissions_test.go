package natq

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go"
)

// violation is a refusal as nats.go reports it to the connection.
func violation(text string) error {
	return fmt.Errorf("%w: %s", nats.ErrPermissionViolation, text)
}

func TestDenial(t *testing.T) {
	t.Parallel()
	const pub, sub = refusedPublish, refusedSubscribe
	tests := []struct {
		name   string
		text   string // the refusal, as nats.go reports it
		kind   string
		needle string
		denied bool
	}{
		{"the subject", `Publish to "natq.req.a"`, pub, "natq.req.a", true},
		{"another subject", `Publish to "natq.req.ab"`, pub, "natq.req.a", false},
		{"an API subject ending with the key", `Publish to "$JS.API.DIRECT.GET.KV_r.$KV.r.a.1"`, pub, "$KV.r.a.1", true},
		{"a key that only ends the same", `Publish to "$JS.API.DIRECT.GET.KV_r.$KV.r.xa.1"`, pub, "a.1", false},
		{"a subscription", `Subscription to "natq.req.a" using queue "natq"`, sub, "natq.req.a", true},
		{"a subscription, not a publish", `Subscription to "$KV.r.a.1"`, pub, "$KV.r.a.1", false},
		{"a publish, not a subscription", `Publish to "natq.req.a"`, sub, "natq.req.a", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := denial(violation("Permissions Violation for "+tt.text), tt.kind, tt.needle)
			if got := err != nil; got != tt.denied {
				t.Fatalf("got %v, want denied %v", err, tt.denied)
			}
			if err != nil && (!errors.Is(err, ErrPermissionDenied) || !errors.Is(err, nats.ErrPermissionViolation)) {
				t.Errorf("got %v, want it to match ErrPermissionDenied and nats.ErrPermissionViolation", err)
			}
		})
	}
	for _, err := range []error{nil, errors.New(`Permissions Violation for Publish to "natq.req.a"`)} {
		if got := denial(err, pub, "natq.req.a"); got != nil {
			t.Errorf("denial(%v) = %v, want nil: not a refusal", err, got)
		}
	}
}

// explain replaces only timeouts: any other error is the operation's own.
func TestExplainOnlyTimeouts(t *testing.T) {
	t.Parallel()
	nc := &nats.Conn{} // no last error
	for _, err := range []error{nil, nats.ErrNoResponders, context.Canceled} {
		if got := explain(nc, err, "x"); !errors.Is(got, err) || (err == nil && got != nil) {
			t.Errorf("explain(%v) = %v, want it unchanged", err, got)
		}
	}
	if got := explain(nc, context.DeadlineExceeded, "x"); !errors.Is(got, context.DeadlineExceeded) {
		t.Errorf("a timeout without a refusal: got %v", got)
	}
}
