package natq

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// fakeWatcher is a KV watch that delivers what the test puts in it.
type fakeWatcher struct{ ch chan jetstream.KeyValueEntry }

func (f fakeWatcher) Updates() <-chan jetstream.KeyValueEntry { return f.ch }
func (f fakeWatcher) Stop() error                             { return nil }

// deletion is a KV entry that says the key was deleted.
type deletion struct{ jetstream.KeyValueEntry }

func (deletion) Operation() jetstream.KeyValueOp { return jetstream.KeyValueDelete }

// When the KV watch misses a dropped run's success and sees only the
// deletion, the tap still has the success.
func TestRunWatchTapHasTheMissedSuccess(t *testing.T) {
	t.Parallel()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)

	tests := []struct {
		name    string
		written []string // records written, in order, before the deletion
		tap     bool
		want    int // the status returned, or 0 for ErrResultDropped
	}{
		{"tap has the success", []string{`{"id":"r","taskId":"t","status":100}`, `{"id":"r","taskId":"t","status":200,"data":1}`}, true, 200},
		{"tap has only the 100", []string{`{"id":"r","taskId":"t","status":100}`}, true, 0},
		{"no tap", []string{`{"id":"r","taskId":"t","status":200}`}, false, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject := fmt.Sprintf("$KV.results.t.r%d", i)
			rw := &runWatch{kv: fakeWatcher{ch: make(chan jetstream.KeyValueEntry, 1)}}
			if tt.tap {
				if rw.tap, err = nc.SubscribeSync(subject); err != nil {
					t.Fatal(err)
				}
			}
			defer rw.stop()
			for _, rec := range tt.written {
				if err := nc.Publish(subject, []byte(rec)); err != nil {
					t.Fatal(err)
				}
			}
			del := &nats.Msg{Subject: subject, Header: nats.Header{"KV-Operation": {"DEL"}}}
			if err := nc.PublishMsg(del); err != nil {
				t.Fatal(err)
			}
			// The server answers the flush after it has sent this
			// connection everything published before it.
			if err := nc.Flush(); err != nil {
				t.Fatal(err)
			}
			rw.kv.(fakeWatcher).ch <- deletion{}

			rec, err := rw.next(context.Background(), "r")
			if tt.want == 0 {
				if !errors.Is(err, ErrResultDropped) {
					t.Errorf("got %+v, %v; want ErrResultDropped", rec, err)
				}
				return
			}
			if err != nil || rec.Status != tt.want {
				t.Errorf("got %+v, %v; want status %d", rec, err, tt.want)
			}
		})
	}
}
