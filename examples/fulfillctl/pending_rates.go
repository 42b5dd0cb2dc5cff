package main

import (
	"errors"
	"io"
)

// Placeholder until the rates command lands; rates.go replaces this file.

func runRates(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return errors.New("rates is not available in this build")
}
