package detainees

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/errs"
)

// Limits on an imported list.
const (
	// MaxFile bounds an uploaded list file.
	MaxFile = 32 << 20
	// MaxRecords bounds the records of one list.
	MaxRecords = 200_000
	// maxProblems bounds the problems a validation report lists; past it
	// the report says how many more there are.
	maxProblems = 1000
)

// File formats of a list.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// FileError is the answer to a list file that cannot be imported: what is
// wrong with it, row by row. Nothing of the file is stored.
type FileError struct {
	Problems []Problem
	// More counts the problems past the ones listed.
	More int
}

func (e *FileError) Error() string {
	return fmt.Sprintf("%s: the file has %d problems; nothing was imported", InvalidFile, len(e.Problems)+e.More)
}

// Err returns the platform error the file's problems answer with.
func (e *FileError) Err() *errs.Error {
	return &errs.Error{Code: InvalidFile, Field: "file", Err: e,
		Message: fmt.Sprintf("the file has %d problems; nothing was imported", len(e.Problems)+e.More)}
}

// fileErr wraps a FileError into an errs.Error whose cause it is, so that
// the HTTP layers can list its rows.
func fileErr(ps []Problem) error {
	fe := &FileError{Problems: ps}
	if len(ps) > maxProblems {
		fe.Problems, fe.More = ps[:maxProblems], len(ps)-maxProblems
	}
	return fe.Err()
}

// AsFileError returns the rows of a file error inside err.
func AsFileError(err error) (*FileError, bool) {
	var fe *FileError
	ok := errors.As(err, &fe)
	return fe, ok
}

// Table is a list file read into cells: its header row and its data rows.
type Table struct {
	Format string
	Header []string
	Rows   [][]string
}

// ReadTable reads a CSV (UTF-8, comma or semicolon separated) or XLSX
// file. Anything else is refused with a FileError.
func ReadTable(data []byte) (Table, error) {
	if len(data) > MaxFile {
		return Table{}, fileErr([]Problem{{Row: 0, Message: fmt.Sprintf("the file is larger than %d MiB", MaxFile>>20)}})
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		rows, err := readXLSX(data)
		if err != nil {
			return Table{}, fileErr([]Problem{{Row: 0, Message: "not a readable XLSX workbook: " + err.Error()}})
		}
		return table(FormatXLSX, rows)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return Table{}, fileErr([]Problem{{Row: 0, Message: "the file is neither CSV (UTF-8 text) nor XLSX"}})
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	first, _, _ := strings.Cut(string(data), "\n")
	if strings.Count(first, ";") > strings.Count(first, ",") {
		cr.Comma = ';'
	}
	var rows [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return Table{}, fileErr([]Problem{{Row: line, Message: "not valid CSV: " + err.Error()}})
		}
		rows = append(rows, rec)
		if len(rows) > MaxRecords+1 {
			break
		}
	}
	return table(FormatCSV, rows)
}

func table(format string, rows [][]string) (Table, error) {
	// Trailing empty rows (spreadsheets keep them) are not records.
	for len(rows) > 0 && slices.IndexFunc(rows[len(rows)-1], func(c string) bool { return strings.TrimSpace(c) != "" }) < 0 {
		rows = rows[:len(rows)-1]
	}
	if len(rows) == 0 {
		return Table{}, fileErr([]Problem{{Row: 1, Message: "the file is empty: it needs a header row"}})
	}
	if len(rows)-1 > MaxRecords {
		return Table{}, fileErr([]Problem{{Row: MaxRecords + 2, Message: fmt.Sprintf("a list has at most %d records", MaxRecords)}})
	}
	t := Table{Format: format, Header: rows[0], Rows: rows[1:]}
	for i, h := range t.Header {
		t.Header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	}
	return t, nil
}

// aliases are headers seen in lists that mean a canonical column; the
// mapping step proposes them and the person confirms or changes them.
var aliases = map[string]string{
	"id": "record_id", "no": "record_id", "number": "record_id", "ref": "record_id", "الرقم": "record_id",
	"name": "name_latin", "full_name": "name_latin", "fullname": "name_latin", "الاسم": "name_ar", "الاسم الكامل": "name_ar",
	"arabic_name": "name_ar", "first_name": "given_name", "given": "given_name", "الاسم الأول": "given_name",
	"father": "father_name", "اسم الأب": "father_name", "grandfather": "grandfather_name", "اسم الجد": "grandfather_name",
	"surname": "family_name", "last_name": "family_name", "family": "family_name", "الكنية": "family_name", "العائلة": "family_name",
	"mother": "mother_name", "اسم الأم": "mother_name", "gender": "sex", "الجنس": "sex",
	"dob": "birth_date", "date_of_birth": "birth_date", "تاريخ الولادة": "birth_date", "year_of_birth": "birth_year", "yob": "birth_year",
	"place_of_birth": "birth_place", "pob": "birth_place", "مكان الولادة": "birth_place",
	"national_number": "national_id", "nid": "national_id", "الرقم الوطني": "national_id",
	"date_of_arrest": "arrest_date", "place_of_arrest": "arrest_place", "held_by": "holding_party", "الحالة": "status",
}

// headerKey is a header as compared with the canonical columns and the
// aliases: lower case, words joined by underscores.
func headerKey(h string) string {
	k := strings.ToLower(strings.TrimSpace(h))
	if strings.ContainsFunc(k, func(r rune) bool { return r >= 0x0600 && r <= 0x06ff }) {
		return k
	}
	return strings.Join(strings.FieldsFunc(k, func(r rune) bool { return r == ' ' || r == '-' || r == '_' || r == '.' }), "_")
}

// Suggest proposes a mapping of the table's headers onto the canonical
// columns: a canonical header maps to itself, a known alias to its column;
// the rest are left for the person to map.
func (t Table) Suggest() map[string]string {
	m := map[string]string{}
	for _, h := range t.Header {
		k := headerKey(h)
		switch {
		case slices.Contains(Columns, k):
			m[h] = k
		case aliases[k] != "":
			m[h] = aliases[k]
		}
	}
	return m
}

// Report is a table checked against a mapping: the records it would
// import and every problem found. Nothing is imported while Problems is
// not empty.
type Report struct {
	Format   string
	Header   []string
	Mapping  map[string]string // header → canonical column or Ignore
	Records  []Record
	Problems []Problem
}

// Check maps the table's headers with mapping (header → canonical column
// or Ignore; headers not in it keep the suggestion of Suggest) and
// validates every row.
func (t Table) Check(mapping map[string]string, now time.Time) Report {
	rep := Report{Format: t.Format, Header: t.Header, Mapping: t.Suggest()}
	for h, c := range mapping {
		if slices.Contains(t.Header, h) {
			rep.Mapping[h] = c
		}
	}
	col := make([]string, len(t.Header))
	seen := map[string]string{}
	for i, h := range t.Header {
		c := rep.Mapping[h]
		switch {
		case h == "":
			rep.Problems = append(rep.Problems, Problem{Row: 1, Message: fmt.Sprintf("column %d has no header", i+1)})
		case c == Ignore:
		case c == "":
			rep.Problems = append(rep.Problems, Problem{Row: 1, Message: fmt.Sprintf("the column %q is not mapped: map it onto a canonical column or ignore it", h)})
		case !slices.Contains(Columns, c):
			rep.Problems = append(rep.Problems, Problem{Row: 1, Message: fmt.Sprintf("the column %q is mapped onto %q, which is not a canonical column", h, c)})
		case seen[c] != "":
			rep.Problems = append(rep.Problems, Problem{Row: 1, Column: c, Message: fmt.Sprintf("both %q and %q are mapped onto %s", seen[c], h, c)})
		default:
			seen[c], col[i] = h, c
		}
	}
	for _, c := range Required {
		if seen[c] == "" {
			rep.Problems = append(rep.Problems, Problem{Row: 1, Column: c, Message: "the required column " + c + " is not in the file (or not mapped)"})
		}
	}
	if len(rep.Problems) > 0 {
		return rep
	}
	ids := map[string]int{}
	for i, cells := range t.Rows {
		row := i + 2
		var r Record
		for j, v := range cells {
			if j < len(col) && col[j] != "" {
				if t.Format == FormatXLSX && (col[j] == "birth_date" || col[j] == "arrest_date") {
					v = excelDate(strings.TrimSpace(v))
				}
				r.set(col[j], v)
			} else if j >= len(col) && strings.TrimSpace(v) != "" {
				rep.Problems = append(rep.Problems, Problem{Row: row, Message: fmt.Sprintf("a value in column %d, which has no header", j+1)})
			}
		}
		r.normalize()
		rep.Problems = append(rep.Problems, r.check(row, now)...)
		if r.RecordID != "" {
			if first, ok := ids[r.RecordID]; ok {
				rep.Problems = append(rep.Problems, Problem{Row: row, Column: "record_id", Message: fmt.Sprintf("%q is also the id of row %d", r.RecordID, first)})
			} else {
				ids[r.RecordID] = row
			}
		}
		rep.Records = append(rep.Records, r)
	}
	if len(rep.Records) == 0 {
		rep.Problems = append(rep.Problems, Problem{Row: 2, Message: "the file has no records"})
	}
	return rep
}

// Inspect reads a list file and checks it against mapping without storing
// anything: the upload page's mapping step and validation report.
func Inspect(data []byte, mapping map[string]string, now time.Time) (Report, error) {
	t, err := ReadTable(data)
	if err != nil {
		return Report{}, err
	}
	return t.Check(mapping, now), nil
}
