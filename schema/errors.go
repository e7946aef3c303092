package schema

import (
	"cmp"
	"slices"
	"strings"
)

// ValidationError reports why a document does not match a schema. It lists
// every failing location, not just the first, so that a producer can fix
// all of its input at once.
type ValidationError struct {
	// Failures are sorted by path, then message, without duplicates.
	Failures []Failure
}

// Failure is one reason a document does not match.
type Failure struct {
	// Path is the JSON pointer (RFC 6901) of the failing value in the
	// document, "" for the document itself. A missing or unknown property
	// is reported at the object that should or should not have it.
	Path string
	// Message says what is wrong, in one line.
	Message string
}

// Error returns one line that names each failing path and why, for
// instance:
//
//	invalid input: (root): missing property "email"; /age: must be >= 0 but found -1
func (e *ValidationError) Error() string {
	if len(e.Failures) == 0 {
		return "invalid input"
	}
	return "invalid input: " + joinFailures(normalize(slices.Clone(e.Failures)))
}

// joinFailures writes failures on one line.
func joinFailures(failures []Failure) string {
	var b strings.Builder
	for i, f := range failures {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(cmp.Or(f.Path, "(root)"))
		b.WriteString(": ")
		b.WriteString(oneLine.Replace(f.Message))
	}
	return b.String()
}

var oneLine = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// normalize sorts failures by path and message and drops duplicates,
// which arise when several branches of a schema fail the same way.
func normalize(failures []Failure) []Failure {
	slices.SortFunc(failures, func(a, b Failure) int {
		return cmp.Or(
			strings.Compare(a.Path, b.Path),
			strings.Compare(a.Message, b.Message),
		)
	})
	return slices.Compact(failures)
}
