package main

import (
	"encoding/json"
	"errors"
	"io"
)

// Placeholder until the route and batch commands land; route.go replaces this file.

func runRoute(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return errors.New("route is not available in this build")
}

func runBatch(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return errors.New("batch is not available in this build")
}

func verifyRoute(request, result json.RawMessage) ([]string, error) {
	return nil, errors.New("verifying a route is not available in this build")
}
