package natq

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/natq/natq-go/codec"
	"github.com/natq/natq-go/schema"
	"github.com/nats-io/nats.go/jetstream"
)

// TaskInfo is a task as a worker published it in the tasks bucket, in any
// language. Producers that do not share the task's Go declaration use it
// to learn the task's kind and schemas.
type TaskInfo struct {
	// ID is the task id.
	ID string
	// Kind is [Sync] or [Async].
	Kind Kind
	// Definition is the definition as published: the schemas are JSON
	// documents held in strings, empty when the worker published none.
	Definition *codec.Definition
	// Revision is the definition's revision in the tasks bucket. It
	// changes each time a worker publishes the definition again.
	Revision uint64
}

// InputSchema compiles the published input schema. It returns nil and no
// error when the definition has none.
func (t *TaskInfo) InputSchema() (*schema.Schema, error) {
	return compilePublished(t.ID, "input", t.Definition.InputSchema)
}

// OutputSchema compiles the published output schema. It returns nil and
// no error when the definition has none.
func (t *TaskInfo) OutputSchema() (*schema.Schema, error) {
	return compilePublished(t.ID, "output", t.Definition.OutputSchema)
}

func compilePublished(taskID, which, doc string) (*schema.Schema, error) {
	if doc == "" {
		return nil, nil
	}
	s, err := schema.Compile([]byte(doc))
	if err != nil {
		return nil, fmt.Errorf("natq: task %s: published %s schema: %w", taskID, which, err)
	}
	return s, nil
}

// Task reads the definition of one task from the tasks bucket. A task
// that is not there, or a bucket that does not exist yet, returns an error
// wrapping [ErrUnknownTask].
func (c *Client) Task(ctx context.Context, id string) (*TaskInfo, error) {
	if err := ValidateTaskID(id); err != nil {
		return nil, err
	}
	kv, err := c.tasksBucket(ctx)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("natq: task %s: %w", id, ErrUnknownTask)
	}
	if err != nil {
		return nil, err
	}
	e, err := kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("natq: task %s: %w", id, ErrUnknownTask)
	}
	if err != nil {
		err = explain(c.nc, err, kvSubject(c.cfg.names.TasksBucket, id))
		return nil, fmt.Errorf("natq: read task %s: %w", id, transportError(err))
	}
	return decodeTaskInfo(e)
}

// Tasks reads every task definition from the tasks bucket, sorted by id.
// It returns none, and no error, when no worker has created the bucket.
func (c *Client) Tasks(ctx context.Context) ([]*TaskInfo, error) {
	kv, err := c.tasksBucket(ctx)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// One watch delivers every current value, then a nil entry: one round
	// trip where listing the keys and reading each would take many.
	w, err := kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		err = explain(c.nc, err, kvSubject(c.cfg.names.TasksBucket, ">"))
		return nil, fmt.Errorf("natq: list tasks: %w", transportError(err))
	}
	defer func() { _ = w.Stop() }()
	var infos []*TaskInfo
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("natq: list tasks: %w", transportError(ctx.Err()))
		case e, ok := <-w.Updates():
			if !ok {
				return nil, errors.New("natq: list tasks: watcher closed")
			}
			if e == nil {
				slices.SortFunc(infos, func(a, b *TaskInfo) int { return strings.Compare(a.ID, b.ID) })
				return infos, nil
			}
			info, err := decodeTaskInfo(e)
			if err != nil {
				return nil, err
			}
			infos = append(infos, info)
		}
	}
}

func decodeTaskInfo(e jetstream.KeyValueEntry) (*TaskInfo, error) {
	def, err := codec.DecodeDefinition(e.Value())
	if err != nil {
		return nil, fmt.Errorf("natq: task %s: %w", e.Key(), err)
	}
	kind := Sync
	if def.Type == codec.TypeAsync {
		kind = Async
	}
	return &TaskInfo{ID: e.Key(), Kind: kind, Definition: def, Revision: e.Revision()}, nil
}
