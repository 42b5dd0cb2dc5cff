package main

import (
	"encoding/json"
	"errors"
	"io"
)

// Placeholder until the pack command lands; pack.go replaces this file.

func runPack(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return errors.New("pack is not available in this build")
}

func verifyPack(request, result json.RawMessage) ([]string, error) {
	return nil, errors.New("verifying a packing is not available in this build")
}
