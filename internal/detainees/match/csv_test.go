package match

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

const header = "record_id,name_ar,name_latin,given_name,father_name,grandfather_name,family_name,mother_name,sex,birth_date,birth_year,birth_place,national_id,arrest_date,arrest_place,holding_party,status\n"

func TestReadCSVValid(t *testing.T) {
	in := "\uFEFF" + header +
		"G-1,محمد أحمد الحسن,,,,,,فاطمة,M,1985-03-02,,حلب,01234567890,2014-05-01,Aleppo,government,held\n" +
		"G-2,,Ahmad Khaled Hallak,,,,,,,,1990,,,,,,\n"
	recs, bad, err := ReadCSV(strings.NewReader(in))
	if err != nil || len(bad) > 0 {
		t.Fatalf("ReadCSV: %v %v", err, bad)
	}
	if len(recs) != 2 || recs[0].NameAr != "محمد أحمد الحسن" || recs[0].BirthDate != "1985-03-02" || recs[1].BirthYear != "1990" {
		t.Fatalf("records = %+v", recs)
	}
	var out bytes.Buffer
	if err := WriteCSV(&out, recs); err != nil {
		t.Fatal(err)
	}
	again, bad, err := ReadCSV(&out)
	if err != nil || len(bad) > 0 || !slices.Equal(again, recs) {
		t.Fatalf("round trip: %v %v %+v", err, bad, again)
	}
	// Columns may come in any order and some may be absent.
	recs, bad, err = ReadCSV(strings.NewReader("name_latin,record_id\nOmar Ali,7\n"))
	if err != nil || len(bad) > 0 || len(recs) != 1 || recs[0].ID != "7" || recs[0].NameLatin != "Omar Ali" {
		t.Fatalf("reordered: %v %v %+v", err, bad, recs)
	}
}

func TestReadCSVReportsEveryBadRow(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []RowError // Line and Field only
	}{
		{"bad values", header +
			"1,محمد,,,,,,,X,1985-13-02,85,,,2014-02-30,,,free\n" +
			"2,,,,,,,,,,,,,,,,\n" +
			"1,علي,,,,,,,,,,,,,,,\n" +
			"3,علي,,,,,,,,,,,,,,\n",
			[]RowError{{2, "sex", ""}, {2, "birth_date", ""}, {2, "arrest_date", ""}, {2, "birth_year", ""}, {2, "status", ""},
				{3, "", ""}, {4, "record_id", ""}, {5, "", ""}}},
		{"empty id", header + ",محمد,,,,,,,,,,,,,,,\n", []RowError{{2, "record_id", ""}}},
		{"no record_id column", "name_ar\nمحمد\n", []RowError{{1, "record_id", ""}}},
		{"no name column", "record_id,sex\n1,M\n", []RowError{{1, "name_ar", ""}}},
		{"unknown and repeated columns", "record_id,name_ar,nom,name_ar\n", []RowError{{1, "nom", ""}, {1, "name_ar", ""}}},
		{"empty file", "", []RowError{{1, "", ""}}},
		{"broken quoting", header + "1,محمد,,,,,,,,,,,,,,,\n\"2,علي\n", []RowError{{3, "", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, bad, err := ReadCSV(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			var got []RowError
			for _, e := range bad {
				if e.Message == "" {
					t.Errorf("%v has no message", e)
				}
				got = append(got, RowError{Line: e.Line, Field: e.Field})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors = %v, want %v", bad, tt.want)
			}
		})
	}
}

func TestRecordSetGet(t *testing.T) {
	var r Record
	for i, c := range Columns {
		if !r.Set(c, " v"+c+" ") {
			t.Fatalf("Set(%q) refused", c)
		}
		if got := r.Get(Columns[i]); got != "v"+c {
			t.Errorf("Get(%q) = %q", c, got)
		}
	}
	if r.Set("nom", "x") || r.Get("nom") != "" {
		t.Error("an unknown column was accepted")
	}
}
