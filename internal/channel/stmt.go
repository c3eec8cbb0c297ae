package channel

import (
	"context"
	"database/sql"
	"sync"

	"parley/internal/store"
)

// stmtCache is a write transaction of the channel. On SQLite it prepares
// each distinct query once per transaction: the driver parses every
// statement it is given, and on the send path parsing costs more than
// running. On PostgreSQL it passes queries straight to the transaction,
// where pgx keeps them prepared on the connection (preparing them here would
// add a round trip to prepare and another to close each one). It satisfies
// access.Querier, so rule checks in other packages (talks.MutualConsent)
// share it.
type stmtCache struct {
	tx      *sql.Tx
	dialect store.Dialect
	m       map[string]*sql.Stmt
}

func newStmtCache(tx *sql.Tx, d store.Dialect) *stmtCache {
	return &stmtCache{tx: tx, dialect: d, m: map[string]*sql.Stmt{}}
}

// The columns of the rows a send writes (through ledger.Recorder.Insert).
var (
	messageColumns = store.Columns("id text", "round_id text", "kind text", "author_user text", "author_name text",
		"author_org text", "attributed_org text", "recipients text", "reply_to text", "body_enc bytea",
		"created_at bigint", "ledger_idx bigint")
	attachmentColumns = store.Columns("id text", "message_id text", "name_enc bytea", "content_type text",
		"size bigint", "sha256 bytea", "position bigint", "created_at bigint")
	termColumns  = store.Columns("term bytea", "item_id text")
	relayColumns = store.Columns("message_id text", "source_id text", "show_origin boolean")
)

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

// QueryContext runs q as a prepared statement.
func (c *stmtCache) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if c.dialect == store.Postgres {
		return c.tx.QueryContext(ctx, q, args...)
	}
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs q as a prepared statement. A failure to prepare
// shows as the row's error, through the plain transaction query.
func (c *stmtCache) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if c.dialect == store.Postgres {
		return c.tx.QueryRowContext(ctx, q, args...)
	}
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
