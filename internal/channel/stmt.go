package channel

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache prepares each distinct query once per transaction. The SQLite
// driver parses every statement it is given, and on the send path parsing
// costs more than running: a batch of sends reuses one prepared statement
// for each of its queries. It satisfies access.Querier, so rule checks in
// other packages (talks.MutualConsent) share it.
type stmtCache struct {
	tx *sql.Tx
	m  map[string]*sql.Stmt
	// terms, when set, collects the search index rows of a batch of sends
	// for one insert at its end (indexTerms).
	terms *[]termRow
}

func newStmtCache(tx *sql.Tx) *stmtCache { return &stmtCache{tx: tx, m: map[string]*sql.Stmt{}} }

func (c *stmtCache) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	st, err := c.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.m[q] = st
	return st, nil
}

// ExecContext runs q as a prepared statement.
func (c *stmtCache) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs q as a prepared statement.
func (c *stmtCache) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs q as a prepared statement. A failure to prepare
// shows as the row's error, through the plain transaction query.
func (c *stmtCache) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return c.tx.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// orgNames caches organisation names, which never change once written
// (parley has no rename); an unknown id is looked up.
type orgNames struct {
	mu sync.RWMutex
	m  map[string]string
}

func (o *orgNames) name(ctx context.Context, db *sql.DB, id string) string {
	o.mu.RLock()
	n, ok := o.m[id]
	o.mu.RUnlock()
	if ok {
		return n
	}
	if err := db.QueryRowContext(ctx, "SELECT name FROM orgs WHERE id = $1", id).Scan(&n); err != nil {
		return ""
	}
	o.mu.Lock()
	if o.m == nil {
		o.m = map[string]string{}
	}
	o.m[id] = n
	o.mu.Unlock()
	return n
}
