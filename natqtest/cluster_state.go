package natqtest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// pollInterval spaces the looks at cluster state in the waits below. The
// server raises no event when an election ends, so they poll, within
// [ClusterTimeout].
const pollInterval = 10 * time.Millisecond

// Stop shuts node i down and waits until it has stopped. The shutdown is
// clean: the node hands the leadership of its streams and consumers to a
// sibling before it goes, as a node being restarted by an operator does.
// Its store is kept for [Cluster.Restart].
func (c *Cluster) Stop(tb testing.TB, i int) {
	tb.Helper()
	n := c.node(i)
	if n.server() == nil {
		tb.Fatalf("natqtest: node %d is already stopped", i)
	}
	n.stop()
}

// Restart starts the stopped node i again, on its ports and with its
// store, and waits until the cluster is ready again ([Cluster.WaitReady]).
// It fails the test if another program took one of the node's ports while
// it was stopped.
func (c *Cluster) Restart(tb testing.TB, i int) {
	tb.Helper()
	n := c.node(i)
	if n.server() != nil {
		tb.Fatalf("natqtest: node %d is running", i)
	}
	if err := n.start(); err != nil {
		tb.Fatalf("natqtest: restart node %d: %v", i, err)
	}
	c.WaitReady(tb)
}

// WaitReady waits up to [ClusterTimeout] until the running nodes have a
// JetStream meta leader, the leader counts every running node as a peer,
// and every running node is current with the leader. Objects created
// after it returns can be placed on any running node.
func (c *Cluster) WaitReady(tb testing.TB) {
	tb.Helper()
	var why string
	ok := poll(func() bool {
		why = c.notReady()
		return why == ""
	})
	if !ok {
		tb.Fatalf("natqtest: cluster not ready after %v: %s", ClusterTimeout, why)
	}
}

// notReady says why the cluster is not ready, or "" when it is.
func (c *Cluster) notReady() string {
	var running []string
	var leader *server.Server
	for i, n := range c.nodes {
		srv := n.server()
		if srv == nil {
			continue
		}
		running = append(running, c.Name(i))
		if !srv.JetStreamIsCurrent() {
			return fmt.Sprintf("node %d is not current", i)
		}
		if srv.JetStreamIsLeader() {
			leader = srv
		}
	}
	if leader == nil {
		return "no meta leader"
	}
	peers := leader.JetStreamClusterPeers()
	for _, name := range running {
		if !slices.Contains(peers, name) {
			return fmt.Sprintf("the meta leader does not count %s yet (peers %v)", name, peers)
		}
	}
	return ""
}

// WaitStreamCurrent waits up to [ClusterTimeout] until, for each stream,
// every running node that holds a replica of it has caught up with its
// leader. After a restart, wait for it before stopping another node, so
// that the replicas left running are up to date. A KV bucket's stream is
// "KV_<bucket>".
func (c *Cluster) WaitStreamCurrent(tb testing.TB, streams ...string) {
	tb.Helper()
	var why string
	ok := poll(func() bool {
		why = c.streamsBehind(streams)
		return why == ""
	})
	if !ok {
		tb.Fatalf("natqtest: streams not current after %v: %s", ClusterTimeout, why)
	}
}

// streamsBehind says which stream has a replica behind, or "" when none.
func (c *Cluster) streamsBehind(streams []string) string {
	const acc = server.DEFAULT_GLOBAL_ACCOUNT
	for _, stream := range streams {
		held := false
		for i, n := range c.nodes {
			srv := n.server()
			if srv == nil || !srv.JetStreamIsStreamAssigned(acc, stream) {
				continue
			}
			held = true
			if !srv.JetStreamIsStreamCurrent(acc, stream) {
				return fmt.Sprintf("node %d is behind on stream %s", i, stream)
			}
		}
		if !held {
			return fmt.Sprintf("no running node holds stream %s", stream)
		}
	}
	return ""
}

// MetaLeader waits up to [ClusterTimeout] for a JetStream meta leader and
// returns its node.
func (c *Cluster) MetaLeader(tb testing.TB) int {
	tb.Helper()
	return c.leader(tb, "the meta group", (*server.Server).JetStreamIsLeader)
}

// StreamLeader waits up to [ClusterTimeout] until one running node leads
// the stream and returns that node. The stream is looked up in the
// default account, the one every connection to an embedded cluster uses.
// A KV bucket's stream is "KV_<bucket>".
func (c *Cluster) StreamLeader(tb testing.TB, stream string) int {
	tb.Helper()
	return c.leader(tb, "stream "+stream, func(srv *server.Server) bool {
		return srv.JetStreamIsStreamLeader(server.DEFAULT_GLOBAL_ACCOUNT, stream)
	})
}

// ConsumerLeader is [Cluster.StreamLeader] for a consumer of a stream.
func (c *Cluster) ConsumerLeader(tb testing.TB, stream, consumer string) int {
	tb.Helper()
	return c.leader(tb, "consumer "+consumer, func(srv *server.Server) bool {
		return srv.JetStreamIsConsumerLeader(server.DEFAULT_GLOBAL_ACCOUNT, stream, consumer)
	})
}

func (c *Cluster) leader(tb testing.TB, what string, leads func(*server.Server) bool) int {
	tb.Helper()
	found := -1
	ok := poll(func() bool {
		for i, n := range c.nodes {
			if srv := n.server(); srv != nil && leads(srv) {
				found = i
				return true
			}
		}
		return false
	})
	if !ok {
		tb.Fatalf("natqtest: no leader of %s after %v", what, ClusterTimeout)
	}
	return found
}

// poll calls cond every pollInterval until it holds or ClusterTimeout has
// passed, and reports whether it held.
func poll(cond func() bool) bool {
	deadline := time.Now().Add(ClusterTimeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pollInterval)
	}
}
