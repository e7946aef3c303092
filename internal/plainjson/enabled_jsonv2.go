//go:build goexperiment.jsonv2

package plainjson

// enabled is false when encoding/json is built on its experimental v2
// implementation, whose results this package has not been compared with.
const enabled = false
