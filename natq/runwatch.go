package natq

import (
	"context"
	"fmt"

	"github.com/natq/natq-go/codec"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// runWatch follows one run's record: a KV watch, and for a run whose
// result is dropped on success, a tap on the record's subject.
//
// The tap is there because a KV watch can miss a record. The results
// bucket keeps one record per run, and the server skips a record that is
// replaced before the watch's consumer has sent it; under load a waiter
// may then see the deletion of a dropped result and never the success. A
// plain subscription on the record's subject receives every write, in
// order, whatever the bucket keeps.
type runWatch struct {
	kv  jetstream.KeyWatcher
	tap *nats.Subscription // nil unless the result is dropped on success
	// nc and subject explain a wait that times out because the server
	// refused the watch (see explain).
	nc      *nats.Conn
	subject string
}

// watchRun starts watching a run's record; with tap, also its subject.
func (c *Client) watchRun(ctx context.Context, taskID, runID string, tap bool) (*runWatch, error) {
	kv, err := c.resultsBucket(ctx)
	if err != nil {
		return nil, err
	}
	key := codec.ResultKey(taskID, runID)
	rw := &runWatch{nc: c.nc, subject: kvSubject(c.cfg.names.ResultsBucket, key)}
	if tap {
		// Best effort: a producer that may not subscribe to the bucket's
		// subjects still has the KV watch.
		rw.tap, _ = c.nc.SubscribeSync(rw.subject)
	}
	// The watch outlives ctx when Enqueue starts it for Wait.
	if rw.kv, err = kv.Watch(context.WithoutCancel(ctx), key); err != nil {
		rw.stop()
		err = explain(c.nc, err, rw.subject)
		return nil, fmt.Errorf("natq: watch run %s: %w", runID, transportError(err))
	}
	return rw, nil
}

func (rw *runWatch) stop() {
	if rw.kv != nil {
		_ = rw.kv.Stop()
	}
	if rw.tap != nil {
		_ = rw.tap.Unsubscribe()
	}
}

// next reads the run's next record. A deletion ends the run: it is a
// success whose result was dropped, returned from the tap when the watch
// missed it, else [ErrResultDropped].
func (rw *runWatch) next(ctx context.Context, runID string) (*codec.Record, error) {
	for {
		select {
		case <-ctx.Done():
			err := explain(rw.nc, ctx.Err(), rw.subject)
			return nil, fmt.Errorf("natq: wait for run %s: %w", runID, transportError(err))
		case e, ok := <-rw.kv.Updates():
			if !ok {
				return nil, fmt.Errorf("natq: wait for run %s: watcher closed", runID)
			}
			if e == nil {
				continue // the end of the key's current values
			}
			if e.Operation() != jetstream.KeyValuePut {
				if rec := rw.tapped(); rec != nil {
					return rec, nil
				}
				return nil, fmt.Errorf("natq: run %s: %w", runID, ErrResultDropped)
			}
			rec, err := codec.DecodeRecord(e.Value())
			if err != nil {
				return nil, fmt.Errorf("natq: run %s: %w", runID, err)
			}
			return rec, nil
		}
	}
}

// tapped returns the last final record the tap has received, if any. A
// message reaches the tap as the server routes it, before the watch can
// deliver any later write, so when the watch shows the deletion every
// record written before it is already waiting here.
func (rw *runWatch) tapped() *codec.Record {
	if rw.tap == nil {
		return nil
	}
	var last *codec.Record
	for {
		m, err := rw.tap.NextMsg(0)
		if err != nil {
			return last
		}
		if op := m.Header.Get("KV-Operation"); op != "" {
			continue // the deletion itself
		}
		if rec, err := codec.DecodeRecord(m.Data); err == nil && rec.Final() {
			last = rec
		}
	}
}
