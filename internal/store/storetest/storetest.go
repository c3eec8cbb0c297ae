// Package storetest runs one test body against every database parley
// supports: SQLite always, and PostgreSQL whenever PARLEY_TEST_POSTGRES holds a
// DSN. Each run gets a fresh, empty, migrated database. In CI (CI is set) a
// missing or unreachable PostgreSQL fails the test instead of skipping it.
package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"parley/internal/store"
)

// EnvPostgres names the environment variable holding the test PostgreSQL DSN.
const EnvPostgres = "PARLEY_TEST_POSTGRES"

// postgresDSN is the test PostgreSQL's DSN, "" when none is configured
// outside CI; in CI a missing one fails the test.
func postgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" && os.Getenv("CI") != "" {
		t.Fatalf("%s is not set; CI must run the PostgreSQL suite", EnvPostgres)
	}
	return dsn
}

// PostgresOnly returns the test PostgreSQL's DSN for a test of PostgreSQL
// alone, and skips the test when none is configured (outside CI).
func PostgresOnly(t testing.TB) string {
	t.Helper()
	dsn := postgresDSN(t)
	if dsn == "" {
		t.Skip("PostgreSQL not configured")
	}
	return dsn
}

// WithAllDatabases runs fn as a subtest named "sqlite", and as one named
// "postgres" when PostgreSQL is configured.
func WithAllDatabases(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, SQLite(t))
	})
	dsn := postgresDSN(t)
	if dsn == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) {
		fn(t, Postgres(t, dsn))
	})
}

// WithAllDSNs is WithAllDatabases for tests that open the database
// themselves (a whole app, a restarted server): fn gets "" (SQLite in the
// data folder) as "sqlite", and a fresh PostgreSQL schema's DSN as
// "postgres" when PostgreSQL is configured.
func WithAllDSNs(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, "") })
	dsn := postgresDSN(t)
	if dsn == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresDSN(t, dsn)) })
}

// SQLite returns a fresh SQLite database in a temporary folder.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, "test.db"), dir)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Postgres returns a fresh PostgreSQL database: a new schema in the database
// named by dsn, dropped when the test ends.
func Postgres(t testing.TB, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	schema := "t_" + store.NewID()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("postgres at %s unreachable or unusable: %v", store.Redact(dsn), err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", dsn)
		if err != nil {
			return
		}
		defer a.Close()
		a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	db, err := store.Open(ctx, withSearchPath(dsn, schema), "")
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func withSearchPath(dsn, schema string) string {
	u, err := url.Parse(dsn)
	if err != nil || !strings.Contains(dsn, "://") {
		return dsn + " search_path=" + schema
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// PostgresDSN creates a fresh, empty schema in the database named by dsn,
// dropped when the test ends, and returns a DSN whose search_path selects
// it. It is for tests that open the database themselves (the whole app,
// through app.Config.DB); store.Open applies the migrations.
func PostgresDSN(t testing.TB, dsn string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	schema := "t_" + store.NewID()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("postgres at %s unreachable or unusable: %v", store.Redact(dsn), err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", dsn)
		if err != nil {
			return
		}
		defer a.Close()
		a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	return withSearchPath(dsn, schema)
}

// Exec runs a statement on db's writer outside the services, as a test
// that tampers with the stored state does, and fails t on error.
func Exec(t testing.TB, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.W.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}
