package detainees_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/detainees"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks/talkstest"
)

// world is the talks fixture with the detainee service, its actors and the
// fixture's agency named the neutral agency.
type world struct {
	*talkstest.Fixture
	D                        *detainees.Service
	Med, MedMember, Gov, Opp access.Actor
	Agency, Host, Guarantor  access.Actor
	Outsider                 access.Actor
	ctx                      context.Context
}

func newWorld(t *testing.T, db *store.DB, named bool) *world {
	t.Helper()
	f := talkstest.New(t, db)
	d, err := detainees.New(db, f.Ledger, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{Fixture: f, D: d, ctx: context.Background(),
		Med: talkstest.Head(f.Mediation), MedMember: talkstest.Actor(f.Mediation, access.Member),
		Gov: talkstest.Actor(f.Gov, access.Member), Opp: talkstest.Head(f.Opp),
		Agency: talkstest.Actor(f.Agency, access.Member), Host: talkstest.Head(f.Host),
		Guarantor: talkstest.Head(f.Guarantor), Outsider: talkstest.Head(f.Outsider)}
	if named {
		if _, err := d.SetAgency(w.ctx, w.Med, f.Process.ID, f.Agency.ID); err != nil {
			t.Fatalf("SetAgency: %v", err)
		}
	}
	return w
}

const govCSV = `record_id,name_ar,name_latin,sex,birth_year,birth_place,national_id,status
G1,محمد أحمد الحسن,Mohammed Ahmad al-Hassan,M,1985,Homs,01020304,held
G2,أحمد خالد العلي,Ahmed Khaled al-Ali,M,1990,Aleppo,,held
G3,فاطمة محمود السيد,Fatima Mahmoud al-Sayed,F,1979,Hama,,held
`

const oppCSV = `ID;Full name;Gender;DOB;Status
O1;Muhammad Ahmed Alhasan;M;1985-03-02;held
O2;Fatma Mahmood Elsayed;F;;unknown
`

func (w *world) submit(t *testing.T, actor access.Actor, kind, data string, mapping map[string]string) detainees.List {
	t.Helper()
	l, err := w.D.SubmitList(w.ctx, actor, w.Process.ID, detainees.NewList{Kind: kind, Name: "list of " + actor.Username, File: []byte(data), Mapping: mapping})
	if err != nil {
		t.Fatalf("SubmitList(%s): %v", actor.Username, err)
	}
	return l
}

func code(err error) string {
	if err == nil {
		return "ok"
	}
	return errs.Code(err)
}

func TestListsAndTheirReaders(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, true)
		gov := w.submit(t, w.Gov, detainees.Held, govCSV, nil)
		opp := w.submit(t, w.Opp, detainees.Sought, oppCSV, map[string]string{"Full name": "name_latin"})
		if gov.Records != 3 || opp.Records != 2 {
			t.Fatalf("records: %d, %d", gov.Records, opp.Records)
		}
		// The opposition's file is mapped: "ID", "Gender", "DOB" and
		// "Status" by the suggestions, "Full name" by the caller.
		_, recs, err := w.D.List(w.ctx, w.Opp, opp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if recs[0].RecordID != "O1" || recs[0].NameLatin != "Muhammad Ahmed Alhasan" || recs[0].BirthDate != "1985-03-02" || recs[1].Status != "unknown" {
			t.Errorf("mapped records: %+v", recs)
		}
		for _, c := range []struct {
			who  access.Actor
			list detainees.List
			want string
		}{
			{w.Gov, gov, "ok"}, {w.Med, gov, "ok"}, {w.MedMember, gov, "ok"}, {w.Agency, gov, "ok"},
			{w.Opp, gov, errs.NotFound}, {w.Host, gov, errs.NotFound}, {w.Guarantor, gov, errs.NotFound},
			{w.Outsider, gov, errs.NotFound}, {w.Gov, opp, errs.NotFound}, {w.Opp, opp, "ok"},
		} {
			_, _, err := w.D.List(w.ctx, c.who, c.list.ID)
			if code(err) != c.want {
				t.Errorf("%s reads the list of %s: %s, want %s", c.who.Username, c.list.OrgName, code(err), c.want)
			}
		}
		ls, err := w.D.Lists(w.ctx, w.Opp, w.Process.ID)
		if err != nil || len(ls) != 1 || ls[0].ID != opp.ID {
			t.Errorf("the opposition's lists: %v %v", ls, err)
		}
		if ls, _ := w.D.Lists(w.ctx, w.Agency, w.Process.ID); len(ls) != 2 {
			t.Errorf("the agency reads %d lists, want 2", len(ls))
		}
		if _, err := w.D.Lists(w.ctx, w.Outsider, w.Process.ID); code(err) != errs.NotFound {
			t.Errorf("an outsider lists: %v", err)
		}
		for _, who := range []access.Actor{w.Host, w.Guarantor, w.Outsider} {
			_, err := w.D.SubmitList(w.ctx, who, w.Process.ID, detainees.NewList{Kind: detainees.Held, Name: "x", File: []byte(govCSV)})
			want := errs.Forbidden
			if who == w.Outsider {
				want = errs.NotFound
			}
			if code(err) != want {
				t.Errorf("%s submits: %v, want %s", who.Username, err, want)
			}
		}
	})
}

func TestBadFilesStoreNothing(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, true)
		for _, c := range []struct {
			name, data string
			mapping    map[string]string
			rows       []int // rows the report must name
		}{
			{"not a list", "\x00\x01\x02binary", nil, []int{0}},
			{"empty", "", nil, []int{1}},
			{"unmapped column", "record_id,nom,status\nA,Ali,held\n", nil, []int{1}},
			{"required column missing", "name_latin\nAli\n", nil, []int{1}},
			{"bad rows", "record_id,name_latin,birth_date,birth_year,sex,status\nA,Ali,1985-13-01,,M,held\nB,Omar,,85,X,held\nC,,,,,free\nA,Samir,,,,held\nD,Nour,2999-01-01,,,held\n",
				nil, []int{2, 3, 4, 5, 6}},
		} {
			_, err := w.D.SubmitList(w.ctx, w.Gov, w.Process.ID, detainees.NewList{Kind: detainees.Held, Name: c.name, File: []byte(c.data), Mapping: c.mapping})
			fe, ok := detainees.AsFileError(err)
			if !ok {
				t.Errorf("%s: %v, want a file error", c.name, err)
				continue
			}
			if e, _ := errs.As(err); e.Code != detainees.InvalidFile || errs.Status(e.Code) != 400 {
				t.Errorf("%s: code %v", c.name, e)
			}
			var got []int
			for _, p := range fe.Problems {
				if !slices.Contains(got, p.Row) {
					got = append(got, p.Row)
				}
			}
			if !slices.Equal(got, c.rows) {
				t.Errorf("%s: rows %v, want %v (%v)", c.name, got, c.rows, fe.Problems)
			}
		}
		if ls, err := w.D.Lists(w.ctx, w.Gov, w.Process.ID); err != nil || len(ls) != 0 {
			t.Errorf("after bad files: %d lists, %v", len(ls), err)
		}
		var n int
		if err := db.R.QueryRowContext(w.ctx, "SELECT COUNT(*) FROM detainee_records").Scan(&n); err != nil || n != 0 {
			t.Errorf("after bad files: %d records stored, %v", n, err)
		}
		_, err := w.D.SubmitList(w.ctx, w.Gov, w.Process.ID, detainees.NewList{Kind: "wanted", Name: "x", File: []byte(govCSV)})
		if e, _ := errs.As(err); e == nil || e.Field != "kind" {
			t.Errorf("bad kind: %v", err)
		}
	})
}

// xlsx builds a workbook whose first sheet holds rows, with shared and
// inline strings and a date typed as a serial number.
func xlsx(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	put := func(name, body string) {
		f, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(body))
	}
	put("xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="List" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	var shared []string
	var sheet strings.Builder
	sheet.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for i, r := range rows {
		fmt.Fprintf(&sheet, `<row r="%d">`, i+1)
		for j, v := range r {
			ref := fmt.Sprintf("%c%d", 'A'+j, i+1)
			switch {
			case v == "":
			case strings.HasPrefix(v, "#"): // a number
				fmt.Fprintf(&sheet, `<c r="%s"><v>%s</v></c>`, ref, v[1:])
			case j%2 == 0:
				shared = append(shared, v)
				fmt.Fprintf(&sheet, `<c r="%s" t="s"><v>%d</v></c>`, ref, len(shared)-1)
			default:
				fmt.Fprintf(&sheet, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, v)
			}
		}
		sheet.WriteString(`</row>`)
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	put("xl/worksheets/sheet1.xml", sheet.String())
	var sst strings.Builder
	sst.WriteString(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	for _, s := range shared {
		fmt.Fprintf(&sst, `<si><t>%s</t></si>`, s)
	}
	sst.WriteString(`</sst>`)
	put("xl/sharedStrings.xml", sst.String())
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSXImport(t *testing.T) {
	data := xlsx(t, [][]string{
		{"record_id", "الاسم", "date of birth", "status"},
		{"X1", "محمد علي", "#31048", "held"}, // 1985-01-01 as a serial day
		{"X2", "سارة حسن", "", "released"},
		{}, // trailing empty row
	})
	rep, err := detainees.Inspect(data, map[string]string{"date of birth": "birth_date"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != detainees.FormatXLSX || len(rep.Problems) != 0 || len(rep.Records) != 2 {
		t.Fatalf("report: %+v", rep)
	}
	if r := rep.Records[0]; r.NameAr != "محمد علي" || r.BirthDate != "1985-01-01" || r.Status != "held" {
		t.Errorf("first record: %+v", r)
	}
	if _, err := detainees.Inspect([]byte("PK\x03\x04broken"), nil, time.Now()); !isFileError(err) {
		t.Errorf("a broken workbook: %v", err)
	}
}

func isFileError(err error) bool { _, ok := detainees.AsFileError(err); return ok }

func TestAgencyIsNamedOnceByTheMediation(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, false)
		gov := w.submit(t, w.Gov, detainees.Held, govCSV, nil)
		if _, _, err := w.D.List(w.ctx, w.Agency, gov.ID); code(err) != errs.NotFound {
			t.Errorf("an agency not yet named reads a list: %v", err)
		}
		for _, c := range []struct {
			who  access.Actor
			org  string
			want string
		}{
			{w.Gov, w.Fixture.Agency.ID, errs.Forbidden},
			{w.MedMember, w.Fixture.Agency.ID, errs.Forbidden},
			{w.Med, w.Fixture.Gov.ID, errs.Invalid},
			{w.Med, w.Fixture.Agency.ID, "ok"},
			{w.Med, w.Fixture.Agency.ID, "ok"},
			{w.Med, w.Fixture.Monitor.ID, errs.Conflict},
		} {
			if _, err := w.D.SetAgency(w.ctx, c.who, w.Process.ID, c.org); code(err) != c.want {
				t.Errorf("%s names %s: %v, want %s", c.who.Username, c.org, err, c.want)
			}
		}
		// Named, the agency reads the list submitted before.
		if _, _, err := w.D.List(w.ctx, w.Agency, gov.ID); err != nil {
			t.Errorf("the named agency reads the earlier list: %v", err)
		}
		a, err := w.D.Agency(w.ctx, w.Opp, w.Process.ID)
		if err != nil || a.OrgID != w.Fixture.Agency.ID {
			t.Errorf("Agency: %+v %v", a, err)
		}
	})
}

// nameLink is a stand-in model: records with the same national id match,
// records with the same sex and birth year go to review.
func nameLink(recs []detainees.StoredRecord, _ map[[2]string]bool) []detainees.Scored {
	var out []detainees.Scored
	for i, a := range recs {
		for _, b := range recs[i+1:] {
			switch {
			case a.NationalID != "" && a.NationalID == b.NationalID:
				out = append(out, detainees.Scored{A: a.ID, B: b.ID, Probability: 0.99})
			case a.Sex == b.Sex && a.Identity().BirthYear != "" && a.Identity().BirthYear == b.Identity().BirthYear:
				out = append(out, detainees.Scored{A: a.ID, B: b.ID, Probability: 0.6, Review: true})
			}
		}
	}
	return out
}

func TestMatchingAndDecisions(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, true)
		detainees.SetLink(w.D, nameLink)
		w.submit(t, w.Gov, detainees.Held, govCSV, nil)
		w.submit(t, w.Opp, detainees.Sought, oppCSV, map[string]string{"Full name": "name_latin"})
		for _, who := range []access.Actor{w.Gov, w.Host} {
			if _, err := w.D.RunMatching(w.ctx, who, w.Process.ID); code(err) != errs.Forbidden {
				t.Errorf("%s runs the matching: %v", who.Username, err)
			}
			if _, _, err := w.D.Pairs(w.ctx, who, w.Process.ID, ""); code(err) != errs.NotFound {
				t.Errorf("%s reads the pairs: %v", who.Username, err)
			}
		}
		run, err := w.D.RunMatching(w.ctx, w.MedMember, w.Process.ID)
		if err != nil {
			t.Fatal(err)
		}
		if run.Records != 5 || run.Pairs != 0 || run.Review != 1 {
			t.Fatalf("run: %+v", run)
		}
		_, review, err := w.D.Pairs(w.ctx, w.Agency, w.Process.ID, detainees.BandReview)
		if err != nil || len(review) != 1 {
			t.Fatalf("review: %v %v", review, err)
		}
		p := review[0]
		if ids := []string{p.A.RecordID, p.B.RecordID}; !slices.Contains(ids, "G1") || !slices.Contains(ids, "O1") || p.A.OrgName == "" || p.A.ListName == "" {
			t.Errorf("the review pair: %+v", p)
		}
		if _, err := w.D.Decide(w.ctx, w.Opp, p.ID, detainees.Match); code(err) != errs.NotFound {
			t.Errorf("a party decides: %v", err)
		}
		if _, err := w.D.Decide(w.ctx, w.Agency, p.ID, "maybe"); code(err) != errs.Invalid {
			t.Errorf("a bad decision: %v", err)
		}
		if _, err := w.D.Decide(w.ctx, w.Agency, p.ID, detainees.Match); err != nil {
			t.Fatal(err)
		}
		run, err = w.D.RunMatching(w.ctx, w.Med, w.Process.ID)
		if err != nil || run.Pairs != 1 || run.Review != 0 || run.Decided != 1 {
			t.Fatalf("after a match decision: %+v %v", run, err)
		}
		_, pairs, _ := w.D.Pairs(w.ctx, w.Med, w.Process.ID, "")
		if len(pairs) != 1 || pairs[0].Probability != 1 || pairs[0].Decision != detainees.Match {
			t.Fatalf("pairs: %+v", pairs)
		}
		// A later decision wins over the earlier one, and over the model.
		if _, err := w.D.Decide(w.ctx, w.Med, pairs[0].ID, detainees.NoMatch); err != nil {
			t.Fatal(err)
		}
		run, _ = w.D.RunMatching(w.ctx, w.Med, w.Process.ID)
		if run.Pairs != 0 || run.Review != 0 {
			t.Errorf("after a no-match decision: %+v", run)
		}
		// Two records the model never pairs, linked by a reviewer.
		detainees.SetLink(w.D, func([]detainees.StoredRecord, map[[2]string]bool) []detainees.Scored { return nil })
		_, recs, _ := w.D.List(w.ctx, w.Med, p.A.ListID)
		_, others, _ := w.D.List(w.ctx, w.Med, p.B.ListID)
		for _, c := range []struct {
			who  access.Actor
			a, b string
			want string
		}{
			{w.Gov, recs[1].ID, others[1].ID, errs.Forbidden},
			{w.Agency, recs[1].ID, strings.Repeat("ab", 16), errs.Invalid},
			{w.Agency, recs[1].ID, recs[1].ID, errs.Invalid},
			{w.Agency, others[1].ID, recs[1].ID, "ok"},
		} {
			if _, err := w.D.LinkRecords(w.ctx, c.who, w.Process.ID, c.a, c.b, detainees.Match); code(err) != c.want {
				t.Errorf("%s links: %v, want %s", c.who.Username, err, c.want)
			}
		}
		run, _ = w.D.RunMatching(w.ctx, w.Med, w.Process.ID)
		_, pairs, _ = w.D.Pairs(w.ctx, w.Med, w.Process.ID, detainees.BandMatch)
		if run.Pairs != 1 || len(pairs) != 1 || pairs[0].Decision != detainees.Match {
			t.Errorf("after linking by hand: %+v %+v", run, pairs)
		}
	})
}

func TestExchangeReleasesAndDashboard(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, true)
		gov := w.submit(t, w.Gov, detainees.Held, govCSV, nil)
		opp := w.submit(t, w.Opp, detainees.Sought, oppCSV, map[string]string{"Full name": "name_latin"})
		_, grecs, _ := w.D.List(w.ctx, w.Gov, gov.ID)
		_, orecs, _ := w.D.List(w.ctx, w.Opp, opp.ID)
		sides := []string{w.Fixture.Gov.ID, w.Fixture.Opp.ID}
		in := detainees.NewExchange{Kind: detainees.Unilateral, Title: "First release", Sides: sides, People: []detainees.NewPerson{
			{Records: []string{grecs[0].ID, orecs[0].ID}}, {Records: []string{grecs[2].ID}},
		}}
		for _, c := range []struct {
			who  access.Actor
			in   detainees.NewExchange
			want string
		}{
			{w.Gov, in, errs.Forbidden},
			{w.Agency, in, errs.Forbidden},
			{w.Med, detainees.NewExchange{Kind: "trade", Title: "x", Sides: sides, People: in.People}, errs.Invalid},
			{w.Med, detainees.NewExchange{Kind: detainees.Swap, Title: "x", Sides: sides, People: in.People}, errs.Invalid},
			{w.Med, detainees.NewExchange{Kind: detainees.Unilateral, Title: "x", Sides: []string{w.Fixture.Gov.ID, w.Fixture.Host.ID}, People: in.People}, errs.Invalid},
			{w.Med, detainees.NewExchange{Kind: detainees.Unilateral, Title: "x", Sides: sides, People: []detainees.NewPerson{{Records: []string{strings.Repeat("ab", 16)}}}}, errs.Invalid},
		} {
			if _, err := w.D.RecordExchange(w.ctx, c.who, w.Process.ID, c.in); code(err) != c.want {
				t.Errorf("%s records %s: %v, want %s", c.who.Username, c.in.Kind, err, c.want)
			}
		}
		ex, err := w.D.RecordExchange(w.ctx, w.MedMember, w.Process.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(ex.People) != 2 || ex.People[0].ReleasedBy != w.Fixture.Gov.ID || ex.People[0].Identity.NameAr != "محمد أحمد الحسن" {
			t.Fatalf("exchange: %+v", ex)
		}
		// The opposition reads the people agreed, by their identifying
		// fields only, and not the records behind them.
		seen, err := w.D.Exchange(w.ctx, w.Opp, ex.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(seen.People) != 2 || seen.People[0].Identity.NameLatin != "Mohammed Ahmad al-Hassan" || len(seen.People[0].Records) != 0 {
			t.Errorf("the opposition's view: %+v", seen.People)
		}
		if med, _ := w.D.Exchange(w.ctx, w.Med, ex.ID); len(med.People[0].Records) != 2 {
			t.Errorf("the mediation's view: %+v", med.People[0])
		}
		for _, who := range []access.Actor{w.Host, w.Guarantor, w.Outsider} {
			if _, err := w.D.Exchange(w.ctx, who, ex.ID); code(err) != errs.NotFound {
				t.Errorf("%s reads the exchange: %v", who.Username, err)
			}
		}
		at := time.Now().UTC().Truncate(time.Second)
		rel := detainees.NewRelease{Person: ex.People[0].ID, At: at, Place: "Crossing point"}
		for _, c := range []struct {
			who  access.Actor
			in   detainees.NewRelease
			want string
		}{
			{w.Med, rel, errs.Forbidden},
			{w.Gov, rel, errs.Forbidden},
			{w.Opp, rel, errs.Forbidden},
			{w.Host, rel, errs.NotFound},
			{w.Agency, detainees.NewRelease{Person: strings.Repeat("ab", 16), At: at, Place: "x"}, errs.Invalid},
			{w.Agency, detainees.NewRelease{Person: ex.People[0].ID, Place: "x"}, errs.Invalid},
			{w.Agency, detainees.NewRelease{Person: ex.People[0].ID, At: at}, errs.Invalid},
			{w.Agency, rel, "ok"},
			{w.Agency, rel, errs.Conflict},
		} {
			if _, err := w.D.ConfirmRelease(w.ctx, c.who, ex.ID, c.in); code(err) != c.want {
				t.Errorf("%s confirms %+v: %v, want %s", c.who.Username, c.in, err, c.want)
			}
		}
		seen, _ = w.D.Exchange(w.ctx, w.Opp, ex.ID)
		if r := seen.People[0].Release; r == nil || !r.At.Equal(at) || r.Place != "Crossing point" || seen.Verified() != 1 {
			t.Errorf("the verified release: %+v", r)
		}
		for _, c := range []struct {
			who                access.Actor
			promised, verified int
		}{{w.Opp, 2, 1}, {w.Gov, 2, 1}, {w.Agency, 2, 1}, {w.Host, 0, 0}} {
			d, err := w.D.Dashboard(w.ctx, c.who, w.Process.ID)
			if err != nil || d.Promised != c.promised || d.Verified != c.verified {
				t.Errorf("%s's dashboard: %+v %v", c.who.Username, d, err)
			}
		}
		d, _ := w.D.Dashboard(w.ctx, w.Med, w.Process.ID)
		if len(d.Sides) != 1 || d.Sides[0].Promised != 2 || len(d.Sides[0].Series) != 2 || d.Sides[0].Series[1].Verified != 1 {
			t.Errorf("per side: %+v", d.Sides)
		}
		if _, err := w.D.Dashboard(w.ctx, w.Outsider, w.Process.ID); code(err) != errs.NotFound {
			t.Errorf("an outsider's dashboard: %v", err)
		}
	})
}
