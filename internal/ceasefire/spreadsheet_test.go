package ceasefire_test

import (
	"bytes"
	"encoding/csv"
	"maps"
	"os"
	osexec "os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"parley/internal/ceasefire"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// TestExportsOpenInASpreadsheet opens the CSV and HXL exports with a real
// spreadsheet program, Gnumeric's ssconvert (Debian's gnumeric package):
// each export is read as a workbook, saved as XLSX, and the XLSX read back
// to CSV; the columns the issue names must come back, in the first row
// (and for HXL the tags in the second), with the incidents' values, in
// English and in Arabic. In CI a missing ssconvert fails the test;
// elsewhere it skips.
func TestExportsOpenInASpreadsheet(t *testing.T) {
	ssconvert, err := osexec.LookPath("ssconvert")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ssconvert is missing; CI opens the exports with it (apt-get install --no-install-recommends gnumeric)")
		}
		t.Skip("ssconvert is missing: the exports are not opened in a spreadsheet")
	}
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		mon := talkstest.Head(w.Monitor)
		en := w.report(t, w.Monitor, w.input("The patrol saw shells fall on the spring."))
		ar := w.input("سقطت قذائف على أطراف القرية صباحاً.")
		ar.Place, ar.Admin1, ar.Lat, ar.Lon = "عين الفيجة", "ريف دمشق", ptr(33.71), ptr(36.25)
		w.report(t, w.Opp, ar)
		for _, st := range []string{ceasefire.UnderReview, ceasefire.ConfirmedViolation} {
			if _, err := w.cf.Verify(w.ctx, mon, en.IncidentID, ceasefire.Verification{Status: st, Reason: "craters seen"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.cf.Publish(w.ctx, mon, en.IncidentID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cf.AnswerIncident(w.ctx, talkstest.Head(w.Gov), en.IncidentID, "We returned fire only."); err != nil {
			t.Fatal(err)
		}
		named := []string{"event_date", "event_type", "sub_event_type", "actor1", "latitude", "longitude", "geo_precision",
			"admin1", "admin2", "location", "fatalities", "notes", "source"}
		tags := []string{"#date+occurred", "#event+type", "#geo+lat", "#geo+lon", "#adm1+name", "#affected+killed"}
		for _, format := range []string{ceasefire.FormatCSV, ceasefire.FormatHXL} {
			var buf bytes.Buffer
			if err := w.cf.Export(w.ctx, mon, w.Process.ID, ceasefire.Filter{Limit: -1}, format, &buf); err != nil {
				t.Fatal(err)
			}
			rows := throughSpreadsheet(t, ssconvert, buf.Bytes())
			header := rows[0]
			for _, col := range named {
				if !slices.Contains(header, col) {
					t.Errorf("%s: the spreadsheet has no column %q: %q", format, col, header)
				}
			}
			data := rows[1:]
			if format == ceasefire.FormatHXL {
				for _, tag := range tags {
					if !slices.Contains(rows[1], tag) {
						t.Errorf("hxl: the second row lacks the tag %s: %q", tag, rows[1])
					}
				}
				data = rows[2:]
			}
			if len(data) != 2 {
				t.Fatalf("%s: the spreadsheet has %d incident rows, want 2: %q", format, len(data), rows)
			}
			col := func(row []string, name string) string { return row[slices.Index(header, name)] }
			places := map[string][]string{}
			for _, row := range data {
				places[col(row, "location")] = row
			}
			arRow, enRow := places["عين الفيجة"], places["Ain al-Fijah"]
			if arRow == nil || enRow == nil {
				t.Fatalf("%s: the locations read back as %q", format, slices.Collect(maps.Keys(places)))
			}
			if col(arRow, "admin1") != "ريف دمشق" {
				t.Errorf("%s: admin1 reads back as %q", format, col(arRow, "admin1"))
			}
			if lat, err := strconv.ParseFloat(col(enRow, "latitude"), 64); err != nil || lat != 33.62 {
				t.Errorf("%s: latitude reads back as %q", format, col(enRow, "latitude"))
			}
			if col(enRow, "event_type") != "Explosions/Remote violence" || col(enRow, "fatalities") != "2" {
				t.Errorf("%s: event_type %q, fatalities %q", format, col(enRow, "event_type"), col(enRow, "fatalities"))
			}
			if !strings.Contains(col(enRow, "answers"), "We returned fire only.") {
				t.Errorf("%s: the answer reads back as %q", format, col(enRow, "answers"))
			}
		}
	})
}

// throughSpreadsheet has ssconvert read the CSV as a workbook and save it
// as XLSX, then read the XLSX and save its sheet as CSV, and returns the
// rows of that.
func throughSpreadsheet(t *testing.T, ssconvert string, export []byte) [][]string {
	t.Helper()
	dir := t.TempDir()
	in, xlsx, out := filepath.Join(dir, "export.csv"), filepath.Join(dir, "export.xlsx"), filepath.Join(dir, "back.csv")
	if err := os.WriteFile(in, export, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, step := range [][]string{
		{"--import-encoding=UTF-8", in, xlsx},
		{"--export-type=Gnumeric_stf:stf_csv", xlsx, out},
	} {
		cmd := osexec.Command(ssconvert, step...)
		cmd.Env = append(os.Environ(), "HOME="+dir)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ssconvert %s: %v\n%s", strings.Join(step, " "), err, b)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("the spreadsheet's CSV does not parse: %v\n%s", err, b)
	}
	if len(rows) < 2 {
		t.Fatalf("the spreadsheet has %d rows:\n%s", len(rows), b)
	}
	return rows
}
