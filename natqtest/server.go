package natqtest

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// StartTimeout bounds how long an embedded server may take to accept
// connections.
const StartTimeout = 10 * time.Second

// ServerConfig configures [StartServer].
type ServerConfig struct {
	// StoreDir is where JetStream keeps its files. When it is empty,
	// StartServer makes a temporary directory that Shutdown removes.
	// Otherwise the
	// caller owns the directory.
	StoreDir string
	// Port is the client port on 127.0.0.1. Zero picks a free one.
	Port int
}

// Server is an embedded nats-server with JetStream, listening on
// 127.0.0.1 only.
type Server struct {
	mu  sync.Mutex
	srv *server.Server
	cfg ServerConfig
	// tempDir is the store StartServer made, removed by Shutdown.
	tempDir string
}

// StartServer starts an embedded nats-server with JetStream and waits until
// it accepts connections. Stop it with [Server.Shutdown]. Tests use
// [NewServer], which also cleans up; StartServer is for programs such as
// examples and development tools.
func StartServer(cfg ServerConfig) (*Server, error) {
	tempDir := ""
	if cfg.StoreDir == "" {
		dir, err := os.MkdirTemp("", "natq-server-")
		if err != nil {
			return nil, fmt.Errorf("natqtest: store dir: %w", err)
		}
		cfg.StoreDir, tempDir = dir, dir
	}
	srv, err := startServer(cfg)
	if err != nil {
		_ = os.RemoveAll(tempDir)
		return nil, err
	}
	// A restart must come back on the same port, where clients reconnect.
	cfg.Port = srv.Addr().(*net.TCPAddr).Port
	return &Server{srv: srv, cfg: cfg, tempDir: tempDir}, nil
}

func startServer(cfg ServerConfig) (*server.Server, error) {
	port := cfg.Port
	if port == 0 {
		port = server.RANDOM_PORT
	} else if err := portFree(port); err != nil {
		return nil, err
	}
	srv, err := server.NewServer(&server.Options{
		Host:      "127.0.0.1",
		Port:      port,
		JetStream: true,
		StoreDir:  cfg.StoreDir,
		NoLog:     true,
		NoSigs:    true,
	})
	if err != nil {
		return nil, fmt.Errorf("natqtest: configure server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(StartTimeout) {
		srv.Shutdown()
		return nil, fmt.Errorf("natqtest: server not ready after %v", StartTimeout)
	}
	return srv, nil
}

// portFree reports a clear error when a chosen port is taken; the server
// itself would only fail to become ready.
func portFree(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("natqtest: port %d on 127.0.0.1 is not free: %w", port, err)
	}
	return l.Close()
}

// NewServer starts an embedded nats-server with JetStream on a free port of
// 127.0.0.1, its store in a temporary directory. The server is shut down
// and the directory removed when the test ends.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	s, err := StartServer(ServerConfig{StoreDir: tb.TempDir()})
	if err != nil {
		tb.Fatalf("%v", err)
	}
	// Registered after TempDir's own cleanup, so it runs first: the server
	// lets go of its files before they are removed.
	tb.Cleanup(s.Shutdown)
	return s
}

// URL returns the client URL, nats://127.0.0.1:<port>.
func (s *Server) URL() string {
	return fmt.Sprintf("nats://127.0.0.1:%d", s.cfg.Port)
}

// Shutdown stops the server and waits until it has stopped. It is safe to
// call more than once.
func (s *Server) Shutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
	if s.tempDir != "" {
		_ = os.RemoveAll(s.tempDir)
	}
}

// Restart shuts the server down and starts it again on the same port with
// the same store, as after a crash or an upgrade: what JetStream had
// stored is still there, and clients with reconnection enabled (nats.go's
// default) come back by themselves.
func (s *Server) Restart() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
	srv, err := startServer(s.cfg)
	if err != nil {
		return err
	}
	s.srv = srv
	return nil
}

// Connect opens a connection to the server that is closed when the test
// ends.
func (s *Server) Connect(tb testing.TB, opts ...nats.Option) *nats.Conn {
	tb.Helper()
	nc, err := nats.Connect(s.URL(), opts...)
	if err != nil {
		tb.Fatalf("natqtest: connect to %s: %v", s.URL(), err)
	}
	tb.Cleanup(nc.Close)
	return nc
}
