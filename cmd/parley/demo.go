package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
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
	workday := fs.Bool("workday", os.Getenv("PARLEY_DEMO_WORKDAY") != "off", "seed the round in progress: threads with a relay, a text at Rev.2 with positions, a package analysis, a released statement (env PARLEY_DEMO_WORKDAY=off for the bare round)")
	if code := parse(fs, args, stdout); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "demo: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	// Seeding is quiet: the URL and the accounts come first, then the
	// server's log at the level asked for.
	level := new(slog.LevelVar)
	level.Set(max(logLevel(), slog.LevelWarn))
	log := newLoggerAt(stderr, level)
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
		// Each track seeds its own material into the demo round's process;
		// the working day (threads, a text at Rev.2, an analysis, a
		// statement) unless --workday=false.
		seeds := []func() error{
			func() error { return demo.SeedDetainees(ctx, a.Talks, a.Auth, a.Detainees) },
			func() error { return demo.SeedCeasefire(ctx, a.Ceasefire, a.Talks, a.Auth) },
			func() error { return demo.SeedHumanitarian(ctx, a.Humanitarian, a.Talks, a.Auth) },
			func() error { return demo.SeedNames(ctx, a.Localized, a.Talks, a.Auth) },
		}
		if *workday {
			seeds = append(seeds, func() error {
				return demo.SeedWorkday(ctx, demo.Services{Auth: a.Auth, Talks: a.Talks, Channel: a.Channel, Text: a.Text, Bargain: a.Bargain, Localized: a.Localized})
			})
		}
		for _, seed := range seeds {
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
		fmt.Fprintf(&b, "start here: log in as mediator, open %q, then its conversation, texts and package analysis\n", demo.RoundName)
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
		level.Set(logLevel())
	})
	if err != nil {
		log.Error("serve failed", "err", err)
		return 1
	}
	return 0
}
