package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"parley/internal/app"
	"parley/internal/channel"
	"parley/internal/ledger"
)

func runLedger(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "usage: parley ledger key|resume [flags]\n\n" +
		"  key      print the note verifier key of the signed checkpoints\n" +
		"  resume   accept writes again after a halt, once the damage is gone\n" +
		"  new-origin  after a restore: archive the old log and start a new one\n"
	if len(args) > 0 && args[0] == "key" {
		return ledger.RunKeyCLI(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "resume" {
		return ledger.RunResumeCLI(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "new-origin" {
		return ledger.RunNewOriginCLI(args[1:], stdout, stderr)
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		io.WriteString(stdout, synopsis)
		return 0
	}
	io.WriteString(stderr, synopsis)
	return 2
}

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return ledger.RunVerifyCLI(ctx, args, stdout, stderr, func(dataDir string, content bool) ([]ledger.ItemKind, error) {
		var master []byte
		if content {
			// Never create a master key here: without the one that sealed
			// the content, only the audiences can be checked.
			path, err := channel.MasterKeyPath(dataDir)
			if err == nil {
				_, err = os.Stat(path)
			}
			if err == nil {
				master, err = channel.LoadOrCreateMasterKey(path)
			}
			if err != nil {
				return nil, fmt.Errorf("master key: %w (give --content=false to check the audiences only)", err)
			}
		} else {
			fmt.Fprintln(stderr, "parley verify: content not checked (--content=false): audiences only")
		}
		return app.ItemKinds(dataDir, master)
	})
}

func runWitness(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return ledger.RunWitnessCLI(ctx, args, stdout, stderr)
}

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return ledger.RunAuditCLI(ctx, args, stdout, stderr)
}
