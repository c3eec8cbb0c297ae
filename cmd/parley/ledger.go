package main

import (
	"context"
	"io"

	"parley/internal/ledger"
)

func runLedger(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "usage: parley ledger key [--data-dir DIR]\n\n  key   print the note verifier key of the signed checkpoints\n"
	if len(args) > 0 && args[0] == "key" {
		return ledger.RunKeyCLI(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		io.WriteString(stdout, synopsis)
		return 0
	}
	io.WriteString(stderr, synopsis)
	return 2
}

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return ledger.RunVerifyCLI(ctx, args, stdout, stderr)
}

func runWitness(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return ledger.RunWitnessCLI(ctx, args, stdout, stderr)
}

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return ledger.RunAuditCLI(ctx, args, stdout, stderr)
}
