// Command fulfillctl runs the library's algorithms over JSON files or
// standard input, for trying them on one's own data and for scripting.
//
// Usage:
//
//	fulfillctl COMMAND [flags] [FILE]
//
// Commands:
//
//	pack     cartonize items into a box catalogue
//	route    route a picker through a warehouse layout
//	batch    batch orders into pick tours and route each tour
//	rates    quote shipping rates from rate cards
//	verify   check a packing or a route given back to it
//
// Each command reads one JSON document from FILE, or from standard input when
// FILE is absent or "-", and writes one JSON document to standard output.
// "fulfillctl COMMAND -h" describes the command's input and output. On error
// it prints a message naming the offending field and exits with status 1.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// command runs one subcommand with its arguments (after the command name).
type command struct {
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

// commands lists the subcommands.
func commands() map[string]command {
	return map[string]command{
		"pack":   {"cartonize items into a box catalogue", runPack},
		"route":  {"route a picker through a warehouse layout", runRoute},
		"batch":  {"batch orders into pick tours and route each tour", runBatch},
		"rates":  {"quote shipping rates from rate cards", runRates},
		"verify": {"check a packing or a route given back to it", runVerify},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the process exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "fulfillctl: unknown command %q\n", args[0])
		usage(stderr, cmds)
		return 2
	}
	if err := c.run(args[1:], stdin, stdout, stderr); err != nil {
		if err == errHelp {
			return 0
		}
		fmt.Fprintf(stderr, "fulfillctl %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: fulfillctl COMMAND [flags] [FILE]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'fulfillctl COMMAND -h' for a command's input and output.")
}
