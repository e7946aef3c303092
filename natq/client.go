package natq

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Client is a producer: it calls sync tasks, enqueues async tasks, waits
// for their results, and discovers the tasks workers have published. Use
// it through a typed task ([Task.Call], [Task.Enqueue]), or by task id with
// raw JSON ([Client.CallJSON], [Client.EnqueueJSON]) in tools and gateways
// that do not know the Go types. A Client is safe for concurrent use; it
// does not own its connection.
type Client struct {
	nc  *nats.Conn
	js  jetstream.JetStream
	cfg clientConfig

	permits    permits // see request and publishJob
	maxPayload maxPayload

	mu      sync.Mutex
	tasks   jetstream.KeyValue
	results jetstream.KeyValue
	schemas map[string]compiledSchema // by task id
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
	c := &Client{nc: nc, js: js, cfg: cfg, schemas: make(map[string]compiledSchema)}
	return c, nil
}

// tasksBucket opens the tasks bucket once. A missing bucket returns an
// error wrapping jetstream.ErrBucketNotFound.
func (c *Client) tasksBucket(ctx context.Context) (jetstream.KeyValue, error) {
	return c.bucket(ctx, &c.tasks, c.cfg.names.TasksBucket)
}

// resultsBucket opens the results bucket once.
func (c *Client) resultsBucket(ctx context.Context) (jetstream.KeyValue, error) {
	return c.bucket(ctx, &c.results, c.cfg.names.ResultsBucket)
}

// bucket opens a bucket and keeps it in *kv. It is not created here: a
// worker creates it with the settings it wants. A failure is not kept, so
// that a later call finds a bucket a worker has created since.
func (c *Client) bucket(ctx context.Context, kv *jetstream.KeyValue, name string) (jetstream.KeyValue, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if *kv != nil {
		return *kv, nil
	}
	b, err := c.js.KeyValue(ctx, name)
	if err != nil {
		err = explain(c.nc, err, "$JS.API.STREAM.INFO.KV_"+name)
		return nil, fmt.Errorf("natq: open bucket %s: %w", name, transportError(err))
	}
	*kv = b
	return b, nil
}
