// Package codec is the natq wire format, with no NATS in it: the input
// document with its reserved envelope fields, the output record, task
// definitions, status codes and the headers of a sync reply.
//
// # Inputs
//
// A producer sends one JSON object. Two top-level fields belong to the
// envelope: [FieldRunID] names the run, [FieldDropResultOnSuccess] asks for
// an async result to be deleted once it succeeds. [DecodeInput] splits them
// from the task's own fields; [EncodeInput] puts them in front of a
// payload.
//
// A run id must be usable as a key of the results bucket and as a
// JetStream message id; [ValidRunID] says whether it is. This is stricter
// than the protocol as the other SDKs run it, where an unusable id loses
// the run's result.
//
// # Records and replies
//
// An async run's state lives in a [Record] under [ResultKey]. A sync reply
// carries the status and error in the headers named by [HeaderStatus] and
// [HeaderError], and only the data in its body.
package codec
