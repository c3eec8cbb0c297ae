package cfplan

import (
	"context"
	"database/sql"
	"os"
	"testing"

	_ "modernc.org/sqlite"
)

func TestPlan(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+os.Getenv("DBFILE")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	q := os.Getenv("Q")
	rows, err := db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a, b, c int
		var d string
		rows.Scan(&a, &b, &c, &d)
		t.Log(d)
	}
}
