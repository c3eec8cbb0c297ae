// Package store opens parley's database (SQLite or PostgreSQL), applies the
// embedded migrations and runs transactions. Both dialects share one
// database/sql code path with $N placeholders; Dialect holds the few places
// where they differ.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations
var migrations embed.FS

// Dialect names the database flavour.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open parley database.
type DB struct {
	// W runs write transactions. On SQLite it is a single connection with
	// BEGIN IMMEDIATE, so writers queue in Go instead of spinning on
	// SQLITE_BUSY; on PostgreSQL it is the same pool as R.
	W *sql.DB
	// R serves reads outside transactions.
	R       *sql.DB
	Dialect Dialect
	// Path is the SQLite file, empty on PostgreSQL.
	Path string
	// file is Path as opened: a write must not commit into a file that
	// was removed or replaced since (checkFile).
	file os.FileInfo

	stmts stmtCache

	dsn       string // PostgreSQL only, for OpenConn
	closed    chan struct{}
	closeOnce sync.Once
}

// Open opens the database named by dsn. An empty dsn, or one that is not a
// postgres:// URL, means the SQLite file "parley.db" in dataDir (or the file
// named by a "sqlite:" / "file:" dsn).
func Open(ctx context.Context, dsn, dataDir string) (db *DB, err error) {
	defer wrap(&err, "store.Open")
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	path := filepath.Join(dataDir, "parley.db")
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path = strings.TrimPrefix(dsn, "sqlite:")
	case strings.HasPrefix(dsn, "file:"):
		path = strings.TrimPrefix(dsn, "file:")
	case dsn != "":
		return nil, fmt.Errorf("unsupported database %q: use postgres://... or sqlite:FILE", redact(dsn))
	}
	return openSQLite(ctx, path)
}

func sqliteDSN(path string, write bool) string {
	q := url.Values{}
	// temp_store(MEMORY): statement journals of multi-row writes stay off the disk.
	// mmap_size: pages are read from the operating system's page cache
	// through a mapping shared by every connection, instead of a pread
	// and a copy into each connection's own cache (most of a large map
	// query's or duplicate search's time was that; docs/ceasefire.md).
	// cache_size: 32 MiB per connection (SQLite's default is 2 MiB) for
	// the pages written or not mapped.
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)", "temp_store(MEMORY)",
		"mmap_size(4294967296)", "cache_size(-32768)"} {
		q.Add("_pragma", p)
	}
	if write {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	// The path is part of a URI: escape what would end it early.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?" + q.Encode()
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	// Create the file owner-only before SQLite does (it would honour the
	// umask): it holds every organisation's confidential material.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
		f.Close()
	} else {
		return nil, err
	}
	w, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		w.Close()
		return nil, err
	}
	db := &DB{W: w, Dialect: SQLite, Path: path, file: fi, closed: make(chan struct{})}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8) // keep them: opening one re-reads the schema and the pragmas
	db.R = r
	return db, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(32)
	p.SetConnMaxIdleTime(5 * time.Minute)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w", redact(dsn), err)
	}
	db := &DB{W: p, R: p, Dialect: Postgres, dsn: dsn, closed: make(chan struct{})}
	if err := db.migrate(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return db, nil
}

// redact hides a password in a DSN so that it can be logged.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Redact is redact for callers that log a DSN.
func Redact(dsn string) string { return redact(dsn) }

// OpenConn opens a PostgreSQL connection of its own, outside the pools,
// named application_name (unless the DSN names one), for a caller that holds
// it as long as it runs: the live stream's LISTEN waits on one for as long
// as the process serves, and the channels it listens on must not follow a
// pooled connection back into the pool. The caller closes it.
func (db *DB) OpenConn(ctx context.Context, applicationName string) (*pgx.Conn, error) {
	if db.Dialect != Postgres {
		return nil, fmt.Errorf("store.OpenConn: %s has no connections of its own", db.Dialect)
	}
	cfg, err := pgx.ParseConfig(db.dsn)
	if err != nil {
		return nil, fmt.Errorf("store.OpenConn: %w", err)
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = applicationName
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w", redact(db.dsn), err)
	}
	return conn, nil
}

// Done is closed when Close is called, so that a goroutine working on the
// database in the background (the live stream's listener) stops with it.
func (db *DB) Done() <-chan struct{} { return db.closed }

// Close closes the database.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.closed) })
	db.stmts.mu.Lock()
	for _, st := range db.stmts.m {
		st.Close()
	}
	db.stmts.m = nil
	db.stmts.mu.Unlock()
	var errR error
	if db.R != nil && db.R != db.W {
		errR = db.R.Close()
	}
	return errors.Join(db.W.Close(), errR)
}

func (db *DB) migrate(ctx context.Context) error {
	dir := "migrations/" + string(db.Dialect)
	fsys, err := fs.Sub(migrations, dir)
	if err != nil {
		return err
	}
	gd := goose.DialectSQLite3
	if db.Dialect == Postgres {
		gd = goose.DialectPostgres
	}
	p, err := goose.NewProvider(gd, db.W, fsys)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Migrate applies any pending migrations. Open already does this; the
// command "parley migrate" calls it to report the version.
func (db *DB) Version(ctx context.Context) (int64, error) {
	var v int64
	err := db.R.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&v)
	return v, err
}

// Tx runs fn in one write transaction, committing when fn returns nil and
// rolling back otherwise. Every parley write goes through here.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := db.checkFile(); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Backup writes a consistent snapshot of the database to out while it stays
// online: VACUUM INTO on SQLite, pg_dump on PostgreSQL (backup.go).
func (db *DB) Backup(ctx context.Context, out string) error {
	if db.Dialect == Postgres {
		return db.dump(ctx, out)
	}
	_, err := db.W.ExecContext(ctx, "VACUUM INTO $1", out)
	return err
}

// NewID returns a new 128-bit identifier as 32 hex digits: the creation
// time in Unix milliseconds (48 bits, as in a version 7 UUID) followed by 80
// random bits. The random part keeps an id unguessable, so an id says
// nothing about what else exists and cannot be found by counting; the time
// part, which tells only when the item was made, puts new rows at the end of
// every index keyed by id instead of on random pages, which is what lets a
// write transaction touch a handful of pages rather than one per row
// (docs/channel.md, "Throughput").
func NewID() string {
	var b [16]byte
	ms := uint64(time.Now().UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (8 * (5 - i)))
	}
	rand.Read(b[6:])
	return hex.EncodeToString(b[:])
}

// ValidID reports whether s has the shape of an id from NewID. Handlers use it
// to answer a malformed id with the same 404 as an unknown one.
func ValidID(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// Now returns the current time in the form parley stores times: Unix
// microseconds, which both dialects hold exactly as a 64-bit integer.
func Now() int64 { return time.Now().UnixMicro() }

// Time converts a stored time back.
func Time(us int64) time.Time { return time.UnixMicro(us).UTC() }

// Stamp converts a time to its stored form.
func Stamp(t time.Time) int64 { return t.UnixMicro() }

// IsUniqueViolation reports whether err is a unique or primary-key violation,
// by error code rather than message text.
func IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKeyViolation reports whether err is a foreign-key violation.
func IsForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

func wrap(errp *error, what string) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", what, *errp)
	}
}
