package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// resourceURL names the document inside the compiler. The .invalid domain
// can never resolve, and nothing is ever loaded from it.
const resourceURL = "https://natq.invalid/schema.json"

var errNoLoading = errors.New("references to other documents are not supported")

// Compile compiles a JSON Schema document given as JSON, such as one
// published by another natq SDK. A document without "$schema" is read as
// draft 2020-12. Format assertion is on. A reference to another document
// is an error: nothing is fetched, from the network or from files, as the
// document may come from anyone who can write to the tasks bucket.
func Compile(doc []byte) (*Schema, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, doc); err != nil {
		return nil, fmt.Errorf("compile schema: %w", err)
	}
	return compile(buf.Bytes())
}

// compile compiles a compact document.
func compile(doc []byte) (*Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	c.LoadURL = func(url string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("%w: %s", errNoLoading, url)
	}
	if err := c.AddResource(resourceURL, bytes.NewReader(doc)); err != nil {
		return nil, fmt.Errorf("compile schema: %w", err)
	}
	compiled, err := c.Compile(resourceURL)
	if err != nil {
		return nil, fmt.Errorf("compile schema: %w", reword(err))
	}
	fast, permissive := compileFast(compiled)
	return &Schema{doc: doc, compiled: compiled, fast: fast, permissive: permissive}, nil
}

// compileError carries the compiler's error under a shorter message: the
// compiler's names the internal document URL and the meta-schema's
// keyword path, which mean nothing to the reader.
type compileError struct {
	msg string
	err error
}

func (e *compileError) Error() string { return e.msg }
func (e *compileError) Unwrap() error { return e.err }

// reword shortens a compiler error. A document that fails the meta-schema
// is described like a failed validation.
func reword(err error) error {
	var se *jsonschema.SchemaError
	if !errors.As(err, &se) || se.Err == nil {
		return err
	}
	var ve *jsonschema.ValidationError
	if errors.As(se.Err, &ve) {
		msg := "not a valid JSON Schema: " + joinFailures(failuresOf(ve))
		return &compileError{msg: msg, err: err}
	}
	msg := strings.TrimPrefix(se.Err.Error(), "jsonschema: ")
	return &compileError{msg: msg, err: err}
}
