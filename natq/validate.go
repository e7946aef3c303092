package natq

import (
	"context"
	"fmt"

	"github.com/natq/natq-go/schema"
)

// compiledSchema is an input schema compiled from one revision of a
// published definition.
type compiledSchema struct {
	revision uint64
	schema   *schema.Schema
}

// check does what must be done before a request is sent: read the task's
// definition when asked (refusing an unknown task or one of the other
// kind), validate the input, and compare its size with the server's max
// payload.
func (c *Client) check(ctx context.Context, r *request) error {
	if r.lookup {
		info, err := c.Task(ctx, r.taskID)
		if err != nil {
			return err
		}
		if info.Kind != r.kind {
			return wrongKind(info.ID, info.Kind)
		}
		if r.validate {
			if err := c.validate(info, r.doc); err != nil {
				return err
			}
		}
	}
	if limit, over := c.maxPayload.exceeds(c.nc, int64(len(r.doc))); over {
		return fmt.Errorf("%w: %d bytes, the server takes at most %d", ErrPayloadTooLarge, len(r.doc), limit)
	}
	return nil
}

// validate refuses doc as a worker would, with the same [*Error], when the
// task's published input schema does not accept it.
func (c *Client) validate(info *TaskInfo, doc []byte) error {
	s, err := c.inputSchema(info)
	if err != nil || s == nil {
		return err
	}
	if _, serr := admitInput(s, doc); serr != nil {
		return serr
	}
	return nil
}

// inputSchema returns the compiled input schema of a definition, nil when
// it has none. A schema is compiled once per revision of its definition.
func (c *Client) inputSchema(info *TaskInfo) (*schema.Schema, error) {
	c.mu.Lock()
	cached, ok := c.schemas[info.ID]
	c.mu.Unlock()
	if ok && cached.revision == info.Revision {
		return cached.schema, nil
	}
	s, err := info.InputSchema()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.schemas[info.ID] = compiledSchema{revision: info.Revision, schema: s}
	c.mu.Unlock()
	return s, nil
}

// wrongKind explains which producer method suits a task of kind k.
func wrongKind(taskID string, k Kind) error {
	if k == Async {
		return fmt.Errorf("%w: %s is async; enqueue it", ErrWrongKind, taskID)
	}
	return fmt.Errorf("%w: %s is sync; call it", ErrWrongKind, taskID)
}
