package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/natq/natq-go/natqtest"
	"github.com/spf13/cobra"
)

// devPort is the port natq dev listens on by default: NATS's own, so that
// the other commands find the server with no flag.
const devPort = 4222

func (a *app) devCommand() *cobra.Command {
	var store string
	var port int
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run a local NATS server with JetStream for development",
		Long: "dev runs an embedded NATS server with JetStream on 127.0.0.1 until\n" +
			"Ctrl-C. Its store survives restarts: streams, buckets and results are\n" +
			"still there the next time. Remove the store directory to start afresh.",
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if store == "" {
				dir, err := defaultStore()
				if err != nil {
					return err
				}
				store = dir
			}
			return a.dev(cmd, store, port)
		},
	}
	cmd.Flags().StringVar(&store, "store", "",
		"JetStream store directory (default: natq/dev in the user's cache directory)")
	cmd.Flags().IntVar(&port, "port", devPort, "client port on 127.0.0.1; 0 picks a free one")
	return cmd
}

// defaultStore is natq/dev under the user's cache directory.
func defaultStore() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find a store directory (use --store): %w", err)
	}
	return filepath.Join(cache, "natq", "dev"), nil
}

// dev serves until the command's context is cancelled.
func (a *app) dev(cmd *cobra.Command, store string, port int) error {
	if err := os.MkdirAll(store, 0o750); err != nil {
		return fmt.Errorf("create the store: %w", err)
	}
	srv, err := natqtest.StartServer(natqtest.ServerConfig{StoreDir: store, Port: port})
	if err != nil {
		return err
	}
	defer srv.Shutdown()
	if a.asJSON {
		if err := printJSON(a.stdout, map[string]string{"url": srv.URL(), "store": store}); err != nil {
			return err
		}
	} else {
		a.printf("NATS server with JetStream at %s\n", srv.URL())
		a.printf("store: %s (kept across restarts)\n", store)
		a.printf("in another terminal: export NATS_URL=%s\n", srv.URL())
		a.printf("press Ctrl-C to stop\n")
	}
	<-cmd.Context().Done()
	srv.Shutdown()
	if !a.asJSON {
		a.printf("stopped\n")
	}
	return nil
}
