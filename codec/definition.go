package codec

import (
	"encoding/json"
	"fmt"
)

// Task types as they appear in a [Definition].
const (
	TypeSync  = "sync"
	TypeAsync = "async"
)

// Definition is a task definition, as stored under the task id in the tasks
// bucket. The schemas are JSON documents carried as JSON strings, not as
// nested objects: that is how the other SDKs read them.
type Definition struct {
	// ID is the task id.
	ID string `json:"id"`
	// Type is [TypeSync] or [TypeAsync].
	Type string `json:"type"`
	// InputSchema is the JSON Schema of the input, or "" when there is none.
	InputSchema string `json:"inputSchema,omitempty"`
	// OutputSchema is the JSON Schema of the output, or "" when there is
	// none.
	OutputSchema string `json:"outputSchema,omitempty"`
}

// EncodeDefinition returns the JSON of d.
func EncodeDefinition(d *Definition) ([]byte, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode definition %s: %w", d.ID, err)
	}
	return b, nil
}

// DecodeDefinition parses a task definition and checks its type.
func DecodeDefinition(b []byte) (*Definition, error) {
	var d Definition
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("decode definition: %w", err)
	}
	if d.Type != TypeSync && d.Type != TypeAsync {
		return nil, fmt.Errorf("decode definition %q: unknown type %q", d.ID, d.Type)
	}
	return &d, nil
}
