package natq_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// authMethod configures a server to require one way of authenticating,
// and returns the client options that satisfy it.
type authMethod func(t *testing.T, opts *server.Options) []nats.Option

// A worker and a producer work over every authentication NATS offers,
// given through the connection the program builds; natq needs nothing
// more. Each server refuses a connection without the credentials.
func TestAuthMethods(t *testing.T) {
	t.Parallel()
	methods := []struct {
		name string
		auth authMethod
	}{
		{"user and password", userPassword},
		{"token", token},
		{"nkey", nkey},
		{"credentials file", credsFile},
		{"tls", selfSignedTLS},
	}
	for _, m := range methods {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			opts := &server.Options{
				Host: "127.0.0.1", Port: server.RANDOM_PORT,
				JetStream: true, StoreDir: t.TempDir(),
				NoLog: true, NoSigs: true,
			}
			connOpts := m.auth(t, opts)
			url := startEmbedded(t, opts)

			if nc, err := nats.Connect(url, nats.NoReconnect()); err == nil {
				nc.Close()
				t.Fatal("the server accepted a connection without credentials")
			}
			nc, err := nats.Connect(url, connOpts...)
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
			t.Cleanup(nc.Close)
			natqtest.StartWorker(t, nc, func(w *natq.Worker) {
				natq.Handle(w, greetTask, hello)
				natq.Handle(w, resizeTask, hello)
			})
			c := natqtest.NewClient(t, nc)
			if out := natqtest.Call(t, c, greetTask, secIn{Name: "Ada"}); out.Message != "hello, Ada" {
				t.Errorf("call: got %+v", out)
			}
			run := natqtest.Enqueue(t, c, resizeTask, secIn{Name: "Bo"})
			if out := natqtest.Wait(t, run); out.Message != "hello, Bo" {
				t.Errorf("enqueue: got %+v", out)
			}
		})
	}
}

func userPassword(_ *testing.T, opts *server.Options) []nats.Option {
	opts.Username, opts.Password = "natq", "s3cret-pw"
	return []nats.Option{nats.UserInfo("natq", "s3cret-pw")}
}

func token(_ *testing.T, opts *server.Options) []nats.Option {
	opts.Authorization = "s3cret-token"
	return []nats.Option{nats.Token("s3cret-token")}
}

func nkey(t *testing.T, opts *server.Options) []nats.Option {
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	opts.Nkeys = []*server.NkeyUser{{Nkey: pub}}
	return []nats.Option{nats.Nkey(pub, kp.Sign)}
}

// credsFile puts the server in operator mode: an operator signs a system
// account (JetStream needs one) and an account with JetStream, the account
// signs a user, and the user's JWT and seed go into a credentials file.
func credsFile(t *testing.T, opts *server.Options) []nats.Option {
	operator := newKey(t, nkeys.CreateOperator)
	system := newKey(t, nkeys.CreateAccount)
	account := newKey(t, nkeys.CreateAccount)
	user := newKey(t, nkeys.CreateUser)

	oc := jwt.NewOperatorClaims(publicKey(t, operator))
	oc.SystemAccount = publicKey(t, system)
	if _, err := oc.Encode(operator); err != nil {
		t.Fatal(err)
	}
	resolver := &server.MemAccResolver{}
	ac := jwt.NewAccountClaims(publicKey(t, account))
	ac.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: -1, DiskStorage: -1, Streams: -1, Consumer: -1}
	for _, claims := range []*jwt.AccountClaims{jwt.NewAccountClaims(publicKey(t, system)), ac} {
		signed, err := claims.Encode(operator)
		if err != nil {
			t.Fatal(err)
		}
		if err := resolver.Store(claims.Subject, signed); err != nil {
			t.Fatal(err)
		}
	}
	opts.TrustedOperators = []*jwt.OperatorClaims{oc}
	opts.SystemAccount = publicKey(t, system)
	opts.AccountResolver = resolver

	userJWT, err := jwt.NewUserClaims(publicKey(t, user)).Encode(account)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := user.Seed()
	if err != nil {
		t.Fatal(err)
	}
	creds, err := jwt.FormatUserConfig(userJWT, seed)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "user.creds")
	if err := os.WriteFile(path, creds, 0o600); err != nil {
		t.Fatal(err)
	}
	return []nats.Option{nats.UserCredentials(path)}
}

func newKey(t *testing.T, create func() (nkeys.KeyPair, error)) nkeys.KeyPair {
	t.Helper()
	kp, err := create()
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func publicKey(t *testing.T, kp nkeys.KeyPair) string {
	t.Helper()
	pub, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// selfSignedTLS makes a certificate for 127.0.0.1, signed by its own key,
// in a temporary directory; the server requires TLS with it and the client
// trusts it as its root.
func selfSignedTLS(t *testing.T, opts *server.Options) []nats.Option {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "natq test server"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "EC PRIVATE KEY", keyDER)

	tc, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: certFile, KeyFile: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	opts.TLSConfig, opts.TLS, opts.TLSTimeout = tc, true, 5
	return []nats.Option{nats.RootCAs(certFile)}
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	data := pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
