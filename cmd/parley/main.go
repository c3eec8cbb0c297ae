// Command parley is the secure workspace for mediated peace talks: one binary
// that serves the web pages and the JSON API, seeds the demo and administers
// accounts, the database and the tamper-evident record.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand. run returns the process exit status: 0 on
// success, 1 on failure, 2 on bad usage.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"serve":     {"serve the web pages and the JSON API", runServe},
		"demo":      {"seed the demo round into a data folder and serve it", runDemo},
		"migrate":   {"apply database migrations and print the schema version", runMigrate},
		"user":      {"manage accounts: add, passwd, disable, list", runUser},
		"org":       {"manage organisations: add, list", runOrg},
		"backup":    {"write a consistent snapshot of the database", runBackup},
		"version":   {"print the version", runVersion},
		"bargain":   {"package analysis: bargain analyze DOMAIN.json PROFILE.json...", runBargain},
		"ledger":    {"the tamper-evident record: ledger key", runLedger},
		"verify":    {"rebuild and check the ledger of a data folder (operator)", runVerify},
		"witness":   {"check and co-sign the server's latest checkpoint (participant)", runWitness},
		"audit":     {"download and check every readable event (participant); audit verify FILE", runAudit},
		"bench":     {"measure a running server: bench pages", runBench},
		"detainees": {"detainee lists: detainees match [--json] A.csv [B.csv]; synth; eval", runDetainees},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "parley: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: parley COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'parley COMMAND --help' for a command's flags.")
}
