package natq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"
)

// ensureConsumer opens the durable consumer of an async task, creating it
// with the protocol's settings and the task's ([WithAckWait],
// [WithMaxAckPending]) when it does not exist. A consumer a peer created is
// used as it is; where its settings differ from the task's, the difference
// is logged.
func ensureConsumer(
	ctx context.Context,
	js jetstream.JetStream,
	names Names,
	def *taskDef,
	log *slog.Logger,
) (jetstream.Consumer, error) {
	name := consumerName(def.id)
	cons, err := js.Consumer(ctx, names.Stream, name)
	if err == nil {
		noteConsumerDifferences(ctx, log, cons.CachedInfo().Config, def)
		return cons, nil
	}
	if !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, fmt.Errorf("natq: open consumer %s: %w", name, err)
	}
	cons, err = js.CreateConsumer(ctx, names.Stream, jetstream.ConsumerConfig{
		Durable:       name,
		FilterSubject: names.asyncSubject(def.id),
		AckPolicy:     jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckWait:       def.ackWait,
		MaxAckPending: def.maxAckPending,
	})
	if errors.Is(err, jetstream.ErrConsumerExists) {
		// A peer created it between our look and our create.
		cons, err = js.Consumer(ctx, names.Stream, name)
	}
	if err != nil {
		return nil, fmt.Errorf("natq: create consumer %s: %w", name, err)
	}
	return cons, nil
}

// noteConsumerDifferences logs the settings of an existing consumer that
// differ from what the task asks for.
func noteConsumerDifferences(ctx context.Context, log *slog.Logger, cfg jetstream.ConsumerConfig, def *taskDef) {
	if def.ackWait > 0 && cfg.AckWait != def.ackWait {
		log.WarnContext(ctx, "consumer exists with another ack wait; using it as it is",
			"consumer", cfg.Durable, "want", def.ackWait, "have", cfg.AckWait)
	}
	if def.maxAckPending > 0 && cfg.MaxAckPending != def.maxAckPending {
		log.WarnContext(ctx, "consumer exists with another max ack pending; using it as it is",
			"consumer", cfg.Durable, "want", def.maxAckPending, "have", cfg.MaxAckPending)
	}
}
