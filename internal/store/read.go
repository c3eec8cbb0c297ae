package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// Reader runs the queries of one read-only transaction through statements
// prepared once per pool connection and kept: SQLite (in pure Go) spends
// more time compiling a query than running the small ones a page needs, and
// PostgreSQL saves a parse per query too. It satisfies access.Querier.
type Reader struct {
	tx *sql.Tx
	db *DB
}

// stmtCache holds the prepared statements of the read pool, by query text.
// Queries are built from constant fragments, so the set stays small.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (db *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	if st, ok := db.stmts.m[query]; ok {
		return st, nil
	}
	st, err := db.R.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if db.stmts.m == nil {
		db.stmts.m = map[string]*sql.Stmt{}
	}
	db.stmts.m[query] = st
	return st, nil
}

// ReadTx runs fn in one read-only transaction on the read pool, so that the
// several queries behind one answer see one snapshot (repeatable read on
// PostgreSQL; SQLite's WAL gives a snapshot per transaction).
func (db *DB) ReadTx(ctx context.Context, fn func(r *Reader) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.R.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(&Reader{tx: tx, db: db})
}

// QueryContext runs a query in the transaction with a cached statement.
func (r *Reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := r.db.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return r.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

// QueryRowContext runs a one-row query in the transaction with a cached
// statement. A failure to prepare surfaces from Scan, as with *sql.Tx.
func (r *Reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := r.db.stmt(ctx, query)
	if err != nil {
		// Let the transaction report the same error on Scan.
		return r.tx.QueryRowContext(ctx, query, args...)
	}
	return r.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

// Cached reads outside a transaction through the read pool's cached
// statements: for hot single queries, such as the session lookup every
// request makes. It satisfies access.Querier.
func (db *DB) Cached() CachedReader { return CachedReader{db: db} }

// CachedReader is the access.Querier returned by DB.Cached.
type CachedReader struct{ db *DB }

// QueryContext runs a query with a cached statement.
func (c CachedReader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.db.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a one-row query with a cached statement.
func (c CachedReader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.db.stmt(ctx, query)
	if err != nil {
		return c.db.R.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
