package schema

import (
	"fmt"
	"reflect"
	"slices"
)

// checkTypeGraph returns an error for a type that invopop would reflect
// forever: a struct that embeds itself through pointers (invopop flattens
// embedded structs without remembering the ones it has seen), or a
// pointer type that points to itself. Either would overflow the stack,
// which no recover can catch.
func checkTypeGraph(root reflect.Type) error {
	seen := map[reflect.Type]bool{}
	queue := []reflect.Type{root}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		if seen[t] {
			continue
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Pointer:
			if pointsToItself(t) {
				return fmt.Errorf("%s points to itself", t)
			}
			queue = append(queue, t.Elem())
		case reflect.Slice, reflect.Array:
			queue = append(queue, t.Elem())
		case reflect.Map:
			queue = append(queue, t.Key(), t.Elem())
		case reflect.Struct:
			if opaque(t) {
				continue
			}
			if embedsItself(t, nil) {
				return fmt.Errorf("%s embeds itself through a pointer", t)
			}
			for i := range t.NumField() {
				queue = append(queue, t.Field(i).Type)
			}
		}
	}
	return nil
}

func pointsToItself(t reflect.Type) bool {
	chain := map[reflect.Type]bool{}
	for ; t.Kind() == reflect.Pointer; t = t.Elem() {
		if chain[t] {
			return true
		}
		chain[t] = true
	}
	return false
}

// embedsItself reports whether flattening t's embedded structs, as
// invopop does, leads back to a struct on path.
func embedsItself(t reflect.Type, path []reflect.Type) bool {
	if slices.Contains(path, t) {
		return true
	}
	path = append(path, t)
	for i := range t.NumField() {
		inner, ok := invopopFlattens(t.Field(i))
		if ok && embedsItself(inner, path) {
			return true
		}
	}
	return false
}
