package natq_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/natq/natq-go/natq"
	"github.com/natq/natq-go/natqtest"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// securityDoc holds the permission sets under test: its conf blocks are
// loaded as they are written.
const securityDoc = "../docs/security.md"

type secIn struct {
	Name string `json:"name"`
}

type secOut struct {
	Message string `json:"message"`
}

// The tasks of docs/security.md: the worker serves greet and resize, the
// producer uses them; audit and payroll belong to someone else.
var (
	greetTask   = natq.NewTask[secIn, secOut]("greet", natq.Sync)
	resizeTask  = natq.NewTask[secIn, secOut]("resize", natq.Async)
	auditTask   = natq.NewTask[secIn, secOut]("audit", natq.Sync)
	payrollTask = natq.NewTask[secIn, secOut]("payroll", natq.Async)
)

func hello(_ context.Context, in secIn) (secOut, error) {
	return secOut{Message: "hello, " + in.Name}, nil
}

// secUsers are the users of the doc's authorization block, with the
// passwords the test gives them and the inbox prefixes the doc assigns.
var secUsers = map[string]struct{ password, inbox string }{
	"admin":     {"admin-pw", ""},
	"worker":    {"worker-pw", "_INBOX_worker"},
	"bootstrap": {"bootstrap-pw", "_INBOX_worker"},
	"web":       {"web-pw", "_INBOX_web"},
	"ops":       {"ops-pw", "_INBOX_ops"},
}

// docConf returns the conf blocks of the security guide, joined.
func docConf(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile(securityDoc)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	in := false
	for line := range strings.Lines(string(doc)) {
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "```conf":
			in = true
		case in && line == "```":
			in = false
		case in:
			b.WriteString(line + "\n")
		}
	}
	if !strings.Contains(b.String(), "authorization") {
		t.Fatalf("no authorization block among the conf blocks of %s", securityDoc)
	}
	return b.String()
}

// securedServer starts an embedded server on 127.0.0.1 configured with
// the guide's users and permissions, and returns its URL.
func securedServer(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, "listen: \"127.0.0.1:-1\"\njetstream { store_dir: %q }\n", filepath.Join(dir, "js"))
	for user, u := range secUsers {
		fmt.Fprintf(&b, "%s_PASSWORD: %q\n", strings.ToUpper(user), u.password)
	}
	b.WriteString(docConf(t))
	path := filepath.Join(dir, "server.conf")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := server.ProcessConfigFile(path)
	if err != nil {
		t.Fatalf("load the conf blocks of %s: %v", securityDoc, err)
	}
	opts.NoLog, opts.NoSigs = true, true
	return startEmbedded(t, opts)
}

// startEmbedded starts a server from opts and stops it when the test ends.
func startEmbedded(t *testing.T, opts *server.Options) string {
	t.Helper()
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(natqtest.StartTimeout) {
		srv.Shutdown()
		t.Fatal("server not ready")
	}
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	return srv.ClientURL()
}

// connectAs connects as one of the guide's users, with its inbox prefix.
func connectAs(t *testing.T, url, user string) *nats.Conn {
	t.Helper()
	u, ok := secUsers[user]
	if !ok {
		t.Fatalf("no user %s", user)
	}
	opts := []nats.Option{
		nats.UserInfo(user, u.password),
		nats.Name(user),
		// nats.go prints refusals by default; the tests look for them.
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}),
	}
	if u.inbox != "" {
		opts = append(opts, nats.CustomInboxPrefix(u.inbox))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// secured is a server with the guide's permissions, whose objects the
// bootstrap user created, with the worker serving greet and resize and an
// administrator serving audit and payroll.
type secured struct {
	url   string
	admin *nats.Conn
}

func startSecured(t *testing.T, adminOpts ...natq.WorkerOption) *secured {
	t.Helper()
	s := &secured{url: securedServer(t)}
	serveOurs := func(w *natq.Worker) {
		natq.Handle(w, greetTask, hello)
		natq.Handle(w, resizeTask, hello)
	}
	provision(t, connectAs(t, s.url, "bootstrap"), serveOurs)
	s.admin = connectAs(t, s.url, "admin")
	natqtest.StartWorker(t, s.admin, func(w *natq.Worker) {
		natq.Handle(w, auditTask, hello)
		natq.Handle(w, payrollTask, hello)
	}, adminOpts...)
	natqtest.StartWorker(t, connectAs(t, s.url, "worker"), serveOurs)
	return s
}

// refused runs op, which publishes or subscribes on nc, and fails the
// test unless the server refuses it for subject.
func refused(t *testing.T, nc *nats.Conn, subject string, op func() error) {
	t.Helper()
	before := nc.LastError()
	if err := op(); err != nil {
		t.Fatalf("%s: %v", subject, err)
	}
	if err := nc.FlushTimeout(natqtest.WaitTimeout); err != nil {
		t.Fatal(err)
	}
	after := nc.LastError()
	//nolint:errorlint // identity: each refusal is a new error value
	if after == before || !errors.Is(after, nats.ErrPermissionViolation) ||
		!strings.Contains(after.Error(), `to "`+subject+`"`) {
		t.Errorf("%s was not refused (last error %v)", subject, after)
	}
}

func refusedPub(t *testing.T, nc *nats.Conn, subject string) {
	t.Helper()
	refused(t, nc, subject, func() error {
		return nc.PublishRequest(subject, nc.NewInbox(), []byte(`{}`))
	})
}

func refusedSub(t *testing.T, nc *nats.Conn, subject string) {
	t.Helper()
	refused(t, nc, subject, func() error {
		_, err := nc.SubscribeSync(subject)
		return err
	})
}

func TestSecurityWorker(t *testing.T) {
	t.Parallel()
	s := startSecured(t)
	web := natqtest.NewClient(t, connectAs(t, s.url, "web"))
	if out := natqtest.Call(t, web, greetTask, secIn{Name: "Ada"}); out.Message != "hello, Ada" {
		t.Errorf("greet: got %+v", out)
	}
	if out := natqtest.Wait(t, natqtest.Enqueue(t, web, resizeTask, secIn{Name: "Bo"})); out.Message != "hello, Bo" {
		t.Errorf("resize: got %+v", out)
	}

	nc := connectAs(t, s.url, "worker")
	for _, subject := range []string{
		"natq.job.payroll",                                        // enqueue another task
		"$KV.natq_results.payroll.r-1",                            // write another task's record
		"$KV.natq_tasks.audit",                                    // overwrite another definition
		"$JS.API.CONSUMER.MSG.NEXT.natq_jobs.natq_worker_payroll", // take its jobs
		"$JS.ACK.natq_jobs.natq_worker_payroll.1.1.1.1.0",         // ack them
		"$JS.API.STREAM.DELETE.natq_jobs",
		"$JS.API.STREAM.CREATE.natq_jobs",
		"$JS.API.STREAM.PURGE.KV_natq_results",
	} {
		refusedPub(t, nc, subject)
	}
	refusedSub(t, nc, "_INBOX_web.>")
	refusedSub(t, nc, "natq.req.audit")

	// A worker of a task it may not serve fails to start, and says why:
	// here it may not publish audit's definition.
	startRefused(t, nc, auditTask, `"$KV.natq_tasks.audit"`)
	// Here it may publish greet's definition but not serve greet on
	// another subject.
	names := natq.DefaultNames
	names.SyncPrefix = "other.req"
	startRefused(t, nc, greetTask, `"other.req.greet"`, natq.WithNames(names))
}

// startRefused requires a worker of task on nc to fail to start with a
// refusal naming subject.
func startRefused(t *testing.T, nc *nats.Conn, task *natq.Task[secIn, secOut], subject string, opts ...natq.WorkerOption) {
	t.Helper()
	w, err := natq.NewWorker(nc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	natq.Handle(w, task, hello)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err = w.Start(ctx)
	if !errors.Is(err, natq.ErrPermissionDenied) || !strings.Contains(err.Error(), subject) {
		t.Errorf("start a worker of %s: got %v, want ErrPermissionDenied naming %s", task.ID(), err, subject)
	}
}

// Without the bootstrap subjects, a worker cannot create what is missing.
func TestSecurityWorkerCannotCreate(t *testing.T) {
	t.Parallel()
	url := securedServer(t)
	w, err := natq.NewWorker(connectAs(t, url, "worker"))
	if err != nil {
		t.Fatal(err)
	}
	natq.Handle(w, greetTask, hello)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err = w.Start(ctx)
	if !errors.Is(err, natq.ErrPermissionDenied) || !strings.Contains(err.Error(), `"$JS.API.INFO"`) {
		t.Errorf("start on an empty server: got %v, want ErrPermissionDenied naming $JS.API.INFO", err)
	}
}

func TestSecurityProducer(t *testing.T) {
	t.Parallel()
	s := startSecured(t)
	admin := natqtest.NewClient(t, s.admin)
	theirs := natqtest.Enqueue(t, admin, payrollTask, secIn{Name: "Cy"}, natq.WithRunID("p-1"))
	natqtest.Wait(t, theirs)
	nc := connectAs(t, s.url, "web")
	web := natqtest.NewClient(t, nc)

	// Its own tasks work: call, enqueue, read and wait.
	natqtest.Call(t, web, greetTask, secIn{Name: "Ada"})
	mine := natqtest.Enqueue(t, web, resizeTask, secIn{Name: "Bo"})
	natqtest.Wait(t, mine)
	natqtest.Wait(t, natqtest.Enqueue(t, web, resizeTask, secIn{Name: "Di"}, natq.WithDropResultOnSuccess()))
	ctx, cancel := context.WithTimeout(context.Background(), natqtest.WaitTimeout)
	defer cancel()
	if rec, err := mine.Record(ctx); err != nil || rec.Status != 200 {
		t.Errorf("record of its own run: got %+v, %v", rec, err)
	}

	// Calling or enqueueing another task fails at once, and clearly.
	denied := func(what string, took time.Duration, err error) {
		t.Helper()
		if !errors.Is(err, natq.ErrPermissionDenied) || !errors.Is(err, nats.ErrPermissionViolation) {
			t.Errorf("%s: got %v, want ErrPermissionDenied", what, err)
		}
		if took > natqtest.WaitTimeout/2 {
			t.Errorf("%s: took %v; a refusal must not wait out the deadline", what, took)
		}
	}
	start := time.Now()
	_, err := auditTask.Call(ctx, web, secIn{Name: "x"})
	denied("call audit", time.Since(start), err)
	start = time.Now()
	_, err = payrollTask.Enqueue(ctx, web, secIn{Name: "x"})
	denied("enqueue payroll", time.Since(start), err)

	// Reading or waiting on another task's run fails when the wait ends,
	// with the refusal in place of a timeout.
	short, cancelShort := context.WithTimeout(context.Background(), time.Second)
	defer cancelShort()
	run := payrollTask.RunOf(web, "p-1")
	_, err = run.Record(short)
	denied("read payroll's record", time.Second, err)
	_, err = run.Wait(short)
	denied("wait on payroll's run", time.Second, err)

	for _, subject := range []string{
		"$KV.natq_results.payroll.p-1", // overwrite or delete a record
		"$KV.natq_tasks.greet",         // overwrite a definition
		"$KV.natq_tasks.audit",
		"natq.req.audit",
		"natq.job.payroll",
		// Reads and watches that carry the key in the body.
		"$JS.API.DIRECT.GET.KV_natq_results",
		"$JS.API.STREAM.MSG.GET.KV_natq_results",
		"$JS.API.CONSUMER.CREATE.KV_natq_results",
		"$JS.API.CONSUMER.DURABLE.CREATE.KV_natq_results.w",
		"$JS.API.CONSUMER.CREATE.KV_natq_results.w",
		// Watches of another task's keys, or of all keys.
		"$JS.API.CONSUMER.CREATE.KV_natq_results.w.$KV.natq_results.payroll.>",
		"$JS.API.CONSUMER.CREATE.KV_natq_results.w.$KV.natq_results.>",
		"$JS.API.CONSUMER.CREATE.KV_natq_results.w.$KV.natq_results.*.>",
		"$JS.API.DIRECT.GET.KV_natq_results.$KV.natq_results.payroll.p-1",
		// Deleting and purging.
		"$JS.API.STREAM.MSG.DELETE.KV_natq_results",
		"$JS.API.STREAM.PURGE.KV_natq_results",
		"$JS.API.STREAM.DELETE.KV_natq_results",
		"$JS.API.STREAM.DELETE.natq_jobs",
	} {
		refusedPub(t, nc, subject)
	}
	refusedSub(t, nc, "_INBOX.>")
	refusedSub(t, nc, "_INBOX_worker.>")
	refusedSub(t, nc, "natq.req.greet")
	refusedSub(t, nc, "$KV.natq_results.payroll.>") // its records as written
	refusedSub(t, nc, "$KV.natq_results.>")

	// Nothing of theirs changed.
	if rec, err := theirs.Record(ctx); err != nil || rec.Status != 200 {
		t.Errorf("payroll's record after the attempts: got %+v, %v", rec, err)
	}
	for _, id := range []string{"greet", "audit"} {
		info, err := admin.Task(ctx, id)
		if err != nil || info.ID != id {
			t.Errorf("definition of %s after the attempts: got %+v, %v", id, info, err)
		}
	}
}

func TestSecurityOperator(t *testing.T) {
	t.Parallel()
	s := startSecured(t)
	admin := natqtest.NewClient(t, s.admin)
	natqtest.Wait(t, natqtest.Enqueue(t, admin, payrollTask, secIn{Name: "Cy"}, natq.WithRunID("p-1")))
	ctx, cancel := context.WithTimeout(context.Background(), natqtest.WaitTimeout)
	defer cancel()
	// A job nobody serves stays queued, for the operator to read.
	ajs := jsOf(t, s.admin)
	queued, err := ajs.Publish(ctx, "natq.job.nobody", []byte(`{"name":"q"}`))
	if err != nil {
		t.Fatal(err)
	}

	nc := connectAs(t, s.url, "ops")
	js := jsOf(t, nc)
	var streams []string
	for name := range js.StreamNames(ctx).Name() {
		streams = append(streams, name)
	}
	if len(streams) != 3 {
		t.Errorf("got streams %v, want natq's three", streams)
	}
	jobs, err := js.Stream(ctx, "natq_jobs")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Consumer(ctx, "natq_worker_payroll"); err != nil {
		t.Errorf("consumer info: %v", err)
	}
	msg, err := jobs.GetMsg(ctx, queued.Sequence)
	if err != nil || string(msg.Data) != `{"name":"q"}` {
		t.Errorf("read a queued job: got %v, %v", msg, err)
	}
	results, err := js.KeyValue(ctx, "natq_results")
	if err != nil {
		t.Fatal(err)
	}
	if e, err := results.Get(ctx, "payroll.p-1"); err != nil || !strings.Contains(string(e.Value()), `"status":200`) {
		t.Errorf("read a record: %v", err)
	}
	if keys, err := results.Keys(ctx); err != nil || len(keys) != 1 {
		t.Errorf("list records: got %v, %v", keys, err)
	}
	tasks, err := js.KeyValue(ctx, "natq_tasks")
	if err != nil {
		t.Fatal(err)
	}
	if keys, err := tasks.Keys(ctx); err != nil || len(keys) != 4 {
		t.Errorf("list definitions: got %v, %v", keys, err)
	}

	for _, subject := range []string{
		"$KV.natq_results.payroll.p-1",
		"$KV.natq_tasks.audit",
		"natq.req.audit",
		"natq.job.payroll",
		"$JS.API.CONSUMER.MSG.NEXT.natq_jobs.natq_worker_payroll",
		"$JS.API.CONSUMER.CREATE.natq_jobs.spy.natq.job.payroll",
		"$JS.API.STREAM.PURGE.natq_jobs",
		"$JS.API.STREAM.DELETE.natq_jobs",
		"$JS.API.STREAM.MSG.DELETE.KV_natq_results",
		"$JS.API.CONSUMER.DELETE.natq_jobs.natq_worker_payroll",
	} {
		refusedPub(t, nc, subject)
	}
	refusedSub(t, nc, "natq.req.>")
	refusedSub(t, nc, "_INBOX_web.>")
}

// A producer allowed to watch may create consumers on the results stream,
// and NATS does not check the subject a consumer delivers to against the
// producer's permissions. The worker of a sync task receives a record on
// its subject, and its schema refuses it: a record is not its input.
func TestSecurityDeliverSubject(t *testing.T) {
	t.Parallel()
	rec := &logRecorder{changed: make(chan struct{}, 1)}
	s := startSecured(t, natq.WithLogger(slog.New(rec)))
	web := natqtest.NewClient(t, connectAs(t, s.url, "web"))
	natqtest.Wait(t, natqtest.Enqueue(t, web, resizeTask, secIn{Name: "Bo"}, natq.WithRunID("r-1")))

	nc := connectAs(t, s.url, "web")
	req := `{"stream_name":"KV_natq_results","config":{"name":"detour",` +
		`"filter_subject":"$KV.natq_results.resize.r-1","deliver_subject":"natq.req.audit","deliver_group":"natq",` +
		`"deliver_policy":"last_per_subject","ack_policy":"none"}}`
	reply, err := nc.Request("$JS.API.CONSUMER.CREATE.KV_natq_results.detour.$KV.natq_results.resize.r-1",
		[]byte(req), natqtest.WaitTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(reply.Data), `"error"`) {
		t.Fatalf("NATS refuses the detour now (%s): update docs/security.md", reply.Data)
	}
	rec.waitFor(t, "audit's run of the record", func(l map[string]string) bool {
		return l["task"] == auditTask.ID() && l["msg"] == "sync run done"
	})
	for _, l := range rec.lines {
		if l["task"] == auditTask.ID() && l["msg"] == "sync run done" && l["status"] != "400" {
			t.Errorf("audit ran a detoured record with status %s", l["status"])
		}
	}
}
