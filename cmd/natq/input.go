package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/natq/natq-go/natq"
)

// produce reads the input of a call or an enqueue (argv after the task
// id) and connects, for the commands that send one.
func (a *app) produce(argv []string) ([]byte, *natq.Client, error) {
	input, err := a.readInput(argv)
	if err != nil {
		return nil, nil, err
	}
	c, err := a.connect()
	if err != nil {
		return nil, nil, err
	}
	return input, c, nil
}

// readInput reads a task's input as given on the command line: JSON
// itself, @file for a file's content, or - for standard input. No
// argument is the empty object.
func (a *app) readInput(args []string) ([]byte, error) {
	if len(args) == 0 {
		return []byte("{}"), nil
	}
	arg := args[0]
	var (
		b   []byte
		err error
	)
	switch {
	case arg == "-":
		b, err = io.ReadAll(a.stdin)
	case strings.HasPrefix(arg, "@"):
		b, err = os.ReadFile(arg[1:])
	default:
		b = []byte(arg)
	}
	if err != nil {
		return nil, usageError{fmt.Errorf("read input: %w", err)}
	}
	if b = bytes.TrimSpace(b); len(b) == 0 {
		return nil, usageError{fmt.Errorf("the input %q is empty", arg)}
	}
	return b, nil
}
