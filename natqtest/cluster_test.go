package natqtest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestClusterURLs(t *testing.T) {
	t.Parallel()
	c := natqtest.NewCluster(t)

	urls := strings.Split(c.URLs(), ",")
	if len(urls) != natqtest.ClusterSize || c.Size() != natqtest.ClusterSize {
		t.Fatalf("got %d URLs for %d nodes, want %d", len(urls), c.Size(), natqtest.ClusterSize)
	}
	seen := map[string]bool{}
	for i, u := range urls {
		if u != c.URL(i) || !strings.HasPrefix(u, "nats://127.0.0.1:") || seen[u] {
			t.Errorf("URL %d is %q (node URL %q); want a distinct 127.0.0.1 URL", i, u, c.URL(i))
		}
		seen[u] = true
	}
	for i := range c.Size() {
		nc := c.ConnectTo(t, i)
		if got := c.NodeOf(nc); got != i {
			t.Errorf("ConnectTo(%d) is on node %d", i, got)
		}
		if got := nc.ConnectedServerName(); got != c.Name(i) {
			t.Errorf("node %d is named %q, want %q", i, got, c.Name(i))
		}
	}
	if nc := c.Connect(t); c.NodeOf(nc) < 0 {
		t.Errorf("Connect is on no node of the cluster (%s)", nc.ConnectedServerName())
	}
}

// A replicated stream keeps its messages and takes writes while its
// leader is stopped, and the stopped node comes back with its data.
func TestClusterStopRestart(t *testing.T) {
	t.Parallel()
	c := natqtest.NewCluster(t)
	nc := c.Connect(t)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), natqtest.ClusterTimeout)
	defer cancel()
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{
		Name: "replicated", Subjects: []string{"replicated.>"}, Replicas: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateConsumer(ctx, jetstream.ConsumerConfig{Durable: "reader"}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "replicated.a", []byte("before")); err != nil {
		t.Fatal(err)
	}

	leader := c.StreamLeader(t, "replicated")
	c.Stop(t, leader)
	if c.Running(leader) {
		t.Fatalf("node %d runs after Stop", leader)
	}
	if next := c.StreamLeader(t, "replicated"); next == leader {
		t.Fatalf("stopped node %d still leads the stream", leader)
	}
	if next := c.ConsumerLeader(t, "replicated", "reader"); next == leader {
		t.Fatalf("stopped node %d still leads the consumer", leader)
	}
	if next := c.MetaLeader(t); next == leader {
		t.Fatalf("stopped node %d still leads the meta group", leader)
	}
	publishRetrying(ctx, t, js, "replicated.a", "during")

	c.Restart(t, leader)
	c.WaitStreamCurrent(t, "replicated")
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 2 || !allOnline(info.Cluster) {
		t.Errorf("after the restart: %d messages, cluster %+v; want 2 on three replicas",
			info.State.Msgs, info.Cluster)
	}
	// The restarted node serves clients at its old address.
	back := connectTo(t, c.URL(leader))
	if got := c.NodeOf(back); got != leader {
		t.Fatalf("connected to node %d, want %d", got, leader)
	}
}

// Misuse of Stop and Restart fails the test with a clear message.
func TestClusterMisuse(t *testing.T) {
	t.Parallel()
	c := natqtest.NewCluster(t)
	r := &recorder{TB: t}
	c.Restart(r, 0)
	if want := "natqtest: node 0 is running"; r.failed != want {
		t.Errorf("restart of a running node: got failure %q, want %q", r.failed, want)
	}
	c.Stop(t, 0)
	r = &recorder{TB: t}
	c.Stop(r, 0)
	if want := "natqtest: node 0 is already stopped"; r.failed != want {
		t.Errorf("second stop: got failure %q, want %q", r.failed, want)
	}
	if got := c.NodeOf(&nats.Conn{}); got != -1 {
		t.Errorf("NodeOf an unconnected connection: got %d, want -1", got)
	}
}

// publishRetrying publishes until the stream accepts the message: right
// after a node stops, a publish may meet the election of a new leader.
func publishRetrying(ctx context.Context, t *testing.T, js jetstream.JetStream, subject, data string) {
	t.Helper()
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := js.Publish(attempt, subject, []byte(data), jetstream.WithMsgID(data))
		cancel()
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("publish %s: %v", data, err)
		}
	}
}

// allOnline reports whether a stream has a leader and all its replicas
// are online. (Whether a replica is current is the node's to say; see
// Cluster.WaitStreamCurrent.)
func allOnline(ci *jetstream.ClusterInfo) bool {
	if ci == nil || ci.Leader == "" || len(ci.Replicas) != natqtest.ClusterSize-1 {
		return false
	}
	for _, r := range ci.Replicas {
		if r.Offline {
			return false
		}
	}
	return true
}

func connectTo(t *testing.T, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url, nats.DontRandomize(), nats.NoReconnect())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}
