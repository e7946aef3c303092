package codec

import (
	"encoding/json"
	"fmt"
)

// Record is the output record of a run, as stored under
// "<task id>.<run id>" in the results bucket.
type Record struct {
	// ID is the run id.
	ID string `json:"id"`
	// TaskID is the task id.
	TaskID string `json:"taskId"`
	// Status is the run's status code.
	Status int `json:"status"`
	// Data is the result on success; empty when there is none.
	Data json.RawMessage `json:"data,omitempty"`
	// Error is the message of a failure; empty on success.
	Error string `json:"error,omitempty"`
}

// Final reports whether the record ends its run.
func (r *Record) Final() bool { return IsFinal(r.Status) }

// EncodeRecord returns the JSON of r.
func EncodeRecord(r *Record) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	return b, nil
}

// DecodeRecord parses an output record. A record without a status is an
// error: a reader could not tell what state the run is in.
func DecodeRecord(b []byte) (*Record, error) {
	var r struct {
		Record
		Status *int `json:"status"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decode record: %w", err)
	}
	if r.Status == nil {
		return nil, fmt.Errorf("decode record %q: no status", r.ID)
	}
	r.Record.Status = *r.Status
	return &r.Record, nil
}

// ResultKey returns the results bucket key of a run.
func ResultKey(taskID, runID string) string {
	return taskID + "." + runID
}
