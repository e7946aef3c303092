package schema

import "testing"

func TestValidationErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		failures []Failure
		want     string
	}{
		{"none", nil, "invalid input"},
		{
			"root",
			[]Failure{{Path: "", Message: `missing property "a"`}},
			`invalid input: (root): missing property "a"`,
		},
		{"sorted and deduplicated", []Failure{
			{Path: "/b", Message: "two"},
			{Path: "/a", Message: "one"},
			{Path: "/b", Message: "two"},
			{Path: "", Message: "root"},
		}, "invalid input: (root): root; /a: one; /b: two"},
		{
			"one line",
			[]Failure{{Path: "/a", Message: "first\nsecond\r\nthird"}},
			"invalid input: /a: first second third",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &ValidationError{Failures: tt.failures}
			if got := e.Error(); got != tt.want {
				t.Errorf("Error(): got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestValidationErrorKeepsFailures checks that Error does not reorder the
// caller's slice.
func TestValidationErrorKeepsFailures(t *testing.T) {
	t.Parallel()
	failures := []Failure{{Path: "/b"}, {Path: "/a"}}
	_ = (&ValidationError{Failures: failures}).Error()
	if failures[0].Path != "/b" {
		t.Errorf("Failures[0].Path after Error(): got %q, want %q", failures[0].Path, "/b")
	}
}
