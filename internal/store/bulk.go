package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// Column is one column of InsertRows: its name and its PostgreSQL type,
// one of "text", "bigint", "bytea" and "boolean".
type Column struct {
	Name string
	Type string
}

// Columns builds the columns of InsertRows from "name type" pairs:
// Columns("id text", "n bigint").
func Columns(specs ...string) []Column {
	out := make([]Column, len(specs))
	for i, sp := range specs {
		name, typ, _ := strings.Cut(sp, " ")
		out[i] = Column{Name: name, Type: typ}
	}
	return out
}

// InsertRows inserts rows into table inside tx, each row holding one value
// per column (string, int64, []byte or bool, matching the column's type),
// with suffix (say "ON CONFLICT DO NOTHING") after the statement.
//
// It is how a write that makes many rows at once (a batch of messages, their
// audiences, their ledger events) stays cheap on both databases. On
// PostgreSQL every statement is a round trip, so the rows go in one
// statement of fixed text whatever their number: each column is sent as an
// array and unnested, and pgx keeps the statement prepared on its
// connection. On SQLite a statement costs no round trip but parsing it costs
// more than running it, so one single-row statement is prepared and run per
// row.
func (d Dialect) InsertRows(ctx context.Context, tx *sql.Tx, table string, cols []Column, suffix string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	for _, r := range rows {
		if len(r) != len(cols) {
			return fmt.Errorf("insert into %s: a row of %d values for %d columns", table, len(r), len(cols))
		}
		for i, c := range cols {
			if err := checkValue(c, r[i]); err != nil {
				return fmt.Errorf("insert into %s: %w", table, err)
			}
		}
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	head := "INSERT INTO " + table + "(" + strings.Join(names, ", ") + ") "
	if d == Postgres {
		return insertUnnest(ctx, tx, head, cols, suffix, rows)
	}
	ph := make([]string, len(cols))
	for i := range cols {
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	st, err := tx.PrepareContext(ctx, head+"VALUES ("+strings.Join(ph, ", ")+") "+suffix)
	if err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	defer st.Close()
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, r...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

// insertUnnest is InsertRows on PostgreSQL: one statement, one array per
// column.
func insertUnnest(ctx context.Context, tx *sql.Tx, head string, cols []Column, suffix string, rows [][]any) error {
	args := make([]any, len(cols))
	casts := make([]string, len(cols))
	for i, c := range cols {
		casts[i] = "$" + strconv.Itoa(i+1) + "::" + c.Type + "[]"
		var err error
		if args[i], err = column(c, rows, i); err != nil {
			return fmt.Errorf("%s: %w", head, err)
		}
	}
	q := head + "SELECT * FROM unnest(" + strings.Join(casts, ", ") + ") " + suffix
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("%s: %w", strings.TrimSpace(head), err)
	}
	return nil
}

// column gathers the i-th value of every row into a typed slice, which pgx
// sends as a PostgreSQL array.
func column(c Column, rows [][]any, i int) (any, error) {
	switch c.Type {
	case "text":
		return gather[string](rows, i), nil
	case "bigint":
		return gather[int64](rows, i), nil
	case "bytea":
		return gather[[]byte](rows, i), nil
	case "boolean":
		return gather[bool](rows, i), nil
	}
	return nil, fmt.Errorf("column %s: unsupported type %q", c.Name, c.Type)
}

func gather[T any](rows [][]any, i int) []T {
	out := make([]T, len(rows))
	for j, r := range rows {
		out[j] = r[i].(T)
	}
	return out
}

// checkValue reports a value that does not match its column's type, before
// anything is written: SQLite would otherwise store it as given.
func checkValue(c Column, v any) error {
	ok := false
	switch c.Type {
	case "text":
		_, ok = v.(string)
	case "bigint":
		_, ok = v.(int64)
	case "bytea":
		_, ok = v.([]byte)
	case "boolean":
		_, ok = v.(bool)
	default:
		return fmt.Errorf("column %s: unsupported type %q", c.Name, c.Type)
	}
	if !ok {
		return fmt.Errorf("column %s (%s): value of type %T", c.Name, c.Type, v)
	}
	return nil
}
