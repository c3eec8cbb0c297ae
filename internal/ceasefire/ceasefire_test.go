package ceasefire_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/ceasefire"
	"parley/internal/channel"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/talks"
	"parley/internal/talks/talkstest"
)

type world struct {
	*talkstest.Fixture
	ctx context.Context
	cf  *ceasefire.Service
	now time.Time
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	f := talkstest.New(t, db)
	files, err := channel.NewFileStore(bytes.Repeat([]byte{7}, 32), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := &world{Fixture: f, ctx: context.Background(), cf: ceasefire.New(db, f.Ledger, files), now: time.Date(2017, 1, 25, 12, 0, 0, 0, time.UTC)}
	w.cf.SetClock(func() time.Time { return w.now })
	f.Talks.OnJoin(w.cf.Joined)
	return w
}

func ptr(f float64) *float64 { return &f }

// input is a valid report of shelling near Wadi Barada by the government.
func (w *world) input(narrative string) ceasefire.ReportInput {
	return ceasefire.ReportInput{OccurredAt: "2017-01-25T08:00:00Z", Lat: ptr(33.62), Lon: ptr(36.17), Place: "Ain al-Fijah",
		Admin1: "Rif Dimashq", Admin2: "Al-Tall", Type: "shelling", Perpetrator: w.Gov.ID, Affected: ceasefire.Civilians,
		Killed: ceasefire.Estimate{Low: 1, Best: 2, High: 3}, Knowledge: "seen", Platform: "patrol", Narrative: narrative}
}

func (w *world) report(t *testing.T, by talks.Org, in ceasefire.ReportInput) ceasefire.Report {
	t.Helper()
	r, err := w.cf.CreateReport(w.ctx, talkstest.Head(by), w.Process.ID, in)
	if err != nil {
		t.Fatalf("report by %s: %v", by.ShortName, err)
	}
	return r
}

func TestReportInputRefused(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		mod := func(f func(*ceasefire.ReportInput)) ceasefire.ReportInput {
			in := w.input("Shells fell on the spring.")
			f(&in)
			return in
		}
		for _, tc := range []struct {
			field string
			in    ceasefire.ReportInput
		}{
			{"lat", mod(func(in *ceasefire.ReportInput) { in.Lat = ptr(91) })},
			{"lon", mod(func(in *ceasefire.ReportInput) { in.Lon = ptr(-181) })},
			{"lat", mod(func(in *ceasefire.ReportInput) { in.Lat = nil })},
			{"occurred_at", mod(func(in *ceasefire.ReportInput) { in.OccurredAt = "2017-02-25T08:00:00Z" })},
			{"occurred_at", mod(func(in *ceasefire.ReportInput) { in.OccurredAt = "yesterday" })},
			{"type", mod(func(in *ceasefire.ReportInput) { in.Type = "bombing" })},
			{"perpetrator", mod(func(in *ceasefire.ReportInput) { in.Perpetrator = w.Outsider.ID })},
			{"perpetrator", mod(func(in *ceasefire.ReportInput) { in.Perpetrator = "someone" })},
			{"affected", mod(func(in *ceasefire.ReportInput) { in.Affected = "everyone" })},
			{"killed", mod(func(in *ceasefire.ReportInput) { in.Killed = ceasefire.Estimate{Low: 3, Best: 2, High: 1} })},
			{"injured", mod(func(in *ceasefire.ReportInput) { in.Injured = ceasefire.Estimate{Low: 0, Best: 5, High: 4} })},
			{"narrative", mod(func(in *ceasefire.ReportInput) { in.Narrative = " " })},
		} {
			_, err := w.cf.CreateReport(w.ctx, talkstest.Head(w.Monitor), w.Process.ID, tc.in)
			if e, ok := errs.As(err); !ok || e.Code != errs.Invalid || e.Field != tc.field {
				t.Errorf("%s: got %v, want invalid %s", tc.field, err, tc.field)
			}
		}
		incs, err := w.cf.Incidents(w.ctx, talkstest.Head(w.Monitor), w.Process.ID, ceasefire.Filter{})
		if err != nil || len(incs) != 0 {
			t.Errorf("refused reports wrote %d incidents (%v)", len(incs), err)
		}
	})
}

func TestAudiences(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		r := w.report(t, w.Opp, w.input("Government shells hit the spring."))
		for _, tc := range []struct {
			org   talks.Org
			reads bool
		}{{w.Opp, true}, {w.Monitor, true}, {w.Mediation, true}, {w.Guarantor, true}, {w.Gov, false}, {w.Observer, false}, {w.Host, false}, {w.Agency, false}, {w.Outsider, false}} {
			_, err := w.cf.Report(w.ctx, talkstest.Head(tc.org), r.ID)
			if got := err == nil; got != tc.reads || !got && errs.Code(err) != errs.NotFound {
				t.Errorf("%s reads the report: %v, want %v", tc.org.ShortName, err, tc.reads)
			}
			_, err = w.cf.Incident(w.ctx, talkstest.Head(tc.org), r.IncidentID)
			if got := err == nil; got != tc.reads {
				t.Errorf("%s reads the incident: %v, want %v", tc.org.ShortName, err, tc.reads)
			}
		}
		// The observer and the host file no reports.
		for _, o := range []talks.Org{w.Observer, w.Host, w.Agency} {
			if _, err := w.cf.CreateReport(w.ctx, talkstest.Head(o), w.Process.ID, w.input("x")); errs.Code(err) != errs.Forbidden {
				t.Errorf("%s files a report: %v", o.ShortName, err)
			}
		}
		if _, err := w.cf.CreateReport(w.ctx, talkstest.Head(w.Outsider), w.Process.ID, w.input("x")); errs.Code(err) != errs.NotFound {
			t.Errorf("an outsider files a report: %v", err)
		}
	})
}

// TestVerifyPublishAnswer walks an incident from report to publication,
// with the accused's answer, and a newcomer to the process reading it.
func TestVerifyPublishAnswer(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		mon := talkstest.Head(w.Monitor)
		r := w.report(t, w.Opp, w.input("Government shells hit the spring."))
		id := r.IncidentID
		if _, err := w.cf.Verify(w.ctx, talkstest.Head(w.Guarantor), id, ceasefire.Verification{Status: ceasefire.UnderReview, Reason: "x"}); errs.Code(err) != errs.Forbidden {
			t.Errorf("a guarantor verifies: %v", err)
		}
		if _, err := w.cf.Verify(w.ctx, mon, id, ceasefire.Verification{Status: ceasefire.ConfirmedViolation, Reason: "too early"}); errs.Code(err) != ceasefire.BadTransition {
			t.Errorf("reported → confirmed: %v", err)
		}
		if _, err := w.cf.Publish(w.ctx, mon, id); errs.Code(err) != ceasefire.NotVerified {
			t.Errorf("publish before a finding: %v", err)
		}
		for _, v := range []ceasefire.Verification{
			{Status: ceasefire.UnderReview, Reason: "patrol sent"},
			{Status: ceasefire.ConfirmedViolation, Reason: "craters seen by the patrol", Reliability: "B", Attribution: "disputed"},
		} {
			if _, err := w.cf.Verify(w.ctx, mon, id, v); err != nil {
				t.Fatalf("verify %s: %v", v.Status, err)
			}
		}
		gov := talkstest.Head(w.Gov)
		if _, err := w.cf.AnswerIncident(w.ctx, gov, id, "We deny it."); errs.Code(err) != errs.NotFound {
			t.Errorf("the accused answers before it reads the incident: %v", err)
		}
		if _, err := w.cf.Publish(w.ctx, mon, id); err != nil {
			t.Fatalf("publish: %v", err)
		}
		if _, err := w.cf.AnswerIncident(w.ctx, talkstest.Head(w.Opp), id, "We insist."); errs.Code(err) != errs.Forbidden {
			t.Errorf("the reporter answers as accused: %v", err)
		}
		if _, err := w.cf.AnswerIncident(w.ctx, gov, id, "Our units did not fire that day."); err != nil {
			t.Fatalf("answer: %v", err)
		}
		inc, err := w.cf.Incident(w.ctx, talkstest.Head(w.Observer), id)
		if err != nil {
			t.Fatalf("the observer reads the published incident: %v", err)
		}
		if len(inc.Answers) != 1 || len(inc.Reports) != 0 || inc.Status != ceasefire.ConfirmedViolation || inc.Reliability != "B" || len(inc.History) != 3 {
			t.Errorf("the observer reads %d answers, %d reports, status %s, reliability %s, %d steps", len(inc.Answers), len(inc.Reports), inc.Status, inc.Reliability, len(inc.History))
		}
		// A party joining a later round reads the published incident and
		// its answer, not the report.
		r2, err := w.Talks.CreateRound(w.ctx, access.System, talks.NewRound{ProcessID: w.Process.ID, Name: "Round 2", Participants: []string{w.Host.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.cf.Incident(w.ctx, talkstest.Head(w.Outsider), id); errs.Code(err) != errs.NotFound {
			t.Errorf("the outsider reads before joining: %v", err)
		}
		if err := w.Talks.AddParticipant(w.ctx, access.System, r2.ID, w.Outsider.ID); err != nil {
			t.Fatal(err)
		}
		inc, err = w.cf.Incident(w.ctx, talkstest.Head(w.Outsider), id)
		if err != nil || len(inc.Answers) != 1 || len(inc.Reports) != 0 {
			t.Errorf("the newcomer reads %+v, %v", inc, err)
		}
	})
}

func TestDuplicatesMergeSplit(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		mon := talkstest.Head(w.Monitor)
		a := w.report(t, w.Opp, w.input("Artillery shells hit the water spring at Ain al-Fijah this morning."))
		in := w.input("Shells hit the water spring of Ain al-Fijah in the morning, two dead.")
		in.Lat, in.OccurredAt = ptr(33.625), "2017-01-25T09:10:00Z"
		b := w.report(t, w.Monitor, in)
		far := w.input("Artillery shells hit the water spring at Ain al-Fijah this morning.")
		far.OccurredAt = "2017-01-25T11:30:00Z" // 3.5 h after a
		w.report(t, w.Monitor, far)
		other := w.input("Artillery shells hit the water spring at Ain al-Fijah this morning.")
		other.Type = "air_strike"
		w.report(t, w.Monitor, other)
		if _, err := w.cf.Duplicates(w.ctx, talkstest.Head(w.Guarantor), w.Process.ID, ceasefire.DuplicateOptions{}); errs.Code(err) != errs.Forbidden {
			t.Errorf("a guarantor reviews duplicates: %v", err)
		}
		cands, err := w.cf.Duplicates(w.ctx, mon, w.Process.ID, ceasefire.DuplicateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := [2]string{min(a.IncidentID, b.IncidentID), max(a.IncidentID, b.IncidentID)}
		if len(cands) != 1 || cands[0].Incidents != want {
			t.Fatalf("candidates %+v, want the pair %v", cands, want)
		}
		if _, err := w.cf.Merge(w.ctx, talkstest.Head(w.Mediation), a.IncidentID, []string{b.IncidentID}, "same event"); errs.Code(err) != errs.Forbidden {
			t.Errorf("the mediation merges: %v", err)
		}
		if _, err := w.cf.Merge(w.ctx, mon, a.IncidentID, []string{b.IncidentID}, "same shelling, two sources"); err != nil {
			t.Fatal(err)
		}
		inc, err := w.cf.Incident(w.ctx, mon, a.IncidentID)
		if err != nil || len(inc.Reports) != 2 {
			t.Fatalf("merged incident: %d reports, %v", len(inc.Reports), err)
		}
		if cands, _ := w.cf.Duplicates(w.ctx, mon, w.Process.ID, ceasefire.DuplicateOptions{}); len(cands) != 0 {
			t.Errorf("after the merge, candidates %+v", cands)
		}
		incs, _ := w.cf.Incidents(w.ctx, mon, w.Process.ID, ceasefire.Filter{})
		if len(incs) != 3 {
			t.Errorf("%d incidents listed after the merge, want 3", len(incs))
		}
		split, err := w.cf.Split(w.ctx, mon, a.IncidentID, b.ID, "a different strike")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := w.cf.Report(w.ctx, mon, b.ID); err != nil || got.IncidentID != split.ID {
			t.Errorf("split report in %s, want %s (%v)", got.IncidentID, split.ID, err)
		}
		if _, err := w.cf.Split(w.ctx, mon, a.IncidentID, a.ID, "again"); errs.Code(err) != errs.Conflict {
			t.Errorf("splitting the last report: %v", err)
		}
	})
}

func TestImportAllOrNothing(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		head := strings.Join(ceasefire.ImportColumns, ",") + "\n"
		good := "2017-01-25T08:00:00Z,exact,33.6,36.1,town,Ain al-Fijah,Rif Dimashq,Al-Tall,shelling," + w.Gov.ID + ",civilians,0,1,2,0,0,0,seen,patrol,Shells\n"
		bad1 := "2017-01-25T08:00:00Z,exact,95,36.1,town,Ain al-Fijah,Rif Dimashq,Al-Tall,shelling,unknown,civilians,0,1,2,0,0,0,seen,patrol,x\n"
		bad2 := "2017-01-25T08:00:00Z,exact,33.6,36.1,town,Ain al-Fijah,Rif Dimashq,Al-Tall,bombing,unknown,civilians,0,1,2,0,0,0,seen,patrol,x\n"
		_, err := w.cf.Import(w.ctx, talkstest.Head(w.Monitor), w.Process.ID, strings.NewReader(head+good+bad1+good+bad2))
		var ie *ceasefire.ImportError
		if !errors.As(err, &ie) || len(ie.Rows) != 2 || ie.Rows[0].Line != 3 || ie.Rows[0].Field != "lat" || ie.Rows[1].Line != 5 || ie.Rows[1].Field != "type" {
			t.Fatalf("import error %v (%+v)", err, ie)
		}
		incs, _ := w.cf.Incidents(w.ctx, talkstest.Head(w.Monitor), w.Process.ID, ceasefire.Filter{})
		if len(incs) != 0 {
			t.Fatalf("a refused import wrote %d incidents", len(incs))
		}
		reps, err := w.cf.Import(w.ctx, talkstest.Head(w.Monitor), w.Process.ID, strings.NewReader(head+good+good))
		if err != nil || len(reps) != 2 {
			t.Fatalf("import: %d, %v", len(reps), err)
		}
		var csv, hxl bytes.Buffer
		if err := w.cf.Export(w.ctx, talkstest.Head(w.Monitor), w.Process.ID, ceasefire.Filter{Limit: -1}, "csv", &csv); err != nil {
			t.Fatal(err)
		}
		if err := w.cf.Export(w.ctx, talkstest.Head(w.Monitor), w.Process.ID, ceasefire.Filter{Limit: -1}, "hxl", &hxl); err != nil {
			t.Fatal(err)
		}
		if lines := strings.Split(strings.TrimSpace(csv.String()), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "event_id_cnty,event_date,") {
			t.Errorf("csv export:\n%s", csv.String())
		}
		if lines := strings.Split(strings.TrimSpace(hxl.String()), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[1], "#event+id,#date+occurred,") {
			t.Errorf("hxl export:\n%s", hxl.String())
		}
	})
}

// jpegWithExif is a minimal JPEG header whose EXIF segment holds
// DateTimeOriginal, little-endian, then the end of image.
func jpegWithExif(when string) []byte {
	tiff := []byte("II*\x00\x08\x00\x00\x00")
	// IFD0: one entry, the EXIF sub-IFD at offset 26.
	tiff = append(tiff, 1, 0, 0x69, 0x87, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0)
	// EXIF IFD at 26: DateTimeOriginal, ASCII, 20 bytes at offset 44.
	tiff = append(tiff, 1, 0, 0x03, 0x90, 2, 0, 20, 0, 0, 0, 44, 0, 0, 0, 0, 0, 0, 0)
	tiff = append(tiff, []byte(when+"\x00")...)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out = append(out, seg...)
	return append(out, 0xFF, 0xD9)
}

func TestEvidence(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		r := w.report(t, w.Monitor, w.input("Shells."))
		photo := jpegWithExif("2017:01:25 08:03:10")
		mon := talkstest.Head(w.Monitor)
		ev, err := w.cf.AddEvidence(w.ctx, mon, r.ID, "../crater.jpg", photo)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(photo)
		if ev.SHA256 != hex.EncodeToString(sum[:]) || ev.Name != "crater.jpg" || ev.ContentType != "image/jpeg" ||
			!ev.CapturedAt.Equal(time.Date(2017, 1, 25, 8, 3, 10, 0, time.UTC)) {
			t.Errorf("evidence %+v", ev)
		}
		_, data, err := w.cf.OpenEvidence(w.ctx, mon, ev.ID)
		if err != nil || !bytes.Equal(data, photo) {
			t.Errorf("the file comes back altered: %v", err)
		}
		var hash []byte
		if err := db.R.QueryRow("SELECT content_hash FROM events WHERE idx = $1", ev.LedgerIndex).Scan(&hash); err != nil || !bytes.Equal(hash, sum[:]) {
			t.Errorf("the ledger event's content hash is %x, want the file's %x (%v)", hash, sum, err)
		}
		if _, _, err := w.cf.OpenEvidence(w.ctx, talkstest.Head(w.Gov), ev.ID); errs.Code(err) != errs.NotFound {
			t.Errorf("the government opens the evidence: %v", err)
		}
		if _, err := w.cf.AddEvidence(w.ctx, mon, r.ID, "x.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")); errs.Code(err) != ceasefire.EvidenceType {
			t.Errorf("an executable as evidence: %v", err)
		}
		if _, err := w.cf.AddEvidence(w.ctx, talkstest.Head(w.Gov), r.ID, "x.txt", []byte("text")); errs.Code(err) != errs.NotFound {
			t.Errorf("evidence on a report the government does not read: %v", err)
		}
	})
}

func TestMapQuery(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		mon := talkstest.Head(w.Monitor)
		for i, p := range [][2]float64{{33.5, 36.3}, {36.2, 37.1}, {35.1, 36.7}} {
			in := w.input("report")
			in.Lat, in.Lon = ptr(p[0]), ptr(p[1])
			in.OccurredAt = time.Date(2017, 1, 20+i, 8, 0, 0, 0, time.UTC).Format(time.RFC3339)
			w.report(t, w.Monitor, in)
		}
		for _, tc := range []struct {
			bbox string
			from time.Time
			want int
		}{
			{"36,33,37,34", time.Time{}, 1},
			{"35,32,38,37", time.Time{}, 3},
			{"35,32,38,37", time.Date(2017, 1, 21, 0, 0, 0, 0, time.UTC), 2},
			{"-180,-90,180,90", time.Time{}, 3}, // too many squares: read by time
			{"40,40,41,41", time.Time{}, 0},
		} {
			b, err := ceasefire.ParseBBox(tc.bbox)
			if err != nil {
				t.Fatal(err)
			}
			incs, err := w.cf.Incidents(w.ctx, mon, w.Process.ID, ceasefire.Filter{BBox: b, From: tc.from, Types: []string{"shelling"}})
			if err != nil || len(incs) != tc.want {
				t.Errorf("bbox %s from %v: %d incidents, want %d (%v)", tc.bbox, tc.from, len(incs), tc.want, err)
			}
		}
		if _, err := ceasefire.ParseBBox("37,33,36,34"); errs.Code(err) != errs.Invalid {
			t.Errorf("inverted bbox: %v", err)
		}
	})
}

// TestConcurrentIntake files reports from many clients at once: those
// sharing a transaction are each checked on their own, so the observer's
// refused reports leave the others written.
func TestConcurrentIntake(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		const n = 24
		errsOf := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			by := w.Monitor
			if i%3 == 0 {
				by = w.Observer
			}
			wg.Go(func() {
				_, errsOf[i] = w.cf.CreateReport(w.ctx, talkstest.Head(by), w.Process.ID, w.input(fmt.Sprintf("report %d", i)))
			})
		}
		wg.Wait()
		for i, err := range errsOf {
			if want := map[bool]string{true: errs.Forbidden, false: ""}[i%3 == 0]; err != nil && errs.Code(err) != want || err == nil && want != "" {
				t.Errorf("report %d: %v, want %q", i, err, want)
			}
		}
		incs, err := w.cf.Incidents(w.ctx, talkstest.Head(w.Monitor), w.Process.ID, ceasefire.Filter{})
		if err != nil || len(incs) != n-n/3 {
			t.Errorf("%d incidents written, want %d (%v)", len(incs), n-n/3, err)
		}
	})
}

// TestNarrativeSealed: a report's narrative is not kept in clear in the
// database, opens for its readers, and one moved onto another report's
// row does not open; a narrative an earlier version kept in clear is
// sealed by SealNarratives.
func TestNarrativeSealed(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		secret := "Sealedtext shells fell on the spring at dawn."
		r := w.report(t, w.Monitor, w.input(secret))
		other := w.report(t, w.Monitor, w.input("Another report."))
		var clear string
		var sealed []byte
		if err := db.R.QueryRow("SELECT narrative, narrative_enc FROM ceasefire_reports WHERE id = $1", r.ID).Scan(&clear, &sealed); err != nil {
			t.Fatal(err)
		}
		if clear != "" || bytes.Contains(sealed, []byte("Sealedtext")) || len(sealed) == 0 {
			t.Fatalf("the narrative is kept in clear: %q / %q", clear, sealed)
		}
		got, err := w.cf.Report(w.ctx, talkstest.Head(w.Monitor), r.ID)
		if err != nil || got.Narrative != secret {
			t.Fatalf("the narrative opens as %q, %v", got.Narrative, err)
		}
		// Moved onto another row, it does not open.
		if _, err := db.W.Exec("UPDATE ceasefire_reports SET narrative_enc = $1 WHERE id = $2", sealed, other.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cf.Report(w.ctx, talkstest.Head(w.Monitor), other.ID); err == nil {
			t.Fatal("a narrative moved onto another report opened")
		}
		// A narrative in clear (an earlier version's) is sealed on start.
		if _, err := db.W.Exec("UPDATE ceasefire_reports SET narrative = 'Old clear text', narrative_enc = $1 WHERE id = $2", []byte{}, other.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := w.cf.SealNarratives(w.ctx); err != nil || n != 1 {
			t.Fatalf("SealNarratives: %d, %v", n, err)
		}
		got, err = w.cf.Report(w.ctx, talkstest.Head(w.Monitor), other.ID)
		if err != nil || got.Narrative != "Old clear text" {
			t.Fatalf("the sealed old narrative opens as %q, %v", got.Narrative, err)
		}
		if err := db.R.QueryRow("SELECT narrative FROM ceasefire_reports WHERE id = $1", other.ID).Scan(&clear); err != nil || clear != "" {
			t.Fatalf("the old narrative is still in clear: %q, %v", clear, err)
		}
	})
}

// TestGradeSource: the monitors grade each report's source (A–F) with a
// reason; the grade is read with the report, by its readers only.
func TestGradeSource(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		a := w.report(t, w.Opp, w.input("Shells fell on the spring."))
		b := w.report(t, w.Monitor, w.input("The patrol saw shells fall on the spring."))
		mon := talkstest.Head(w.Monitor)
		if _, err := w.cf.Merge(w.ctx, mon, a.IncidentID, []string{b.IncidentID}, "same event"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cf.GradeSource(w.ctx, mon, a.ID, "D", "the source has been wrong before"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cf.GradeSource(w.ctx, mon, b.ID, "A", "our own patrol"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			actor       access.Actor
			report      string
			grade, want string
		}{
			{talkstest.Head(w.Mediation), a.ID, "B", errs.Forbidden},
			{talkstest.Head(w.Opp), a.ID, "A", errs.Forbidden},
			{talkstest.Head(w.Gov), a.ID, "A", errs.NotFound},
			{mon, a.ID, "G", errs.Invalid},
		} {
			if _, err := w.cf.GradeSource(w.ctx, tc.actor, tc.report, tc.grade, "why"); errs.Code(err) != tc.want {
				t.Errorf("grade %s by %s: %v, want %s", tc.grade, tc.actor.Org, err, tc.want)
			}
		}
		inc, err := w.cf.Incident(w.ctx, mon, a.IncidentID)
		if err != nil {
			t.Fatal(err)
		}
		grades := map[string]string{}
		for _, r := range inc.Reports {
			grades[r.ID] = r.Reliability
			if len(r.Grades) != 1 || r.Grades[0].Reliability != r.Reliability || r.Grades[0].Reason == "" {
				t.Errorf("report %s: grades %+v", r.ID, r.Grades)
			}
		}
		if grades[a.ID] != "D" || grades[b.ID] != "A" {
			t.Errorf("grades %v, want D for the opposition's report and A for the patrol's", grades)
		}
		// The opposition reads its own report's grade, not the patrol's
		// report (nor its grade).
		inc, err = w.cf.Incident(w.ctx, talkstest.Head(w.Opp), a.IncidentID)
		if err != nil {
			t.Fatal(err)
		}
		if len(inc.Reports) != 1 || inc.Reports[0].ID != a.ID || inc.Reports[0].Reliability != "D" {
			t.Errorf("the opposition reads %+v", inc.Reports)
		}
	})
}

// TestIncidentRuleMatchesAudience compares, for every organisation and
// every incident of a process (reported by each kind of reporter, merged,
// split, published, merged across parties and split again unpublished,
// with organisations joining a round or a later round after them), the incidents the audience table lets it read with those
// access.ReadableByRule lets it read by the incidents' rule, which the map
// reads by.
func TestIncidentRuleMatchesAudience(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.Sign(t)
		mon := talkstest.Head(w.Monitor)
		finding := func(id string) {
			t.Helper()
			for _, v := range []ceasefire.Verification{{Status: ceasefire.UnderReview, Reason: "patrol sent"}, {Status: ceasefire.ConfirmedViolation, Reason: "seen"}} {
				if _, err := w.cf.Verify(w.ctx, mon, id, v); err != nil {
					t.Fatal(err)
				}
			}
		}
		var ids []string
		for _, o := range []talks.Org{w.Gov, w.Opp, w.Monitor, w.Guarantor, w.Mediation, w.Opp, w.Gov, w.Opp} {
			ids = append(ids, w.report(t, o, w.input("Shells fell near the spring.")).IncidentID)
		}
		// Gov's report and Opp's second merged into Opp's first incident,
		// Gov's split back out of it; the merged incident published.
		if _, err := w.cf.Merge(w.ctx, mon, ids[1], []string{ids[0], ids[5]}, "same event"); err != nil {
			t.Fatal(err)
		}
		inc, err := w.cf.Incident(w.ctx, mon, ids[1])
		if err != nil {
			t.Fatal(err)
		}
		split := ""
		for _, r := range inc.Reports {
			if r.OrgID == w.Gov.ID {
				split = r.ID
			}
		}
		if _, err := w.cf.Split(w.ctx, mon, ids[1], split, "another strike"); err != nil {
			t.Fatal(err)
		}
		finding(ids[1])
		if _, err := w.cf.Publish(w.ctx, mon, ids[1]); err != nil {
			t.Fatal(err)
		}
		// Gov's second report merged into Opp's third incident, which
		// stays unpublished, and split back out of it: Gov goes on
		// reading the incident its report was part of (nothing narrows an
		// audience), though no report of Gov's is left in it.
		if _, err := w.cf.Merge(w.ctx, mon, ids[7], []string{ids[6]}, "same shelling"); err != nil {
			t.Fatal(err)
		}
		if inc, err = w.cf.Incident(w.ctx, mon, ids[7]); err != nil {
			t.Fatal(err)
		}
		for _, r := range inc.Reports {
			if r.OrgID == w.Gov.ID {
				split = r.ID
			}
		}
		if _, err := w.cf.Split(w.ctx, mon, ids[7], split, "an earlier shelling"); err != nil {
			t.Fatal(err)
		}

		// Newcomers: to the round, and in a later round the operator opens.
		late := []talks.Org{w.JoinLater(t, "Second monitor", access.Monitor), w.JoinLater(t, "Second observer", access.Observer),
			w.JoinLater(t, "Late party", access.Party)}
		var second []string
		for _, k := range []access.OrgKind{access.Guarantor, access.Observer, access.Agency, access.Party} {
			o, err := w.Talks.AddOrg(w.ctx, access.System, "Round 2 "+string(k), "", k)
			if err != nil {
				t.Fatal(err)
			}
			late, second = append(late, o), append(second, o.ID)
		}
		if _, err := w.Talks.CreateRound(w.ctx, access.System, talks.NewRound{ProcessID: w.Process.ID, Name: "Round 2", Participants: second}); err != nil {
			t.Fatal(err)
		}
		// Written after the newcomers came: a late party's report, and a
		// finding published to everyone.
		ids = append(ids, w.report(t, late[2], w.input("Sniper fire at the bridge.")).IncidentID)
		finding(ids[8])
		if _, err := w.cf.Publish(w.ctx, mon, ids[8]); err != nil {
			t.Fatal(err)
		}
		// The audience rows the hooks added for the newcomers are ones
		// parley verify accepts.
		kinds, err := ceasefire.ItemKinds(nil, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if rep, err := ledger.Verify(w.ctx, db, w.Ledger.VerifierKey(), kinds...); err != nil || len(rep.Problems) > 0 {
			t.Errorf("verify: %v %+v", err, rep.Problems)
		}
		read := func(q string, args ...any) []string {
			t.Helper()
			rows, err := db.R.QueryContext(w.ctx, q, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				out = append(out, id)
			}
			return out
		}
		for _, o := range append(append(w.AllInRound, w.Outsider), late...) {
			actor := talkstest.Head(o)
			cond, arg := access.ReadableBy(actor, "i.id", 2)
			byRows := read("SELECT i.id FROM ceasefire_incidents i WHERE i.process_id = $1 AND "+cond+" ORDER BY i.id", w.Process.ID, arg)
			c, err := access.ProcessCapacity(w.ctx, db.R, actor, w.Process.ID)
			if err != nil {
				t.Fatal(err)
			}
			cond, args := access.ReadableByRule(c, ceasefire.IncidentRule, "i.process_id", "i.id", 2)
			byRule := read("SELECT i.id FROM ceasefire_incidents i WHERE i.process_id = $1 AND "+cond+" ORDER BY i.id", append([]any{w.Process.ID}, args...)...)
			if fmt.Sprint(byRule) != fmt.Sprint(byRows) {
				t.Errorf("%s (%s): the rule reads %v, the audience table %v", o.Name, c.Kind, byRule, byRows)
			}
			if !c.Participates() {
				continue
			}
			incs, err := w.cf.Incidents(w.ctx, actor, w.Process.ID, ceasefire.Filter{Limit: -1})
			if err != nil {
				t.Fatal(err)
			}
			var listed []string
			for _, i := range incs {
				listed = append(listed, i.ID)
			}
			var unmerged []string
			for _, id := range byRows {
				if inc, err := w.cf.Incident(w.ctx, actor, id); err != nil {
					t.Fatal(err)
				} else if inc.MergedInto == "" {
					unmerged = append(unmerged, id)
				}
			}
			slices.Sort(listed)
			if fmt.Sprint(listed) != fmt.Sprint(unmerged) {
				t.Errorf("%s (%s): the map lists %v, the audience table %v", o.Name, c.Kind, listed, unmerged)
			}
		}
	})
}
