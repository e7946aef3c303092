// Package b declares types whose names clash with those of package a, to
// test that same-named types from different packages keep their own
// schemas.
package b

// Item is an item with a label and no quantity.
type Item struct {
	Label string `json:"label"`
	Gift  bool   `json:"gift,omitempty"`
}
