package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"parley/internal/app"
	"parley/internal/demo"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("demo", "demo [--addr ADDR] [--data-dir DIR] [--demo-password PW]", stderr)
	var hf serveFlags
	hf.register(fs, "127.0.0.1:8080")
	dataDir := fs.String("data-dir", os.Getenv("PARLEY_DATA_DIR"), "data folder to seed and serve; a new temporary folder when empty (env PARLEY_DATA_DIR)")
	db := fs.String("db", os.Getenv("PARLEY_DB"), "database: empty for SQLite in the data folder, or postgres://... (env PARLEY_DB)")
	password := fs.String("demo-password", os.Getenv("PARLEY_DEMO_PASSWORD"), "password of every demo account; generated and printed when empty")
	if code := parse(fs, args, stdout); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "demo: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	log := newLogger(stderr)
	if *dataDir == "" {
		dir, err := os.MkdirTemp("", "parley-demo-")
		if err != nil {
			log.Error("temporary data folder", "err", err)
			return 1
		}
		*dataDir = dir
	}
	pw := *password
	if pw == "" {
		pw = demo.GeneratePassword()
	}
	cfg := app.Config{Addr: hf.addr, DataDir: *dataDir, DB: *db, Secure: hf.tls() || hf.behindTLS}
	hf.checkpoints(&cfg)
	if err := hf.proxy(&cfg); err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return 2
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		log.Error("start failed", "err", err)
		return 1
	}
	defer a.Close()
	seeded, err := demo.Seed(ctx, a.Talks, a.Auth, pw)
	if err == nil && seeded {
		// Each track seeds its own material into the demo round's process.
		for _, seed := range []func() error{
			func() error { return demo.SeedDetainees(ctx, a.Talks, a.Auth, a.Detainees) },
			func() error { return demo.SeedCeasefire(ctx, a.Ceasefire, a.Talks, a.Auth) },
			func() error { return demo.SeedHumanitarian(ctx, a.Humanitarian, a.Talks, a.Auth) },
		} {
			if err = seed(); err != nil {
				break
			}
		}
	}
	if err != nil {
		log.Error("seeding the demo failed", "err", err)
		return 1
	}
	err = serveApp(ctx, a, hf, func(url string) {
		var b strings.Builder
		fmt.Fprintf(&b, "\nparley demo: %s\n", url)
		fmt.Fprintf(&b, "data folder: %s\n", *dataDir)
		if seeded {
			fmt.Fprintf(&b, "accounts (password: %s):\n", pw)
		} else {
			fmt.Fprintf(&b, "the folder was already seeded; accounts keep the password they were given then:\n")
		}
		for _, acc := range demo.Accounts {
			fmt.Fprintf(&b, "  %-18s %s\n", acc.Username, acc.OrgName)
		}
		b.WriteString("\nStop with Ctrl-C.\n")
		io.WriteString(stdout, b.String())
	})
	if err != nil {
		log.Error("serve failed", "err", err)
		return 1
	}
	return 0
}
