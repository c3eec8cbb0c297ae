package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"parley/internal/app"
)

// newFlags returns a flag set that reports errors instead of exiting, so
// that every command answers bad flags with its usage and status 2.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: parley %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; it returns -1 to continue, or the exit status: 0 after
// --help (usage printed to stdout), 2 after a bad flag.
func parse(fs *flag.FlagSet, args []string, stdout io.Writer) int {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return 0
	}
	if err != nil {
		return 2
	}
	return -1
}

// storeFlags are the flags every command that opens the database shares.
type storeFlags struct {
	dataDir string
	db      string
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.dataDir, "data-dir", envOr("PARLEY_DATA_DIR", "data"), "data folder: SQLite file, keys, attachments (env PARLEY_DATA_DIR)")
	fs.StringVar(&s.db, "db", os.Getenv("PARLEY_DB"), "database: empty for SQLite in the data folder, or postgres://... (env PARLEY_DB)")
}

func (s *storeFlags) config() app.Config {
	return app.Config{DataDir: s.dataDir, DB: s.db}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// newLogger builds the process logger from PARLEY_LOG_LEVEL (debug, info,
// warn, error) and PARLEY_LOG_FORMAT (text, json).
func newLogger(w io.Writer) *slog.Logger { return newLoggerAt(w, logLevel()) }

// logLevel is the level PARLEY_LOG_LEVEL asks for, info by default.
func logLevel() slog.Level {
	var level slog.Level
	if err := level.UnmarshalText([]byte(envOr("PARLEY_LOG_LEVEL", "info"))); err != nil {
		level = slog.LevelInfo
	}
	return level
}

// newLoggerAt is newLogger at a level that may change while it runs.
func newLoggerAt(w io.Writer, level slog.Leveler) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(os.Getenv("PARLEY_LOG_FORMAT"), "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
