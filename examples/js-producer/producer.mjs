// A natq producer in JavaScript that knows nothing of natq but its wire
// protocol: it discovers Go tasks in the tasks bucket, validates inputs
// with the JSON Schemas the Go worker published, calls the sync task,
// enqueues the async one and reads its result from the results bucket.
//
// It expects the quick-start worker (greet, word-report) on $NATS_URL:
//
//   natq dev &
//   NATS_URL=nats://127.0.0.1:4222 go run ./examples/quickstart &
//   npm ci && NATS_URL=nats://127.0.0.1:4222 node producer.mjs
//
// Each step prints "ok" or "not ok"; the exit status is 0 only if every
// step agreed with what the protocol promises.

import { connect, StringCodec } from "nats";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const TASKS = "natq_tasks";
const RESULTS = "natq_results";
const SYNC_TASK = "greet";
const ASYNC_TASK = "word-report";

const sc = StringCodec();
const encode = (v) => sc.encode(JSON.stringify(v));
const decode = (b) => JSON.parse(sc.decode(b));

let failures = 0;
let passes = 0;

function check(ok, what, detail = "") {
  if (ok) {
    passes++;
    console.log(`ok - ${what}`);
  } else {
    failures++;
    console.log(`not ok - ${what}${detail ? `: ${detail}` : ""}`);
  }
}

// A runaway step must not hang CI: give up after a minute.
const guard = setTimeout(() => {
  console.log("not ok - gave up after 60 s");
  process.exit(2);
}, 60_000);
guard.unref();

// discover reads a task definition and compiles its schemas. The schemas
// travel as JSON strings inside the definition.
async function discover(kv, ajv, id, type) {
  const entry = await kv.get(id);
  check(entry !== null, `discover ${id} in ${TASKS}`);
  if (entry === null) {
    return null;
  }
  const def = decode(entry.value);
  check(def.id === id && def.type === type, `${id} has type ${type}`, JSON.stringify(def));
  return {
    input: ajv.compile(JSON.parse(def.inputSchema)),
    output: ajv.compile(JSON.parse(def.outputSchema)),
  };
}

// expectValid checks what the published schema says of a document.
function expectValid(validate, doc, want, what) {
  const got = validate(doc);
  check(got === want, what, got ? "accepted" : JSON.stringify(validate.errors));
}

// call sends a sync request; the status and error travel in headers.
async function call(nc, task, input) {
  const msg = await nc.request(`natq.req.${task}`, encode(input), { timeout: 10_000 });
  return {
    status: Number(msg.headers?.get("status") ?? "200"),
    error: msg.headers?.get("error") ?? "",
    data: msg.data.length > 0 ? decode(msg.data) : undefined,
  };
}

// enqueue publishes a job and waits for its final record, watching the
// key from before the publish. It returns the records seen, then
// "deleted" if the key went away.
//
// The results bucket keeps one record per run, and a KV watch skips a
// record replaced before the server sent it: a result dropped on success
// could show only its deletion. So a plain subscription on the record's
// subject also listens, and receives every write in order; when the watch
// shows the deletion, the success is already there.
async function enqueue(nc, js, results, task, input) {
  const key = `${task}.${input.runId}`;
  const tapped = [];
  const tap = nc.subscribe(`$KV.${RESULTS}.${key}`, {
    callback: (err, m) => {
      if (!err && !m.headers?.get("KV-Operation")) {
        tapped.push(decode(m.data));
      }
    },
  });
  const watch = await results.watch({ key });
  await js.publish(`natq.job.${task}`, encode(input), { msgID: input.runId });
  const seen = [];
  for await (const e of watch) {
    if (e.operation === "DEL" || e.operation === "PURGE") {
      const isSuccess = (r) => r?.status >= 200 && r?.status < 300;
      const success = tapped.findLast(isSuccess);
      if (success && !isSuccess(seen[seen.length - 1])) {
        seen.push(success); // the watch missed it; the tap did not
      }
      seen.push("deleted");
      break;
    }
    const rec = decode(e.value);
    seen.push(rec);
    const success = rec.status >= 200 && rec.status < 300;
    if (rec.status === 100 || (success && input.dropResultOnSuccess)) {
      continue; // not final yet, or final and about to be deleted
    }
    break;
  }
  watch.stop();
  tap.unsubscribe();
  return seen;
}

async function main() {
  const servers = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  const nc = await connect({ servers, name: "natq-js-producer" });
  const js = nc.jetstream();
  // bindOnly: a producer uses the buckets a worker made, never makes them.
  const tasks = await js.views.kv(TASKS, { bindOnly: true });
  const results = await js.views.kv(RESULTS, { bindOnly: true });

  const ids = [];
  for await (const k of await tasks.keys()) {
    ids.push(k);
  }
  check(ids.includes(SYNC_TASK) && ids.includes(ASYNC_TASK), "list the tasks", ids.join(", "));

  // Draft 2020-12, with format assertion as the Go worker applies it.
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  const greet = await discover(tasks, ajv, SYNC_TASK, "sync");
  const report = await discover(tasks, ajv, ASYNC_TASK, "async");
  if (greet === null || report === null) {
    throw new Error("the quick-start tasks are not published");
  }

  expectValid(greet.input, { name: "Ada" }, true, "schema accepts a good greet input");
  expectValid(greet.input, { name: "" }, false, "schema refuses an empty name");
  expectValid(greet.input, { name: "Ada", nickname: "A" }, false, "schema refuses an unknown field");
  const envelope = { words: ["typed", "tasks"], runId: "js-envelope.1", dropResultOnSuccess: true };
  expectValid(report.input, envelope, true, "schema accepts runId and dropResultOnSuccess");
  expectValid(report.input, { words: ["a"], runId: "not a key" }, false, "schema refuses a bad runId");
  expectValid(report.input, { words: [] }, false, "schema refuses an empty word list");

  // The sync task, and the worker agreeing with the schema.
  const ok = await call(nc, SYNC_TASK, { name: "Ada" });
  check(ok.status === 200 && ok.data?.message === "Hello, Ada!", "call greet", JSON.stringify(ok));
  expectValid(greet.output, ok.data, true, "greet's output matches its published schema");
  const refused = await call(nc, SYNC_TASK, { name: "" });
  check(refused.status === 400 && refused.error.includes("/name"),
    "the worker refuses what the schema refuses, with 400", JSON.stringify(refused));

  // The async task: 100 while it runs, then the final record in KV.
  const runId = `js-${Date.now()}`;
  const input = { words: ["typed", "tasks", "on", "nats"], upper: true, runId };
  expectValid(report.input, input, true, "the async input validates");
  const seen = await enqueue(nc, js, results, ASYNC_TASK, input);
  const last = seen[seen.length - 1];
  check(last?.status === 200 && last.data?.count === 4 && last.data?.longest === "TYPED",
    "enqueue word-report and read its result", JSON.stringify(seen));
  check(seen.every((r) => r === last || r.status === 100), "only 100 before the final record", JSON.stringify(seen));
  expectValid(report.output, last?.data, true, "word-report's output matches its published schema");
  const stored = await results.get(`${ASYNC_TASK}.${runId}`);
  check(stored !== null && decode(stored.value).status === 200, "the result stays in the results bucket");

  // A result dropped on success: seen by the early watch, then deleted.
  const dropped = await enqueue(nc, js, results, ASYNC_TASK,
    { words: ["gone"], runId: `${runId}-drop`, dropResultOnSuccess: true });
  const tail = dropped.slice(-2);
  check(tail[0]?.status === 200 && tail[1] === "deleted", "a dropped result is seen, then deleted",
    JSON.stringify(dropped));

  // An async input the schema refuses gets a final 400 record.
  const bad = await enqueue(nc, js, results, ASYNC_TASK, { words: [], runId: `${runId}-bad` });
  check(bad[bad.length - 1]?.status === 400, "the worker records 400 for what the schema refuses",
    JSON.stringify(bad));

  await nc.drain();
}

try {
  await main();
} catch (err) {
  failures++;
  console.log(`not ok - ${err?.stack ?? err}`);
}
console.log(`${passes} checks passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
