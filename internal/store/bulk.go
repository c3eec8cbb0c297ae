package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// Column is one column of a Batch's table: its name and its PostgreSQL type,
// one of "text", "bigint", "double precision", "bytea" and "boolean".
type Column struct {
	Name string
	Type string
}

// Columns builds the columns of a Batch's table from "name type" pairs:
// Columns("id text", "n bigint").
func Columns(specs ...string) []Column {
	out := make([]Column, len(specs))
	for i, sp := range specs {
		name, typ, _ := strings.Cut(sp, " ")
		out[i] = Column{Name: name, Type: typ}
	}
	return out
}

// Batch collects the rows a write transaction makes in several tables, for
// one write at its end. It is how a write that makes many rows at once (a
// batch of messages with their audiences, search terms and ledger events)
// stays cheap on both databases:
//
//   - On PostgreSQL every statement is a round trip, so the whole batch is
//     one statement, an INSERT per table chained as data-modifying WITH
//     clauses, each column sent as an array and unnested. The text depends
//     only on the tables and columns, not on the number of rows, so pgx
//     keeps it prepared on its connection. Foreign keys are checked at the
//     end of the statement, when every table has its rows.
//   - On SQLite a statement costs no round trip but parsing one costs more
//     than running it: one single-row statement is prepared per table and
//     run per row, tables in the order they were first added (parents
//     before children, for the foreign keys).
type Batch struct {
	parts []*batchPart
}

type batchPart struct {
	table  string
	cols   []Column
	suffix string
	rows   [][]any
}

// Add adds one row to table. Every row of a table in one batch has the same
// columns and suffix: those of its first row.
func (b *Batch) Add(table string, cols []Column, suffix string, row ...any) {
	p := b.part(table, cols, suffix)
	p.rows = append(p.rows, row)
}

// AddRows adds rows to table (see Add).
func (b *Batch) AddRows(table string, cols []Column, suffix string, rows [][]any) {
	if len(rows) == 0 {
		return
	}
	p := b.part(table, cols, suffix)
	p.rows = append(p.rows, rows...)
}

func (b *Batch) part(table string, cols []Column, suffix string) *batchPart {
	for _, p := range b.parts {
		if p.table == table {
			return p
		}
	}
	p := &batchPart{table: table, cols: cols, suffix: suffix}
	b.parts = append(b.parts, p)
	return p
}

// Len is the number of rows waiting.
func (b *Batch) Len() int {
	n := 0
	for _, p := range b.parts {
		n += len(p.rows)
	}
	return n
}

// Write inserts the rows waiting, inside tx, and empties the batch. A row
// whose values do not match its columns is refused before anything is
// written.
func (b *Batch) Write(ctx context.Context, tx *sql.Tx, d Dialect) error {
	parts := b.parts
	b.parts = nil
	for _, p := range parts {
		for _, r := range p.rows {
			if len(r) != len(p.cols) {
				return fmt.Errorf("insert into %s: a row of %d values for %d columns", p.table, len(r), len(p.cols))
			}
			for i, c := range p.cols {
				if err := checkValue(c, r[i]); err != nil {
					return fmt.Errorf("insert into %s: %w", p.table, err)
				}
			}
		}
	}
	if len(parts) == 0 {
		return nil
	}
	if d == Postgres {
		return writeUnnest(ctx, tx, parts)
	}
	for _, p := range parts {
		ph := make([]string, len(p.cols))
		for i := range p.cols {
			ph[i] = "$" + strconv.Itoa(i+1)
		}
		st, err := tx.PrepareContext(ctx, p.head()+"VALUES ("+strings.Join(ph, ", ")+") "+p.suffix)
		if err != nil {
			return fmt.Errorf("insert into %s: %w", p.table, err)
		}
		for _, r := range p.rows {
			if _, err := st.ExecContext(ctx, r...); err != nil {
				st.Close()
				return fmt.Errorf("insert into %s: %w", p.table, err)
			}
		}
		st.Close()
	}
	return nil
}

func (p *batchPart) head() string {
	names := make([]string, len(p.cols))
	for i, c := range p.cols {
		names[i] = c.Name
	}
	return "INSERT INTO " + p.table + "(" + strings.Join(names, ", ") + ") "
}

// writeUnnest is Write on PostgreSQL: one statement, one array per column.
func writeUnnest(ctx context.Context, tx *sql.Tx, parts []*batchPart) error {
	var args []any
	inserts := make([]string, len(parts))
	var tables []string
	for k, p := range parts {
		casts := make([]string, len(p.cols))
		for i, c := range p.cols {
			args = append(args, column(c, p.rows, i))
			casts[i] = "$" + strconv.Itoa(len(args)) + "::" + c.Type + "[]"
		}
		inserts[k] = p.head() + "SELECT * FROM unnest(" + strings.Join(casts, ", ") + ") " + p.suffix
		tables = append(tables, p.table)
	}
	q := inserts[len(inserts)-1]
	if len(inserts) > 1 {
		var w strings.Builder
		w.WriteString("WITH ")
		for k, ins := range inserts[:len(inserts)-1] {
			if k > 0 {
				w.WriteString(", ")
			}
			w.WriteString("w" + strconv.Itoa(k) + " AS (" + ins + ")")
		}
		q = w.String() + " " + q
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("insert into %s: %w", strings.Join(tables, ", "), err)
	}
	return nil
}

// column gathers the i-th value of every row (checked by checkValue) into a
// typed slice, which pgx sends as a PostgreSQL array.
func column(c Column, rows [][]any, i int) any {
	switch c.Type {
	case "text":
		return gather[string](rows, i)
	case "bigint":
		return gather[int64](rows, i)
	case "bytea":
		return gather[[]byte](rows, i)
	case "double precision":
		return gather[float64](rows, i)
	}
	return gather[bool](rows, i)
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
	case "double precision":
		_, ok = v.(float64)
	default:
		return fmt.Errorf("column %s: unsupported type %q", c.Name, c.Type)
	}
	if !ok {
		return fmt.Errorf("column %s (%s): value of type %T", c.Name, c.Type, v)
	}
	return nil
}
