package main

import (
	"cmp"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/spf13/pflag"
)

// connFlags are the connection flags, named as the nats command line names
// them. A flag left unset falls back on the same environment variable as
// there; the fallback is read when connecting, so that help never prints
// a secret.
type connFlags struct {
	server   string
	creds    string
	user     string
	password string
	token    string
	tlsCert  string
	tlsKey   string
	tlsCA    string
}

// register adds the flags to fs.
func (c *connFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&c.server, "server", "s", "",
		"NATS server URLs, comma separated (default $NATS_URL, else "+nats.DefaultURL+")")
	fs.StringVar(&c.creds, "creds", "", "user credentials file (default $NATS_CREDS)")
	fs.StringVar(&c.user, "user", "", "user name (default $NATS_USER)")
	fs.StringVar(&c.password, "password", "", "password (default $NATS_PASSWORD)")
	fs.StringVar(&c.token, "token", "", "authentication token (default $NATS_TOKEN)")
	fs.StringVar(&c.tlsCert, "tlscert", "", "TLS client certificate file (default $NATS_CERT)")
	fs.StringVar(&c.tlsKey, "tlskey", "", "TLS client key file (default $NATS_KEY)")
	fs.StringVar(&c.tlsCA, "tlsca", "", "TLS certificate authority file (default $NATS_CA)")
}

// resolve fills the flags left unset from the environment.
func (c connFlags) resolve(getenv func(string) string) connFlags {
	c.server = cmp.Or(c.server, getenv("NATS_URL"), nats.DefaultURL)
	c.creds = cmp.Or(c.creds, getenv("NATS_CREDS"))
	c.user = cmp.Or(c.user, getenv("NATS_USER"))
	c.password = cmp.Or(c.password, getenv("NATS_PASSWORD"))
	c.token = cmp.Or(c.token, getenv("NATS_TOKEN"))
	c.tlsCert = cmp.Or(c.tlsCert, getenv("NATS_CERT"))
	c.tlsKey = cmp.Or(c.tlsKey, getenv("NATS_KEY"))
	c.tlsCA = cmp.Or(c.tlsCA, getenv("NATS_CA"))
	return c
}

// options turns resolved flags into connection options.
func (c connFlags) options() ([]nats.Option, error) {
	opts := []nats.Option{nats.Name("natq")}
	if c.creds != "" {
		opts = append(opts, nats.UserCredentials(c.creds))
	}
	if c.user != "" || c.password != "" {
		opts = append(opts, nats.UserInfo(c.user, c.password))
	}
	if c.token != "" {
		opts = append(opts, nats.Token(c.token))
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return nil, usageError{errors.New("--tlscert and --tlskey go together")}
	}
	if c.tlsCert != "" {
		opts = append(opts, nats.ClientCert(c.tlsCert, c.tlsKey))
	}
	if c.tlsCA != "" {
		opts = append(opts, nats.RootCAs(c.tlsCA))
	}
	return opts, nil
}

// connect opens a connection with the flags, the environment filling in
// what they leave unset.
func (c *connFlags) connect(getenv func(string) string) (*nats.Conn, error) {
	r := c.resolve(getenv)
	opts, err := r.options()
	if err != nil {
		return nil, err
	}
	nc, err := nats.Connect(r.server, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", r.server, err)
	}
	return nc, nil
}
