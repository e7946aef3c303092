package schema_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/natq/natq-go/schema"
)

// decode decodes a document the way Validate expects it: numbers as
// json.Number.
func decode(doc string) any {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		panic(err)
	}
	return v
}

func ExampleReflectInput() {
	type Order struct {
		Item string `json:"item"`
		Qty  int    `json:"qty" jsonschema:"minimum=1"`
	}
	s, err := schema.ReflectInput(reflect.TypeFor[Order]())
	if err != nil {
		panic(err)
	}

	fmt.Println(s.Validate(decode(`{"runId":"order-42","item":"book","qty":2}`)))
	fmt.Println(s.Validate(decode(`{"runId":"order 42","qty":0}`)))
	// Output:
	// <nil>
	// invalid input: (root): missing property "item"; /qty: must be >= 1 but found 0; /runId: does not match pattern '^[-/_=A-Za-z0-9]+(\.[-/_=A-Za-z0-9]+)*$'
}

func ExampleCompile() {
	// A schema published by another SDK, with no Go type behind it.
	s, err := schema.Compile([]byte(`{
		"type": "object",
		"properties": {"email": {"type": "string", "format": "email"}},
		"required": ["email"]
	}`))
	if err != nil {
		panic(err)
	}

	fmt.Println(string(s.JSON()))
	fmt.Println(s.Validate(decode(`{"email":"someone"}`)))
	// Output:
	// {"type":"object","properties":{"email":{"type":"string","format":"email"}},"required":["email"]}
	// invalid input: /email: "someone" is not a valid email
}
