package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"
)

// DelayIn is the async task's input, as e2e-delay with no delay.
type DelayIn struct {
	DelayMs float64 `json:"delayMs,omitempty" jsonschema:"minimum=0"`
}

// DelayOut is its output.
type DelayOut struct {
	Delayed bool `json:"delayed"`
}

var benchJob = natq.NewTask[DelayIn, DelayOut]("bench-job", natq.Async)

// Names of the hand-written async worker's objects.
const (
	rawStream   = "bench_raw_jobs"
	rawSubject  = "bench.rawjob.add"
	rawBucket   = "bench_raw_results"
	rawConsumer = "bench_raw_worker"
	rawHandlers = 64
)

// benchAsync measures the raw consumer and natq, alternating them round
// by round.
func (r *runner) benchAsync(ctx context.Context) error {
	nc, err := r.connect("bench-setup")
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	if err := setupRaw(ctx, js); err != nil {
		return err
	}
	if err := setupNatq(nc); err != nil {
		return err
	}
	var raws, natqs []float64
	for round := range r.cfg.Rounds {
		label := fmt.Sprintf("async raw, %d jobs, round %d", r.cfg.Jobs, round+1)
		rate, err := r.measureAsync(ctx, js, label, rawStream, rawConsumer, rawSubject, startRawWorker)
		if err != nil {
			return err
		}
		raws = append(raws, rate)
		label = fmt.Sprintf("async natq, %d jobs, round %d", r.cfg.Jobs, round+1)
		rate, err = r.measureAsync(ctx, js, label, natq.DefaultNames.Stream,
			"natq_worker_"+benchJob.ID(), natq.DefaultNames.AsyncPrefix+"."+benchJob.ID(), startNatqWorker)
		if err != nil {
			return err
		}
		natqs = append(natqs, rate)
	}
	self := func(f float64) float64 { return f }
	r.report.async = append(r.report.async, asyncRow{
		jobs: r.cfg.Jobs, raw: median(raws, self), natq: median(natqs, self),
	})
	return nil
}

// setupRaw creates the hand-written worker's stream, consumer and bucket
// with the protocol's settings.
func setupRaw(ctx context.Context, js jetstream.JetStream) error {
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: rawStream, Subjects: []string{rawSubject}, Retention: jetstream.WorkQueuePolicy,
		Discard: jetstream.DiscardNew, Storage: jetstream.FileStorage,
	}); err != nil {
		return fmt.Errorf("raw stream: %w", err)
	}
	if _, err := js.CreateOrUpdateConsumer(ctx, rawStream, jetstream.ConsumerConfig{
		Durable: rawConsumer, AckPolicy: jetstream.AckExplicitPolicy,
	}); err != nil {
		return fmt.Errorf("raw consumer: %w", err)
	}
	if _, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: rawBucket, History: 1}); err != nil {
		return fmt.Errorf("raw bucket: %w", err)
	}
	return nil
}

// setupNatq lets a natq worker provision its objects once, so that jobs
// can be queued before the measured worker starts.
func setupNatq(nc *nats.Conn) error {
	stop, err := startNatqWorker(nc)
	if err != nil {
		return err
	}
	stop()
	return nil
}

// startRawWorker is the hand-written async worker: 64 handlers that each
// write the 100 record, run a no-op, write the final record (both writes
// awaited) and acknowledge.
func startRawWorker(nc *nats.Conn) (func(), error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	kv, err := js.KeyValue(ctx, rawBucket)
	if err != nil {
		return nil, err
	}
	cons, err := js.Consumer(ctx, rawStream, rawConsumer)
	if err != nil {
		return nil, err
	}
	jobs := make(chan jetstream.Msg)
	for range rawHandlers {
		go func() {
			for msg := range jobs {
				rawProcess(ctx, kv, msg)
			}
		}()
	}
	cc, err := cons.Consume(func(msg jetstream.Msg) { jobs <- msg })
	if err != nil {
		return nil, err
	}
	return func() {
		cc.Drain()
		<-cc.Closed()
		close(jobs)
	}, nil
}

func rawProcess(ctx context.Context, kv jetstream.KeyValue, msg jetstream.Msg) {
	var in struct {
		RunID   string  `json:"runId"`
		DelayMs float64 `json:"delayMs"`
	}
	if err := json.Unmarshal(msg.Data(), &in); err != nil {
		_ = msg.Term()
		return
	}
	key := "bench-raw." + in.RunID
	rec, _ := json.Marshal(map[string]any{"id": in.RunID, "taskId": "bench-raw", "status": 100})
	if _, err := kv.Put(ctx, key, rec); err != nil {
		_ = msg.NakWithDelay(5 * time.Second)
		return
	}
	rec, _ = json.Marshal(map[string]any{
		"id": in.RunID, "taskId": "bench-raw", "status": 200, "data": DelayOut{Delayed: true},
	})
	if _, err := kv.Put(ctx, key, rec); err != nil {
		_ = msg.NakWithDelay(5 * time.Second)
		return
	}
	_ = msg.Ack()
}

// startNatqWorker is a natq worker at its default settings.
func startNatqWorker(nc *nats.Conn) (func(), error) {
	w, err := natq.NewWorker(nc)
	if err != nil {
		return nil, err
	}
	natq.Handle(w, benchJob, func(context.Context, DelayIn) (DelayOut, error) {
		return DelayOut{Delayed: true}, nil
	})
	if err := w.Start(context.Background()); err != nil {
		return nil, err
	}
	return func() { _ = w.Stop(context.Background()) }, nil
}

// measureAsync queues the configured number of jobs, then starts a worker
// and times it until the consumer has nothing pending and nothing
// unacknowledged.
func (r *runner) measureAsync(
	ctx context.Context,
	js jetstream.JetStream,
	label, stream, consumer, subject string,
	start func(*nats.Conn) (func(), error),
) (float64, error) {
	jobs := int64(r.cfg.Jobs)
	if err := queue(ctx, js, subject, r.cfg.Jobs); err != nil {
		return 0, err
	}
	cons, err := js.Consumer(ctx, stream, consumer)
	if err != nil {
		return 0, err
	}
	wnc, err := r.connect("bench-worker")
	if err != nil {
		return 0, err
	}
	defer wnc.Close()
	var done atomic.Int64
	bar := r.startProgress(label, func() float64 { return float64(done.Load()) / float64(jobs) })
	defer bar.end()
	began := time.Now()
	stop, err := start(wnc)
	if err != nil {
		return 0, err
	}
	defer stop()
	for {
		info, err := cons.Info(ctx)
		if err != nil {
			return 0, err
		}
		left := info.NumPending + uint64(info.NumAckPending)
		done.Store(jobs - int64(left))
		if left == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(began)
	bar.end()
	return float64(jobs) / elapsed.Seconds(), nil
}

// queue publishes n jobs, pipelined, and waits until the stream has them.
func queue(ctx context.Context, js jetstream.JetStream, subject string, n int) error {
	for i := 0; i < n; {
		id := ulid.Make().String()
		body := []byte(`{"runId":"` + id + `","delayMs":0}`)
		_, err := js.PublishAsync(subject, body, jetstream.WithMsgID(id))
		switch {
		case errors.Is(err, jetstream.ErrTooManyStalledMsgs):
			// A busy machine: let the server catch up, then go on.
			if err := published(ctx, js, n); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("queue job %d: %w", i, err)
		default:
			i++
		}
	}
	return published(ctx, js, n)
}

// published waits until the server has acknowledged every job sent.
func published(ctx context.Context, js jetstream.JetStream, n int) error {
	select {
	case <-js.PublishAsyncComplete():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Minute):
		return fmt.Errorf("queue %d jobs: not acknowledged within a minute", n)
	}
}
