package codec

import "strconv"

// Header names of a sync reply. They are lowercase on the wire; NATS
// headers are case-sensitive, so readers must not canonicalise them.
const (
	HeaderStatus = "status"
	HeaderError  = "error"
)

// ReplyHeaders returns the headers of a sync reply with the given status
// and error message; the error header is left out when msg is empty. The
// map converts to nats.Header as it is.
func ReplyHeaders(status int, msg string) map[string][]string {
	h := map[string][]string{HeaderStatus: {strconv.Itoa(status)}}
	if msg != "" {
		h[HeaderError] = []string{msg}
	}
	return h
}

// ParseReplyHeaders reads the status and error of a sync reply. A reply
// with no status header is a success: a plain responder that knows nothing
// of natq answers that way. A status that is not a number is reported as
// ok == false.
func ParseReplyHeaders(h map[string][]string) (status int, msg string, ok bool) {
	status, msg = StatusOK, first(h, HeaderError)
	if s := first(h, HeaderStatus); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, msg, false
		}
		status = n
	}
	return status, msg, true
}

func first(h map[string][]string, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
