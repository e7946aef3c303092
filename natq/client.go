package natq

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Client is a producer: it calls sync tasks, enqueues async tasks and
// waits for their results. Use it through [Task.Call], [Task.Enqueue] and
// [Run.Wait]. A Client is safe for concurrent use; it does not own its
// connection.
type Client struct {
	nc  *nats.Conn
	js  jetstream.JetStream
	cfg clientConfig

	mu      sync.Mutex
	results jetstream.KeyValue
}

// NewClient returns a producer on nc. It returns an error naming the option
// when an option is invalid.
func NewClient(nc *nats.Conn, opts ...ClientOption) (*Client, error) {
	if nc == nil {
		return nil, errors.New("natq: NewClient: nil connection")
	}
	cfg := clientConfig{names: DefaultNames, callTimeout: DefaultCallTimeout}
	for _, opt := range opts {
		if err := opt.applyClient(&cfg); err != nil {
			return nil, err
		}
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("natq: jetstream: %w", err)
	}
	return &Client{nc: nc, js: js, cfg: cfg}, nil
}

// resultsBucket opens the results bucket once. It is not created here: a
// worker creates it with the settings it wants.
func (c *Client) resultsBucket(ctx context.Context) (jetstream.KeyValue, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.results != nil {
		return c.results, nil
	}
	kv, err := c.js.KeyValue(ctx, c.cfg.names.ResultsBucket)
	if err != nil {
		return nil, fmt.Errorf("natq: open results bucket %s: %w", c.cfg.names.ResultsBucket, err)
	}
	c.results = kv
	return kv, nil
}
