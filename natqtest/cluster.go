package natqtest

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// ClusterSize is the number of nodes of a [Cluster]: the smallest cluster
// in which a replicated stream survives the loss of one node.
const ClusterSize = 3

// ClusterTimeout bounds how long [NewCluster], [Cluster.Restart] and the
// waits on cluster state may take. Elections in a JetStream cluster take
// seconds, and more on a slow CI machine.
const ClusterTimeout = 30 * time.Second

// clusterName is the name of every embedded cluster; clusters never meet,
// since each node routes only to its own siblings.
const clusterName = "natqtest"

// Cluster is an embedded three-node JetStream cluster on 127.0.0.1. Nodes
// are numbered 0 to [ClusterSize]-1; node i is named "n<i>" and carries
// the server tag "node:<i>", so that placement by tag can be tested.
// Every node keeps its client port, route port and store directory for
// the life of the cluster, so a stopped node that is restarted rejoins
// with its data, at the address clients already know.
//
// The methods of a Cluster are safe for concurrent use.
type Cluster struct {
	nodes []*clusterNode
}

// clusterNode is one node: its options, kept to restart it, and the
// running server, nil while the node is stopped.
type clusterNode struct {
	opts *server.Options
	url  string

	mu  sync.Mutex
	srv *server.Server
}

// NewCluster starts a three-node JetStream cluster on free ports of
// 127.0.0.1, each node with its store in its own temporary directory, and
// waits until the cluster has a JetStream meta leader that knows every
// node. Every node is shut down and the directories removed when the test
// ends.
func NewCluster(tb testing.TB) *Cluster {
	tb.Helper()
	ports, err := freePorts(2 * ClusterSize)
	if err != nil {
		tb.Fatalf("natqtest: cluster ports: %v", err)
	}
	routes := make([]string, ClusterSize)
	for i := range routes {
		routes[i] = fmt.Sprintf("nats://127.0.0.1:%d", ports[ClusterSize+i])
	}
	c := &Cluster{}
	for i := range ClusterSize {
		c.nodes = append(c.nodes, newClusterNode(i, ports[i], ports[ClusterSize+i], routes, tb.TempDir()))
	}
	// Registered after the TempDir cleanups, so it runs before them: the
	// servers let go of their files before the files are removed.
	tb.Cleanup(c.shutdown)
	for i, n := range c.nodes {
		if err := n.start(); err != nil {
			tb.Fatalf("natqtest: start node %d: %v", i, err)
		}
	}
	c.WaitReady(tb)
	return c
}

func newClusterNode(i, clientPort, routePort int, routes []string, dir string) *clusterNode {
	opts := &server.Options{
		ServerName: fmt.Sprintf("n%d", i),
		Host:       "127.0.0.1",
		Port:       clientPort,
		Cluster: server.ClusterOpts{
			Name: clusterName,
			Host: "127.0.0.1",
			Port: routePort,
		},
		// Every node lists every route, its own included: a server skips
		// the route to itself, and a restarted node finds its siblings.
		Routes:    server.RoutesFromStr(strings.Join(routes, ",")),
		JetStream: true,
		StoreDir:  dir,
		Tags:      []string{fmt.Sprintf("node:%d", i)},
		NoLog:     true,
		NoSigs:    true,
	}
	return &clusterNode{opts: opts, url: fmt.Sprintf("nats://127.0.0.1:%d", clientPort)}
}

// freePorts returns n distinct ports of 127.0.0.1 that were free a moment
// ago. They are held open together so that no two are the same, then
// released for the servers to bind.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer func() { _ = l.Close() }()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// start starts the node from a copy of its options: the server fills in
// the options it is given, and a restart must begin from the originals.
func (n *clusterNode) start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.srv != nil {
		return nil
	}
	srv, err := server.NewServer(n.opts.Clone())
	if err != nil {
		return fmt.Errorf("configure: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(StartTimeout) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return fmt.Errorf("not ready after %v (is port %d or %d taken?)",
			StartTimeout, n.opts.Port, n.opts.Cluster.Port)
	}
	n.srv = srv
	return nil
}

// stop shuts the node down and waits until it has stopped.
func (n *clusterNode) stop() {
	n.mu.Lock()
	srv := n.srv
	n.srv = nil
	n.mu.Unlock()
	if srv != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
	}
}

// server returns the running server, or nil while the node is stopped.
func (n *clusterNode) server() *server.Server {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.srv
}

// shutdown stops every node at once, so that no survivor spends the end
// of a test electing leaders.
func (c *Cluster) shutdown() {
	var wg sync.WaitGroup
	for _, n := range c.nodes {
		wg.Go(n.stop)
	}
	wg.Wait()
}

// Size returns the number of nodes, [ClusterSize].
func (c *Cluster) Size() int { return len(c.nodes) }

// URL returns the client URL of node i, nats://127.0.0.1:<port>. It stays
// the same across a stop and restart.
func (c *Cluster) URL(i int) string { return c.node(i).url }

// URLs returns the client URLs of every node, comma-separated, as
// [nats.Connect] takes them.
func (c *Cluster) URLs() string {
	urls := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		urls[i] = n.url
	}
	return strings.Join(urls, ",")
}

// Name returns the server name of node i, "n<i>", as
// [nats.Conn.ConnectedServerName] and JetStream's cluster info report it.
func (c *Cluster) Name(i int) string { return c.node(i).opts.ServerName }

// Running reports whether node i is running.
func (c *Cluster) Running(i int) bool { return c.node(i).server() != nil }

// NodeOf returns the index of the node nc is connected to, or -1 when nc
// is not connected to any node of the cluster.
func (c *Cluster) NodeOf(nc *nats.Conn) int {
	name := nc.ConnectedServerName()
	for i, n := range c.nodes {
		if n.opts.ServerName == name {
			return i
		}
	}
	return -1
}

func (c *Cluster) node(i int) *clusterNode {
	if i < 0 || i >= len(c.nodes) {
		panic(fmt.Sprintf("natqtest: no node %d in a cluster of %d", i, len(c.nodes)))
	}
	return c.nodes[i]
}

// Connect opens a connection to the cluster that is closed when the test
// ends. It is given every node's URL, so it can fail over to any of them;
// which node it connects to first is random, as in nats.Connect.
func (c *Cluster) Connect(tb testing.TB, opts ...nats.Option) *nats.Conn {
	tb.Helper()
	return connect(tb, c.URLs(), opts)
}

// ConnectTo opens a connection to node i that is closed when the test
// ends. The other nodes follow node i in its server list, so the
// connection fails over to them when node i stops.
func (c *Cluster) ConnectTo(tb testing.TB, i int, opts ...nats.Option) *nats.Conn {
	tb.Helper()
	urls := []string{c.URL(i)}
	for j := range c.nodes {
		if j != i {
			urls = append(urls, c.URL(j))
		}
	}
	opts = append([]nats.Option{nats.DontRandomize()}, opts...)
	nc := connect(tb, strings.Join(urls, ","), opts)
	if got := c.NodeOf(nc); got != i {
		tb.Fatalf("natqtest: connected to node %d, want %d", got, i)
	}
	return nc
}

func connect(tb testing.TB, urls string, opts []nats.Option) *nats.Conn {
	tb.Helper()
	nc, err := nats.Connect(urls, opts...)
	if err != nil {
		tb.Fatalf("natqtest: connect to %s: %v", urls, err)
	}
	tb.Cleanup(nc.Close)
	return nc
}
