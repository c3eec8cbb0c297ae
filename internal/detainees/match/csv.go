package match

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Columns are the canonical CSV columns of a detainee list, in order.
var Columns = []string{
	"record_id", "name_ar", "name_latin", "given_name", "father_name",
	"grandfather_name", "family_name", "mother_name", "sex", "birth_date",
	"birth_year", "birth_place", "national_id", "arrest_date", "arrest_place",
	"holding_party", "status",
}

// nameColumns are the columns of which a header needs at least one and a row
// at least one filled (or a national id), or nothing can be matched.
var nameColumns = []string{"name_ar", "name_latin", "given_name", "family_name"}

// RowError is one problem in an imported list. Line is the 1-based line of the
// file (the header is line 1; 0 when the record did not come from a file),
// Field the canonical column at fault ("" for the row as a whole).
type RowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (e RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
}

// field returns a pointer to the Record field behind a canonical column, or
// nil for an unknown column.
func (r *Record) field(column string) *string {
	switch column {
	case "record_id":
		return &r.ID
	case "name_ar":
		return &r.NameAr
	case "name_latin":
		return &r.NameLatin
	case "given_name":
		return &r.Given
	case "father_name":
		return &r.Father
	case "grandfather_name":
		return &r.Grandfather
	case "family_name":
		return &r.Family
	case "mother_name":
		return &r.Mother
	case "sex":
		return &r.Sex
	case "birth_date":
		return &r.BirthDate
	case "birth_year":
		return &r.BirthYear
	case "birth_place":
		return &r.BirthPlace
	case "national_id":
		return &r.NationalID
	case "arrest_date":
		return &r.ArrestDate
	case "arrest_place":
		return &r.ArrestPlace
	case "holding_party":
		return &r.HoldingParty
	case "status":
		return &r.Status
	}
	return nil
}

// Set stores value (trimmed) in the field of a canonical column; it reports
// false for an unknown column. A column-mapping step uses it to build Records
// from any header.
func (r *Record) Set(column, value string) bool {
	p := r.field(column)
	if p == nil {
		return false
	}
	*p = strings.TrimSpace(value)
	return true
}

// Get returns the value of a canonical column ("" for an unknown column).
func (r Record) Get(column string) string {
	if p := r.field(column); p != nil {
		return *p
	}
	return ""
}

// Validate lists every field of r that breaks the canonical format, each
// reported on line (pass 0 when r did not come from a file). It does not
// check that record ids are unique across a list; ReadCSV does.
func (r Record) Validate(line int) []RowError {
	var errs []RowError
	bad := func(field, msg string) { errs = append(errs, RowError{line, field, msg}) }
	if r.ID == "" {
		bad("record_id", "is empty")
	}
	if r.NameAr == "" && r.NameLatin == "" && r.Given == "" && r.Family == "" && r.NationalID == "" {
		bad("", "has no name (name_ar, name_latin, given_name or family_name) and no national_id")
	}
	switch r.Sex {
	case "", "M", "F":
	default:
		bad("sex", fmt.Sprintf("%q is not M, F or empty", r.Sex))
	}
	for _, d := range []struct{ col, v string }{{"birth_date", r.BirthDate}, {"arrest_date", r.ArrestDate}} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			bad(d.col, fmt.Sprintf("%q is not a date YYYY-MM-DD", d.v))
		}
	}
	if r.BirthYear != "" && !isYear(r.BirthYear) {
		bad("birth_year", fmt.Sprintf("%q is not a year YYYY", r.BirthYear))
	}
	switch r.Status {
	case "", "held", "released", "deceased", "unknown":
	default:
		bad("status", fmt.Sprintf("%q is not held, released, deceased or unknown", r.Status))
	}
	return errs
}

func isYear(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s >= "1900" && s <= "2100"
}

// ReadCSV reads a list in the canonical columns (a header row naming some or
// all of Columns, in any order; absent columns are empty). It returns the
// records and every bad row with its line and field; a caller that must
// import all or nothing checks that the []RowError is empty. The error is
// for a file that cannot be read as CSV at all.
func ReadCSV(r io.Reader) ([]Record, []RowError, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		br.Discard(3) // a byte-order mark, as spreadsheet programs write
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, []RowError{{1, "", "the file is empty: a header row is required"}}, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read list: %w", err)
	}
	var errs []RowError
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		var probe Record
		switch {
		case probe.field(h) == nil:
			errs = append(errs, RowError{1, h, "is not a canonical column"})
		case seen[h]:
			errs = append(errs, RowError{1, h, "appears twice in the header"})
		default:
			cols[i] = h
			seen[h] = true
		}
	}
	if !seen["record_id"] {
		errs = append(errs, RowError{1, "record_id", "required column is missing"})
	}
	hasName := false
	for _, c := range nameColumns {
		hasName = hasName || seen[c]
	}
	if !hasName {
		errs = append(errs, RowError{1, "name_ar", "no name column (name_ar, name_latin, given_name or family_name)"})
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}

	var recs []Record
	ids := map[string]int{}
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return recs, append(errs, RowError{pe.StartLine, "", pe.Err.Error()}), nil
			}
			return nil, nil, fmt.Errorf("read list: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(row) != len(cols) {
			errs = append(errs, RowError{line, "", fmt.Sprintf("has %d fields, the header %d", len(row), len(cols))})
			continue
		}
		var rec Record
		for i, v := range row {
			rec.Set(cols[i], v)
		}
		errs = append(errs, rec.Validate(line)...)
		if rec.ID != "" {
			if first, dup := ids[rec.ID]; dup {
				errs = append(errs, RowError{line, "record_id", fmt.Sprintf("%q already used on line %d", rec.ID, first)})
			} else {
				ids[rec.ID] = line
			}
		}
		recs = append(recs, rec)
	}
	return recs, errs, nil
}

// WriteCSV writes records in the canonical columns, header first.
func WriteCSV(w io.Writer, recs []Record) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	row := make([]string, len(Columns))
	for i := range recs {
		for j, c := range Columns {
			row[j] = recs[i].Get(c)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
