package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/nats-io/nats.go"
)

// AddIn and AddOut are the sync task's types, as in the conformance set.
type AddIn struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

// AddOut is the sum.
type AddOut struct {
	Sum float64 `json:"sum"`
}

var benchAdd = natq.NewTask[AddIn, AddOut]("bench-add", natq.Sync)

const rawAddSubject = "bench.raw.add"

// benchSync measures the raw responder and natq at each number of
// callers, alternating them round by round.
func (r *runner) benchSync(ctx context.Context) error {
	for _, callers := range syncCallers {
		row := syncRow{callers: callers}
		var raws, natqs []syncResult
		for round := range r.cfg.Rounds {
			label := fmt.Sprintf("sync raw, %d callers, round %d", callers, round+1)
			res, err := r.measureSync(ctx, label, callers, startRawResponder, rawCall)
			if err != nil {
				return err
			}
			raws = append(raws, res)
			label = fmt.Sprintf("sync natq, %d callers, round %d", callers, round+1)
			if res, err = r.measureSync(ctx, label, callers, startNatqResponder, natqCall); err != nil {
				return err
			}
			natqs = append(natqs, res)
		}
		perSec := func(s syncResult) float64 { return s.perSec }
		row.raw, row.natq = median(raws, perSec), median(natqs, perSec)
		r.report.sync = append(r.report.sync, row)
	}
	return nil
}

// startRawResponder is the hand-written worker: one queue subscription
// that decodes, adds, and replies with the protocol's headers.
func startRawResponder(nc *nats.Conn) (func(), error) {
	sub, err := nc.QueueSubscribe(rawAddSubject, "raw", func(m *nats.Msg) {
		var in AddIn
		reply := nats.NewMsg(m.Reply)
		if err := json.Unmarshal(m.Data, &in); err != nil {
			reply.Header.Set("status", "406")
			reply.Header.Set("error", "Invalid JSON input")
		} else {
			reply.Header.Set("status", "200")
			reply.Data, _ = json.Marshal(AddOut{Sum: in.A + in.B})
		}
		_ = m.RespondMsg(reply)
	})
	if err != nil {
		return nil, err
	}
	return func() { _ = sub.Drain() }, nc.Flush()
}

// startNatqResponder is a natq worker serving the same task.
func startNatqResponder(nc *nats.Conn) (func(), error) {
	w, err := natq.NewWorker(nc)
	if err != nil {
		return nil, err
	}
	natq.Handle(w, benchAdd, func(_ context.Context, in AddIn) (AddOut, error) {
		return AddOut{Sum: in.A + in.B}, nil
	})
	if err := w.Start(context.Background()); err != nil {
		return nil, err
	}
	return func() { _ = w.Stop(context.Background()) }, nil
}

// A caller makes one call; it returns an error when the reply is wrong.
type caller func(ctx context.Context, nc *nats.Conn, c *natq.Client, n int) error

func rawCall(ctx context.Context, nc *nats.Conn, _ *natq.Client, n int) error {
	body, _ := json.Marshal(AddIn{A: float64(n), B: 1})
	m, err := nc.RequestWithContext(ctx, rawAddSubject, body)
	if err != nil {
		return err
	}
	var out AddOut
	if m.Header.Get("status") != "200" || json.Unmarshal(m.Data, &out) != nil || out.Sum != float64(n+1) {
		return fmt.Errorf("bad reply %q %s", m.Header.Get("status"), m.Data)
	}
	return nil
}

func natqCall(ctx context.Context, _ *nats.Conn, c *natq.Client, n int) error {
	out, err := benchAdd.Call(ctx, c, AddIn{A: float64(n), B: 1})
	if err != nil {
		return err
	}
	if out.Sum != float64(n+1) {
		return fmt.Errorf("got sum %v, want %d", out.Sum, n+1)
	}
	return nil
}

// measureSync starts a responder on its own connection and runs callers
// on another for the configured duration.
func (r *runner) measureSync(
	ctx context.Context,
	label string,
	callers int,
	start func(*nats.Conn) (func(), error),
	call caller,
) (syncResult, error) {
	wnc, err := r.connect("bench-worker")
	if err != nil {
		return syncResult{}, err
	}
	defer wnc.Close()
	stop, err := start(wnc)
	if err != nil {
		return syncResult{}, err
	}
	defer stop()
	pnc, err := r.connect("bench-producer")
	if err != nil {
		return syncResult{}, err
	}
	defer pnc.Close()
	client, err := natq.NewClient(pnc)
	if err != nil {
		return syncResult{}, err
	}

	runCtx, cancel := context.WithTimeout(ctx, r.cfg.Duration)
	defer cancel()
	began := time.Now()
	bar := r.startProgress(label, func() float64 {
		return float64(time.Since(began)) / float64(r.cfg.Duration)
	})
	var (
		mu      sync.Mutex
		all     latencies
		calls   atomic.Int64
		failure atomic.Value
		wg      sync.WaitGroup
	)
	for g := range callers {
		wg.Go(func() {
			var mine latencies
			for n := g; runCtx.Err() == nil; n += callers {
				t0 := time.Now()
				callCtx, cancelCall := context.WithTimeout(ctx, 5*time.Second)
				err := call(callCtx, pnc, client, n)
				cancelCall()
				if err != nil {
					failure.CompareAndSwap(nil, err)
					return
				}
				mine = append(mine, time.Since(t0))
				calls.Add(1)
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	bar.end()
	if err, _ := failure.Load().(error); err != nil {
		return syncResult{}, fmt.Errorf("%s: %w", label, err)
	}
	if err := ctx.Err(); err != nil { // cut short: the figures mean nothing
		return syncResult{}, fmt.Errorf("%s: %w", label, err)
	}
	return syncResult{
		perSec: float64(calls.Load()) / elapsed.Seconds(),
		p50:    all.percentile(0.50),
		p99:    all.percentile(0.99),
	}, nil
}
