package codec

// Reserved top-level fields of an input document. They belong to the
// envelope, not to the task, and are removed before a handler sees the input.
const (
	// FieldRunID names the run's id.
	FieldRunID = "runId"
	// FieldDropResultOnSuccess asks the worker to delete an async run's
	// result right after it succeeds.
	FieldDropResultOnSuccess = "dropResultOnSuccess"
)

// MaxRunIDLength is the longest run id accepted. The limit keeps a result
// key, "<task id>.<run id>", well inside what NATS takes for a subject.
const MaxRunIDLength = 256

// RunIDPattern is the regular expression, in the syntax JSON Schema uses, that
// a run id must match: one or more KV key tokens (letters, digits, '-', '_',
// '=', '/') joined by single dots. Such an id is a valid KV key and a valid
// JetStream message id, so a run can always be stored and deduplicated.
const RunIDPattern = `^[-/_=A-Za-z0-9]+(\.[-/_=A-Za-z0-9]+)*$`

// ValidRunID reports whether id can be used as a run id.
func ValidRunID(id string) bool {
	return len(id) <= MaxRunIDLength && MatchRunIDPattern(id)
}

// MatchRunIDPattern reports whether id matches [RunIDPattern], whatever
// its length. It is what the regular expression says, without one: every
// run id on a worker's hot path is checked.
func MatchRunIDPattern[T string | []byte](id T) bool {
	dot := true // at the start, as after a dot, a token must begin
	for i := range len(id) {
		switch c := id[i]; {
		case c == '.':
			if dot {
				return false
			}
			dot = true
		case runIDByte(c):
			dot = false
		default:
			return false
		}
	}
	return !dot
}

func runIDByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '/' || c == '_' || c == '='
}
