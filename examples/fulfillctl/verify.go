package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

const verifyDoc = `
verify checks a result given back to it against the request that produced it,
recomputing everything from the request alone. Input:

  {"request": <input of pack or route>, "result": <output of pack or route>}

A request with "boxes" is a packing; one with "layout" is a route. Output:

  {"kind":"pack","valid":true,"problems":[]}

Each problem names what is wrong (a unit placed twice, an item outside its box,
a pick the route skips, a distance that does not add up). verify exits with
status 1 when the result is not valid.`

// verifyInput is the document verify reads.
type verifyInput struct {
	Request json.RawMessage `json:"request"`
	Result  json.RawMessage `json:"result"`
}

// verifyOutput is the document verify writes.
type verifyOutput struct {
	Kind     string   `json:"kind"`
	Valid    bool     `json:"valid"`
	Problems []string `json:"problems"`
}

// errInvalid makes verify exit non-zero after writing its report.
var errInvalid = errors.New("the result is not valid")

func runVerify(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("verify", verifyDoc, stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	data, err := readInput(fs, stdin)
	if err != nil {
		return err
	}
	var in verifyInput
	if err := decodeStrict(data, &in); err != nil {
		return err
	}
	if len(in.Request) == 0 {
		return errors.New(`field "request": required`)
	}
	if len(in.Result) == 0 {
		return errors.New(`field "result": required`)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(in.Request, &probe); err != nil {
		return fmt.Errorf(`field "request": want a JSON object: %v`, err)
	}
	out := verifyOutput{Problems: []string{}}
	var problems []string
	switch {
	case probe["boxes"] != nil:
		out.Kind = "pack"
		problems, err = verifyPack(in.Request, in.Result)
	case probe["layout"] != nil:
		out.Kind = "route"
		problems, err = verifyRoute(in.Request, in.Result)
	default:
		return errors.New(`field "request": want a pack request (with "boxes") or a route request (with "layout")`)
	}
	if err != nil {
		return err
	}
	out.Problems = append(out.Problems, problems...)
	out.Valid = len(out.Problems) == 0
	if err := writeJSON(stdout, out); err != nil {
		return err
	}
	if !out.Valid {
		return errInvalid
	}
	return nil
}
