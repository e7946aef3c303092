// Package a declares types whose names clash with those of package b, to
// test that same-named types from different packages keep their own
// schemas.
package a

// Item is an item with a numeric quantity.
type Item struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}
