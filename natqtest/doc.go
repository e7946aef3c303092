// Package natqtest tests natq tasks in go test, against a real embedded
// nats-server with JetStream: no mocks of NATS, nothing to install.
//
// # Servers
//
// [NewServer] starts a server on a free port of 127.0.0.1 with its store in
// a temporary directory; both are gone when the test ends. [Start] adds a
// connection, a started worker and a client:
//
//	func TestGreet(t *testing.T) {
//		env := natqtest.Start(t, func(w *natq.Worker) {
//			natq.Handle(w, tasks.Greet, greet)
//		})
//		out := natqtest.Call(t, env.Client, tasks.Greet, tasks.GreetIn{Name: "Ada"})
//		if out.Message != "Hello, Ada" {
//			t.Errorf("got %q", out.Message)
//		}
//	}
//
// Every server is its own, so tests can run in parallel. Tests that share
// one server can give each worker and client its own [natq.Names].
//
// # Clusters
//
// [NewCluster] starts three JetStream nodes on 127.0.0.1, each with its
// own ports and store, and waits until they have elected a meta leader.
// [Cluster.Stop] and [Cluster.Restart] take a node down and bring it back
// on the same ports and store, so tests can prove what survives a node's
// loss; [Cluster.StreamLeader] and [Cluster.NodeOf] say which node to
// stop. [Cluster.URLs] lists every node for nats.Connect.
//
// # Producing
//
// [Call], [Enqueue] and [Wait] fail the test when the run fails; use the
// task's own methods with [RequireStatus] or [RequireError] to test a
// failure. Waits are bounded by [WaitTimeout].
//
// # Without a server
//
// [Invoke] and [InvokeJSON] run a handler in memory through the same steps
// a worker takes (envelope, validation, decoding, encoding) and return the
// status, data and error a producer would get.
//
// # Programs
//
// [StartServer] starts an embedded server outside a test, for examples and
// local development; the caller shuts it down.
package natqtest
