package detainees

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/detainees/match"
)

// Columns are the canonical columns of a list file, in order (issue 14):
// the mapping step maps other headers onto them.
var Columns = match.Columns

// Required are the columns a file must have (after mapping).
var Required = []string{"record_id", "status"}

// Ignore is the mapping target that drops a column of the file.
const Ignore = "ignore"

// Statuses of a record.
var Statuses = []string{"held", "released", "deceased", "unknown"}

// Record is one row of a list: a person as one side wrote them. Every field
// but RecordID and Status may be empty.
type Record struct {
	RecordID        string `json:"record_id"`
	NameAr          string `json:"name_ar,omitempty"`
	NameLatin       string `json:"name_latin,omitempty"`
	GivenName       string `json:"given_name,omitempty"`
	FatherName      string `json:"father_name,omitempty"`
	GrandfatherName string `json:"grandfather_name,omitempty"`
	FamilyName      string `json:"family_name,omitempty"`
	MotherName      string `json:"mother_name,omitempty"`
	Sex             string `json:"sex,omitempty"`
	BirthDate       string `json:"birth_date,omitempty"`
	BirthYear       string `json:"birth_year,omitempty"`
	BirthPlace      string `json:"birth_place,omitempty"`
	NationalID      string `json:"national_id,omitempty"`
	ArrestDate      string `json:"arrest_date,omitempty"`
	ArrestPlace     string `json:"arrest_place,omitempty"`
	HoldingParty    string `json:"holding_party,omitempty"`
	Status          string `json:"status"`
}

// fields returns pointers to the record's fields in the order of Columns.
func (r *Record) fields() []*string {
	return []*string{&r.RecordID, &r.NameAr, &r.NameLatin, &r.GivenName, &r.FatherName, &r.GrandfatherName,
		&r.FamilyName, &r.MotherName, &r.Sex, &r.BirthDate, &r.BirthYear, &r.BirthPlace, &r.NationalID,
		&r.ArrestDate, &r.ArrestPlace, &r.HoldingParty, &r.Status}
}

// Values returns the record's fields in the order of Columns.
func (r Record) Values() []string {
	out := make([]string, len(Columns))
	for i, p := range r.fields() {
		out[i] = *p
	}
	return out
}

// set sets the field of the canonical column col.
func (r *Record) set(col, v string) {
	for i, c := range Columns {
		if c == col {
			*r.fields()[i] = v
			return
		}
	}
}

// match returns the record as the matcher reads it.
func (r Record) match() match.Record {
	var m match.Record
	for i, v := range r.Values() {
		m.Set(Columns[i], v)
	}
	return m
}

// Identity is what the other side of an exchange reads of a person: the
// fields needed to tell who they are, and nothing about where they were
// arrested, where they are held or their family beyond the name chain.
type Identity struct {
	NameAr          string `json:"name_ar,omitempty"`
	NameLatin       string `json:"name_latin,omitempty"`
	GivenName       string `json:"given_name,omitempty"`
	FatherName      string `json:"father_name,omitempty"`
	GrandfatherName string `json:"grandfather_name,omitempty"`
	FamilyName      string `json:"family_name,omitempty"`
	Sex             string `json:"sex,omitempty"`
	BirthYear       string `json:"birth_year,omitempty"`
}

// Identity returns the identifying fields of the record; the birth year
// comes from the birth date when only that is given.
func (r Record) Identity() Identity {
	y := r.BirthYear
	if y == "" && len(r.BirthDate) >= 4 {
		y = r.BirthDate[:4]
	}
	return Identity{NameAr: r.NameAr, NameLatin: r.NameLatin, GivenName: r.GivenName, FatherName: r.FatherName,
		GrandfatherName: r.GrandfatherName, FamilyName: r.FamilyName, Sex: r.Sex, BirthYear: y}
}

// Display is the person's name as one line, in the script given: the
// whole name chain when the list has one, else the split names.
func (id Identity) Display(arabic bool) string {
	whole := id.NameLatin
	if arabic || whole == "" {
		if id.NameAr != "" {
			whole = id.NameAr
		}
	}
	if whole != "" {
		return whole
	}
	var parts []string
	for _, p := range []string{id.GivenName, id.FatherName, id.GrandfatherName, id.FamilyName} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// Latin is the person's name for the line beside the Arabic one: the
// Latin name chain, or the split names when there is no whole chain in
// either script; empty when the Arabic line already says it all.
func (id Identity) Latin() string {
	if id.NameLatin != "" || id.NameAr != "" {
		return id.NameLatin
	}
	return id.Display(false)
}

// Problem is one finding of a file's validation report: the row (1 is the
// header row) and the canonical column it concerns, and what is wrong.
type Problem struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Column != "" {
		return fmt.Sprintf("row %d, %s: %s", p.Row, p.Column, p.Message)
	}
	return fmt.Sprintf("row %d: %s", p.Row, p.Message)
}

// maxField bounds one field of a record.
const maxField = 300

// normalize trims the record's fields and puts the coded ones (sex,
// status) in their canonical case.
func (r *Record) normalize() {
	for _, p := range r.fields() {
		*p = strings.TrimSpace(*p)
	}
	r.Sex = strings.ToUpper(r.Sex)
	r.Status = strings.ToLower(r.Status)
}

// check validates one normalised record of row and returns what is wrong
// with it.
func (r *Record) check(row int, now time.Time) []Problem {
	var ps []Problem
	bad := func(col, format string, args ...any) {
		ps = append(ps, Problem{Row: row, Column: col, Message: fmt.Sprintf(format, args...)})
	}
	for i, p := range r.fields() {
		switch {
		case !utf8.ValidString(*p):
			bad(Columns[i], "not valid UTF-8")
		case utf8.RuneCountInString(*p) > maxField:
			bad(Columns[i], "longer than %d characters", maxField)
		case strings.ContainsFunc(*p, func(c rune) bool { return c < 0x20 || c == 0x7f }):
			bad(Columns[i], "contains a control character")
		}
	}
	// The canonical format (names, sex, dates, status values) is the
	// matcher's; the rest is what storing a list adds.
	for _, e := range r.match().Validate(row) {
		ps = append(ps, Problem{Row: row, Column: e.Field, Message: e.Message})
	}
	for _, d := range []struct{ col, v string }{{"birth_date", r.BirthDate}, {"arrest_date", r.ArrestDate}} {
		if t, err := time.Parse(time.DateOnly, d.v); err == nil && (t.After(now) || t.Year() < 1900) {
			bad(d.col, "%s is not between 1900 and today", d.v)
		}
	}
	if len(r.BirthYear) == 4 && len(r.BirthDate) >= 4 && r.BirthDate[:4] != r.BirthYear {
		bad("birth_year", "%s disagrees with the birth date %s", r.BirthYear, r.BirthDate)
	}
	if r.Status == "" {
		bad("status", "empty: held, released, deceased or unknown")
	}
	return ps
}
