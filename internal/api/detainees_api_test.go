package api_test

import (
	"testing"

	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestDetaineesUploadReport: a file with bad rows is answered 400 with
// every bad row, and nothing is stored; a file that is neither CSV nor
// XLSX is answered the same way; the same list, corrected, imports.
func TestDetaineesUploadReport(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newDetaineesWorld(t, db)
		var ps struct{ Processes []struct{ ID string } }
		w.do(t, "chair", "GET", "/api/v1/processes", nil).decode(t, &ps)
		proc := ps.Processes[0].ID
		type report struct {
			Error struct {
				Code, Field string
				Rows        []struct {
					Row     int
					Column  string
					Message string
				}
			}
		}
		for _, c := range []struct {
			name, file string
			rows       []int
		}{
			{"bad rows", "record_id,name_latin,birth_date,sex,status\nA,Ali,1985-02-30,M,held\nB,Omar,,X,held\nC,Samir,,,free\nD,Nour,,,held\n", []int{2, 3, 4}},
			{"not a list", "\x00\x01PNG", []int{0}},
		} {
			res := w.uploadList(t, "gov.head", proc, "held", c.file)
			var r report
			res.decode(t, &r)
			var rows []int
			for _, p := range r.Error.Rows {
				rows = append(rows, p.Row)
			}
			if res.status != 400 || r.Error.Code != "invalid_file" || r.Error.Field != "file" || len(rows) != len(c.rows) {
				t.Errorf("%s: %d %s", c.name, res.status, res.body)
				continue
			}
			for i := range rows {
				if rows[i] != c.rows[i] {
					t.Errorf("%s: rows %v, want %v", c.name, rows, c.rows)
				}
			}
		}
		var ls struct{ Lists []struct{ ID string } }
		w.do(t, "gov.head", "GET", "/api/v1/processes/"+proc+"/detainees/lists", nil).decode(t, &ls)
		if len(ls.Lists) != 0 {
			t.Errorf("after refused files: %d lists", len(ls.Lists))
		}
		if res := w.uploadList(t, "gov.head", proc, "held", "record_id,name_latin,status\nA,Ali,held\n"); res.status != 201 {
			t.Errorf("a valid list: %d %s", res.status, res.body)
		}
	})
}
