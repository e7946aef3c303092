package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/natq/natq-go/codec"
	"github.com/natq/natq-go/natq"
)

// statusLine is one line rewritten in place on a terminal. When off it
// writes nothing: no escape codes reach a file or a pipe.
type statusLine struct {
	w     io.Writer
	on    bool
	shown bool
}

func newStatusLine(w io.Writer, on bool) *statusLine {
	return &statusLine{w: w, on: on}
}

// show replaces the line with text.
func (s *statusLine) show(text string) {
	if !s.on {
		return
	}
	// Carriage return, then erase to the end of the line.
	// A terminal that fails to draw a status line loses nothing.
	_, _ = fmt.Fprintf(s.w, "\r\x1b[K%s", text)
	s.shown = true
}

// clear erases the line, so that what follows starts on a clean one.
func (s *statusLine) clear() {
	if s.shown {
		_, _ = fmt.Fprint(s.w, "\r\x1b[K")
		s.shown = false
	}
}

// watched is one step of a run's watch.
type watched struct {
	rec *codec.Record
	err error
}

// follow waits for a run's final record. While it waits, the status line
// says whether the run is queued or processing, and for how long; it is
// redrawn each second.
func follow(ctx context.Context, run *natq.Run[json.RawMessage], line *statusLine) (*codec.Record, error) {
	steps := make(chan watched)
	go func() {
		defer close(steps)
		// The watch ends after the final record or an error, each of
		// which is received below, so this never blocks for good.
		for rec, err := range run.Watch(ctx) {
			steps <- watched{rec, err}
		}
	}()
	// Return only once the watch has stopped: stopping it after the
	// connection is closed would leave the subscription's goroutine.
	defer func() {
		for range steps {
		}
	}()
	var tick <-chan time.Time
	if line.on {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		tick = t.C
	}
	start, state := time.Now(), "queued"
	for {
		line.show(fmt.Sprintf("run %s of %s: %s, %s", run.ID, run.TaskID, state,
			time.Since(start).Round(time.Second)))
		select {
		case step, ok := <-steps:
			if !ok {
				return nil, fmt.Errorf("run %s: the watch ended early", run.ID)
			}
			if step.err != nil {
				return nil, step.err
			}
			if step.rec.Final() {
				return step.rec, nil
			}
			state = "processing"
		case <-tick:
		}
	}
}
