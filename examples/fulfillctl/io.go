package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// errHelp is returned by a command that printed its help on -h.
var errHelp = errors.New("help requested")

// newFlags returns a flag set for a command that prints doc on -h.
func newFlags(name, doc string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: fulfillctl %s [flags] [FILE]\n\n%s\n\nflags:\n", name, strings.TrimSpace(doc))
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, mapping -h to errHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	if fs.NArg() > 1 {
		return fmt.Errorf("want at most one input file, got %d", fs.NArg())
	}
	return nil
}

// readInput reads the file named by the first argument, or stdin when there
// is none or it is "-".
func readInput(fs *flag.FlagSet, stdin io.Reader) ([]byte, error) {
	if fs.NArg() == 0 || fs.Arg(0) == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(fs.Arg(0))
}

// decodeStrict decodes one JSON document into v, rejecting unknown fields and
// trailing data, and names the offending field in its error.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("field %q: want %s, got JSON %s", te.Field, te.Type, te.Value)
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("malformed JSON at byte %d: %v", se.Offset, err)
		}
		return fmt.Errorf("input: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("input: unexpected data after the JSON document")
	}
	return nil
}

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // explanations say "->" and "<", not \u003e
	return enc.Encode(v)
}
