package schema

import (
	"bytes"
	"testing"
)

func TestJSONIsCompactCopy(t *testing.T) {
	t.Parallel()
	s, err := Compile([]byte("{\n  \"type\": \"string\",\n  \"minLength\": 2\n}"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"string","minLength":2}`
	got := s.JSON()
	if string(got) != want {
		t.Fatalf("JSON(): got %s, want %s", got, want)
	}
	got[0] = 'X'
	if again := s.JSON(); !bytes.Equal(again, []byte(want)) {
		t.Errorf("JSON() after editing a returned slice: got %s, want %s", again, want)
	}
}
