package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/natq/natq-go/codec"
	"github.com/natq/natq-go/natq"
)

// printJSON writes v as indented JSON and a newline.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // keep "<" and ">" readable in messages
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// pretty indents a JSON document; a document that is not JSON is kept.
func pretty(doc []byte) []byte {
	var buf bytes.Buffer
	if err := json.Indent(&buf, doc, "", "  "); err != nil {
		return doc
	}
	return buf.Bytes()
}

// printData writes a result's data for people: indented JSON, nothing
// when there is none.
func printData(w io.Writer, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	_, err := fmt.Fprintf(w, "%s\n", pretty(data))
	return err
}

// recordJSON is a record as --json prints it: as stored, but without an
// empty id (a call given no run id has none).
type recordJSON struct {
	ID     string          `json:"id,omitempty"`
	TaskID string          `json:"taskId"`
	Status int             `json:"status"`
	Data   json.RawMessage `json:"data,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// printRecord writes a run's record and returns the error its status
// stands for, so that the exit code follows the run. A record at 100 is
// no error. what names the run in that error; "" names it by its id.
func (a *app) printRecord(rec *codec.Record, what string) error {
	if a.asJSON {
		if err := printJSON(a.stdout, recordJSON(*rec)); err != nil {
			return err
		}
	} else if codec.IsSuccess(rec.Status) {
		if err := printData(a.stdout, rec.Data); err != nil {
			return err
		}
	} else if !rec.Final() {
		a.printf("run %s of %s: processing (status 100)\n", rec.ID, rec.TaskID)
	}
	if rec.Final() && !codec.IsSuccess(rec.Status) {
		if what == "" {
			what = fmt.Sprintf("run %s of %s", rec.ID, rec.TaskID)
		}
		return &runError{what: what, err: &natq.Error{Status: rec.Status, Message: rec.Error}}
	}
	return nil
}

// runError is a run that ended with a failing status, named for the
// error line.
type runError struct {
	what string
	err  *natq.Error
}

func (e *runError) Error() string {
	return fmt.Sprintf("%s: status %d: %s", e.what, e.err.Status, e.err.Message)
}

func (e *runError) Unwrap() error { return e.err }
