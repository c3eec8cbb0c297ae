package main

import (
	"context"
	"io"

	"parley/internal/bargain"
)

func runBargain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "analyze" {
		return bargain.RunAnalyzeCLI(args[1:], stdout, stderr)
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		io.WriteString(stdout, "usage: parley bargain analyze [--json] DOMAIN.json PROFILE.json...\n")
		return 0
	}
	io.WriteString(stderr, "usage: parley bargain analyze [--json] DOMAIN.json PROFILE.json...\n")
	return 2
}
