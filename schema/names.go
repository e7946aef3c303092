package schema

import (
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// defNames gives each named Go type met during one reflection its own key
// in $defs. invopop keys definitions by the bare type name, so two types
// called Item from different packages would share one definition, and a
// generic instance's name holds brackets and package paths that do not
// belong in a JSON pointer. A defNames is used by one reflection only.
type defNames struct {
	byType map[reflect.Type]string
	taken  map[string]bool
}

func newDefNames() *defNames {
	return &defNames{
		byType: map[reflect.Type]string{},
		taken:  map[string]bool{},
	}
}

// name is an invopop Namer. The first type to claim a short name keeps it;
// a later one is qualified by its package's last path element and, failing
// that, numbered. Reflection visits types in a fixed order, so the keys of
// a given root type are the same on every call.
func (n *defNames) name(t reflect.Type) string {
	if t.Name() == "" {
		return ""
	}
	if name, ok := n.byType[t]; ok {
		return name
	}
	short := sanitize(readableName(t))
	name := short
	if n.taken[name] {
		name = sanitize(path.Base(t.PkgPath())) + "." + short
	}
	for i := 2; n.taken[name]; i++ {
		name = short + "-" + strconv.Itoa(i)
	}
	n.byType[t] = name
	n.taken[name] = true
	return name
}

// pathPrefix matches one package path element and its slash, as found in
// the type arguments of a generic instance's name.
var pathPrefix = regexp.MustCompile(`[\w.~-]*/`)

// readableName drops the package paths from a generic instance's type
// arguments: Page[example.com/shop/a.Item] reads Page[a.Item].
func readableName(t reflect.Type) string {
	return pathPrefix.ReplaceAllString(t.Name(), "")
}

// unsafeRun matches what may not appear in a key: anything outside the
// characters that need no escaping in a JSON pointer or a URI fragment.
var unsafeRun = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

func sanitize(s string) string {
	s = strings.Trim(unsafeRun.ReplaceAllString(s, "_"), "_")
	if s == "" {
		return "_"
	}
	return s
}
