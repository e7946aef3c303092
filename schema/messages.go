package schema

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// describe turns a leaf of the validator's error tree into failures.
// Most of the validator's messages read well ("expected string, but got
// number", "must be >= 0 but found -1"); the ones listing property names
// are split into one failure per name, and pattern and format failures
// are reworded. A message that does not parse as expected is kept as it
// is.
func describe(e *jsonschema.ValidationError) []Failure {
	at := e.InstanceLocation
	switch keyword(e.KeywordLocation) {
	case "required":
		list := strings.TrimPrefix(e.Message, "missing properties: ")
		if names, ok := quotedList(list); ok {
			return perName(at, "missing property %q", names)
		}
	case "additionalProperties":
		list := strings.TrimPrefix(e.Message, "additionalProperties ")
		list = strings.TrimSuffix(list, " not allowed")
		if names, ok := quotedList(list); ok {
			return perName(at, "property %q is not allowed", names)
		}
	case "pattern":
		// The validator's quoting doubles each backslash of the pattern.
		quoted := strings.TrimPrefix(e.Message, "does not match pattern ")
		if p, ok := quotedList(quoted); ok && len(p) == 1 {
			msg := fmt.Sprintf("does not match pattern '%s'", p[0])
			return []Failure{{Path: at, Message: msg}}
		}
	case "format":
		if msg, ok := formatMessage(e.Message); ok {
			return []Failure{{Path: at, Message: msg}}
		}
	}
	return []Failure{{Path: at, Message: e.Message}}
}

func perName(at, format string, names []string) []Failure {
	out := make([]Failure, len(names))
	for i, name := range names {
		out[i] = Failure{Path: at, Message: fmt.Sprintf(format, name)}
	}
	return out
}

// formatMessage rewords "'x' is not valid 'email'".
func formatMessage(msg string) (string, bool) {
	value, format, ok := strings.Cut(msg, " is not valid ")
	values, ok1 := quotedList(value)
	formats, ok2 := quotedList(format)
	if !ok || !ok1 || !ok2 || len(values) != 1 || len(formats) != 1 {
		return "", false
	}
	return fmt.Sprintf("%q is not a valid %s", values[0], formats[0]), true
}

// quotedList parses a comma-separated list of strings quoted the
// validator's way.
func quotedList(s string) ([]string, bool) {
	var out []string
	for s != "" {
		item, rest, ok := cutQuoted(s)
		if !ok {
			return nil, false
		}
		out = append(out, item)
		s = strings.TrimPrefix(rest, ", ")
	}
	return out, len(out) > 0
}

// cutQuoted reads one string quoted the validator's way, from the start of
// s: Go's %q with the double quotes unescaped and single quotes escaped,
// between single quotes. It rebuilds the %q form and unquotes that.
func cutQuoted(s string) (item, rest string, ok bool) {
	if !strings.HasPrefix(s, "'") {
		return "", "", false
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			b.WriteByte('"')
			item, err := strconv.Unquote(b.String())
			return item, s[i+1:], err == nil
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\' && i+1 < len(s):
			i++
			if s[i] != '\'' {
				b.WriteByte('\\')
			}
			b.WriteByte(s[i])
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}
