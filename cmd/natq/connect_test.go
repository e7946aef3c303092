package main

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConnFlagsFallBackOnTheEnvironment(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"NATS_URL": "nats://127.0.0.1:5222", "NATS_CREDS": "env.creds", "NATS_USER": "env-user",
		"NATS_PASSWORD": "env-pass", "NATS_TOKEN": "env-token", "NATS_CERT": "env.crt",
		"NATS_KEY": "env.key", "NATS_CA": "env-ca.crt",
	}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name  string
		flags connFlags
		env   func(string) string
		want  connFlags
	}{
		{"defaults", connFlags{}, func(string) string { return "" }, connFlags{server: "nats://127.0.0.1:4222"}},
		{"environment", connFlags{}, getenv, connFlags{
			server: "nats://127.0.0.1:5222", creds: "env.creds", user: "env-user", password: "env-pass",
			token: "env-token", tlsCert: "env.crt", tlsKey: "env.key", tlsCA: "env-ca.crt",
		}},
		{"flags win", connFlags{server: "nats://127.0.0.1:6222", user: "flag-user"}, getenv, connFlags{
			server: "nats://127.0.0.1:6222", creds: "env.creds", user: "flag-user", password: "env-pass",
			token: "env-token", tlsCert: "env.crt", tlsKey: "env.key", tlsCA: "env-ca.crt",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.flags.resolve(tt.env)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(connFlags{})); diff != "" {
				t.Errorf("resolved flags (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConnFlagsOptions(t *testing.T) {
	t.Parallel()
	if _, err := (connFlags{tlsCert: "a.crt"}).options(); !errors.As(err, &usageError{}) {
		t.Errorf("a certificate without a key: got %v, want a usage error", err)
	}
	opts, err := (connFlags{creds: "c", user: "u", password: "p", token: "t", tlsCert: "a", tlsKey: "b", tlsCA: "c"}).options()
	if err != nil || len(opts) != 6 {
		t.Errorf("got %d options, %v; want 6", len(opts), err)
	}
}

// A server that is not there is a plain error, exit 1.
func TestConnectFails(t *testing.T) {
	t.Parallel()
	o := runCLI(t.Context(), t, "", nil, "-s", "nats://127.0.0.1:1", "tasks")
	o.require(t, exitError, "", "natq: connect to nats://127.0.0.1:1: nats: no servers available")
}
