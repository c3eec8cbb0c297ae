package text

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Revision is an issued revision as one reader sees it: the document, the
// positions the reader may read, the summaries shown to it, and each
// paragraph's status derived from what the reader may read.
type Revision struct {
	ID, TextID, RoundID, Title string
	Number                     int // Rev.N
	Latest                     int // the number of the latest revision of the text
	IssuedAt                   time.Time
	Source                     string // canonical markup
	SHA256                     string // of Source
	Document                   *Document
	AdReferendum               bool
	Adopted                    bool // this revision was adopted
	Parties                    []Party
	Paragraphs                 []ParagraphState
	Confirmations              []Confirmation
	LedgerIndex                int64 // the "text.issued" event
}

// Party is a party taking part in the text's round.
type Party struct{ ID, Name string }

// Position is a party's stance on a paragraph, or on one of its
// alternatives.
type Position struct {
	Paragraph   int
	Alternative string // "" for the paragraph as a whole
	OrgID       string
	OrgName     string
	Stance      string
	Wording     string // proposed wording, with Amend
	Comment     string
	UpdatedAt   time.Time
	LedgerIndex int64
	// CarriedFrom is the revision the position was recorded on when an
	// unchanged paragraph carried it to this one; 0 when recorded here.
	CarriedFrom int
}

// positionContent is the content of a text.position_set event; parley
// verify rebuilds it from the stored row (verify.go).
// revisionContent is the content of a revision's text.issued event,
// rebuilt from its row by parley verify (verify.go).
func revisionContent(id, textID string, number int, draftID, sha string, issuedAt time.Time) map[string]any {
	return map[string]any{"id": id, "text_id": textID, "number": number, "draft_id": draftID, "sha256": sha, "issued_at": stamp(issuedAt)}
}

func positionContent(textID string, revision, paragraph int, alternative, org, stance, wording, comment string, at time.Time, carriedFrom int) map[string]any {
	c := map[string]any{
		"text_id": textID, "revision": revision, "paragraph": paragraph, "alternative": alternative, "org_id": org,
		"stance": stance, "wording": wording, "comment": comment, "updated_at": stamp(at),
	}
	if carriedFrom > 0 {
		// A position carried to a new revision (carry.go) names the
		// revision it was first recorded on.
		c["carried_from"] = carriedFrom
	}
	return c
}

// SummaryEntry is one party's stance shown in a summary: the stance only,
// never the comment or proposed wording.
type SummaryEntry struct {
	Paragraph   int
	Alternative string
	OrgID       string
	OrgName     string
	Stance      string
}

// ParagraphState is a paragraph with what the reader may know about it.
type ParagraphState struct {
	Number    int
	Status    string // StatusAgreed, StatusAdReferendum, StatusBracketed or StatusOpen
	Agreed    string // the agreed alternative's label, when agreed on one
	Positions []Position
	Summary   []SummaryEntry
	// Earlier are the positions the reader may read on the previous
	// revision's paragraph of the same number, when its wording changed;
	// EarlierWording is that wording.
	Earlier        []Position
	EarlierWording string
}

// Confirmation is a party head's confirmation of the adoption of a
// revision.
type Confirmation struct {
	OrgID, OrgName, UserID string
	At                     time.Time
	LedgerIndex            int64
}

// Issue issues the latest draft as the next revision, Rev.N, dated now. Its
// audience is the round's parties, mediation and host, and the text itself
// becomes readable by them.
func (s *Service) Issue(ctx context.Context, actor access.Actor, textID string) (rev Revision, err error) {
	defer errs.Wrap(&err, "text.Issue")
	return s.issue(ctx, actor, textID, 0)
}

// IssueDraft issues draft number seq as the next revision, and only while
// it is still the latest draft: what the mediation previewed is exactly
// what the parties receive. A draft saved since the preview is refused
// (409 draft_changed) and nothing is issued.
func (s *Service) IssueDraft(ctx context.Context, actor access.Actor, textID string, seq int) (rev Revision, err error) {
	defer errs.Wrap(&err, "text.IssueDraft")
	if err := loggedIn(actor); err != nil {
		return Revision{}, err
	}
	if seq < 1 {
		return Revision{}, errs.Field("seq", "name the draft to issue")
	}
	return s.issue(ctx, actor, textID, seq)
}

// issue issues the latest draft; seq > 0 requires it to be that draft. A
// draft without paragraphs (a title alone) is refused: the parties would
// receive nothing to take a position on.
func (s *Service) issue(ctx context.Context, actor access.Actor, textID string, seq int) (rev Revision, err error) {
	if err := loggedIn(actor); err != nil {
		return Revision{}, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		t, err := s.writableText(ctx, tx, actor, textID)
		if err != nil {
			return err
		}
		var draftID, src string
		var latest int
		err = tx.QueryRowContext(ctx, "SELECT id, source, seq FROM text_drafts WHERE text_id = $1 ORDER BY seq DESC LIMIT 1", t.ID).Scan(&draftID, &src, &latest)
		if err != nil {
			return err
		}
		if seq > 0 && seq != latest {
			return errs.New(CodeDraftChanged, "draft %d was saved after draft %d was reviewed; review it before issuing", latest, seq)
		}
		doc, err := Parse(src)
		if err != nil {
			return err
		}
		if len(doc.Paragraphs()) == 0 {
			return errs.Field("source", "the draft has no numbered paragraph; there is nothing to issue")
		}
		canon := Format(doc)
		var last string
		if t.Revision > 0 {
			if err := tx.QueryRowContext(ctx, "SELECT source FROM text_revisions WHERE text_id = $1 AND number = $2", t.ID, t.Revision).Scan(&last); err != nil {
				return err
			}
			if last == canon {
				return errs.New(errs.Conflict, "the draft is the text of Rev.%d; change it before issuing", t.Revision)
			}
		}
		aud, err := revisionAudience(ctx, tx, t.RoundID)
		if err != nil {
			return err
		}
		if t.Guarantors {
			g, err := access.RoundOrgs(ctx, tx, t.RoundID, access.Guarantor)
			if err != nil {
				return err
			}
			aud = access.Of(append(aud, g...)...)
		}
		rev = Revision{ID: store.NewID(), TextID: t.ID, RoundID: t.RoundID, Title: doc.Title, Number: t.Revision + 1,
			Source: canon, SHA256: hashHex(canon), Document: doc, AdReferendum: t.AdReferendum}
		rev.Latest = rev.Number
		now := store.Now()
		rev.IssuedAt = store.Time(now)
		ev, err := event(ctx, rec, actor, "text.issued", t.RoundID, "text_revision", rev.ID, aud,
			revisionContent(rev.ID, t.ID, rev.Number, draftID, rev.SHA256, rev.IssuedAt))
		if err != nil {
			return err
		}
		rev.LedgerIndex = ev.Index
		if _, err := tx.ExecContext(ctx, `INSERT INTO text_revisions(id, text_id, number, draft_id, source, sha256, issued_at, issued_by, ledger_idx)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, rev.ID, t.ID, rev.Number, draftID, canon, rev.SHA256, now, actor.User, ev.Index); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE texts SET title = $1 WHERE id = $2", doc.Title, t.ID); err != nil {
			return err
		}
		if err := access.Grant(ctx, tx, rev.ID, aud); err != nil {
			return err
		}
		if t.Revision > 0 {
			if err := s.carryPositions(ctx, tx, rec, actor, t, last, rev); err != nil {
				return err
			}
		}
		// The text's own row (title, settings) is now the readers' too.
		return access.Grant(ctx, tx, t.ID, aud)
	})
	if err != nil {
		return Revision{}, err
	}
	return s.Revision(ctx, actor, textID, rev.Number)
}

// Revision returns Rev.n of a text as actor may read it.
func (s *Service) Revision(ctx context.Context, actor access.Actor, textID string, n int) (rev Revision, err error) {
	defer errs.Wrap(&err, "text.Revision")
	if err := loggedIn(actor); err != nil {
		return Revision{}, err
	}
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		rev, err = s.revisionIn(ctx, tx, actor, textID, n)
		return err
	})
	return rev, err
}

func (s *Service) revisionIn(ctx context.Context, q access.Querier, actor access.Actor, textID string, n int) (Revision, error) {
	if !store.ValidID(textID) || n < 1 {
		return Revision{}, errs.NotFoundf("revision")
	}
	var rev Revision
	var issued int64
	var adoptedRev int
	cond, arg := access.ReadableBy(actor, "r.id", 3)
	err := q.QueryRowContext(ctx, `SELECT r.id, r.text_id, t.round_id, r.number, r.source, r.sha256, r.issued_at, r.ledger_idx,
		t.ad_referendum, t.adopted_rev, (SELECT MAX(r2.number) FROM text_revisions r2 WHERE r2.text_id = t.id)
		FROM text_revisions r JOIN texts t ON t.id = r.text_id
		WHERE r.text_id = $1 AND r.number = $2 AND `+cond, textID, n, arg).
		Scan(&rev.ID, &rev.TextID, &rev.RoundID, &rev.Number, &rev.Source, &rev.SHA256, &issued, &rev.LedgerIndex,
			&rev.AdReferendum, &adoptedRev, &rev.Latest)
	if err == sql.ErrNoRows {
		return Revision{}, errs.NotFoundf("revision")
	}
	if err != nil {
		return Revision{}, err
	}
	rev.IssuedAt = store.Time(issued)
	rev.Adopted = adoptedRev == rev.Number
	doc, err := Parse(rev.Source)
	if err != nil {
		return Revision{}, fmt.Errorf("stored Rev.%d does not parse: %w", n, err)
	}
	rev.Document, rev.Title = doc, doc.Title
	if rev.Parties, err = parties(ctx, q, rev.RoundID); err != nil {
		return Revision{}, err
	}
	positions, err := positionsIn(ctx, q, actor, rev.ID)
	if err != nil {
		return Revision{}, err
	}
	summary, err := summaryIn(ctx, q, actor, rev.TextID, rev.ID)
	if err != nil {
		return Revision{}, err
	}
	if rev.Confirmations, err = confirmationsIn(ctx, q, actor, rev.ID); err != nil {
		return Revision{}, err
	}
	rev.Paragraphs = derive(doc, rev.Parties, positions, summary, rev.AdReferendum && adoptedRev == 0)
	if err := earlierIn(ctx, q, actor, &rev); err != nil {
		return Revision{}, err
	}
	return rev, nil
}

// parties lists the parties taking part in a round, by name.
func parties(ctx context.Context, q access.Querier, roundID string) ([]Party, error) {
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.name FROM orgs o
		WHERE `+access.TakesPart("o.id", "$1", access.Party)+` ORDER BY o.name, o.id`, roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ps := []Party{}
	for rows.Next() {
		var p Party
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// positionsIn lists the positions on a revision that actor may read: its
// own party's, or every party's for the mediation.
func positionsIn(ctx context.Context, q access.Querier, actor access.Actor, revID string) ([]Position, error) {
	cond, arg := access.ReadableBy(actor, positionIDSQL, 2)
	rows, err := q.QueryContext(ctx, `SELECT p.paragraph, p.alternative, p.org_id, o.name, p.stance, p.wording, p.comment, p.updated_at, p.ledger_idx, p.carried_from
		FROM text_positions p JOIN orgs o ON o.id = p.org_id
		WHERE p.revision_id = $1 AND `+cond+` ORDER BY p.paragraph, p.alternative, o.name, p.org_id`, revID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []Position
	for rows.Next() {
		var p Position
		var at int64
		if err := rows.Scan(&p.Paragraph, &p.Alternative, &p.OrgID, &p.OrgName, &p.Stance, &p.Wording, &p.Comment, &at, &p.LedgerIndex, &p.CarriedFrom); err != nil {
			return nil, err
		}
		p.UpdatedAt = store.Time(at)
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// summaryIn lists every party's stances on a revision when the mediation
// shows the actor's party the summary of this text: the stance only.
func summaryIn(ctx context.Context, q access.Querier, actor access.Actor, textID, revID string) ([]SummaryEntry, error) {
	cond, arg := access.ReadableBy(actor, summaryIDSQL, 4)
	rows, err := q.QueryContext(ctx, `SELECT p.paragraph, p.alternative, p.org_id, o.name, p.stance
		FROM text_positions p JOIN orgs o ON o.id = p.org_id
		JOIN text_summaries s ON s.text_id = $2 AND s.org_id = $3 AND s.shared = TRUE
		WHERE p.revision_id = $1 AND `+cond+` ORDER BY p.paragraph, p.alternative, o.name, p.org_id`, revID, textID, actor.Org, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var es []SummaryEntry
	for rows.Next() {
		var e SummaryEntry
		if err := rows.Scan(&e.Paragraph, &e.Alternative, &e.OrgID, &e.OrgName, &e.Stance); err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	return es, rows.Err()
}

func confirmationsIn(ctx context.Context, q access.Querier, actor access.Actor, revID string) ([]Confirmation, error) {
	cond, arg := access.ReadableBy(actor, confirmationIDSQL, 2)
	rows, err := q.QueryContext(ctx, `SELECT c.org_id, o.name, c.user_id, c.confirmed_at, c.ledger_idx
		FROM text_confirmations c JOIN orgs o ON o.id = c.org_id
		WHERE c.revision_id = $1 AND `+cond+` ORDER BY o.name, c.org_id`, revID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cs := []Confirmation{}
	for rows.Next() {
		var c Confirmation
		var at int64
		if err := rows.Scan(&c.OrgID, &c.OrgName, &c.UserID, &at, &c.LedgerIndex); err != nil {
			return nil, err
		}
		c.At = store.Time(at)
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// derive computes each paragraph's status from the stances the reader may
// read (its own positions, every position for the mediation, plus a
// summary when shown one). A paragraph is agreed when every party of the
// round accepts the same wording: the paragraph, or one and the same
// alternative. Otherwise it is bracketed while it holds brackets, and open
// when it does not. A stance the reader cannot see counts as not
// accepting, so a status never tells a party more than it may read.
func derive(doc *Document, ps []Party, positions []Position, summary []SummaryEntry, adRef bool) []ParagraphState {
	type key struct {
		para int
		alt  string
	}
	accepts := map[key]map[string]bool{}
	note := func(para int, alt, org, stance string) {
		k := key{para, alt}
		if accepts[k] == nil {
			accepts[k] = map[string]bool{}
		}
		accepts[k][org] = stance == Accept
	}
	for _, p := range positions {
		note(p.Paragraph, p.Alternative, p.OrgID, p.Stance)
	}
	for _, e := range summary {
		note(e.Paragraph, e.Alternative, e.OrgID, e.Stance)
	}
	all := func(k key) bool {
		if len(ps) == 0 {
			return false
		}
		for _, p := range ps {
			if !accepts[k][p.ID] {
				return false
			}
		}
		return true
	}
	var out []ParagraphState
	for _, p := range doc.Paragraphs() {
		st := ParagraphState{Number: p.Number, Positions: []Position{}, Summary: []SummaryEntry{}}
		if len(p.Options) == 0 {
			if all(key{p.Number, ""}) {
				st.Status = StatusAgreed
			}
		} else {
			for _, o := range p.Options {
				if all(key{p.Number, o.Label}) {
					st.Status, st.Agreed = StatusAgreed, o.Label
					break
				}
			}
		}
		switch {
		case st.Status == StatusAgreed && adRef:
			st.Status = StatusAdReferendum
		case st.Status == "" && p.Bracketed():
			st.Status = StatusBracketed
		case st.Status == "":
			st.Status = StatusOpen
		}
		for _, pos := range positions {
			if pos.Paragraph == p.Number {
				st.Positions = append(st.Positions, pos)
			}
		}
		for _, e := range summary {
			if e.Paragraph == p.Number {
				st.Summary = append(st.Summary, e)
			}
		}
		out = append(out, st)
	}
	return out
}

// PositionInput is a party's stance on a paragraph (Alternative "") or on
// one of its alternatives.
type PositionInput struct {
	Alternative, Stance, Wording, Comment string
}

// SetPosition records the actor's party's stance on paragraph p of Rev.n.
// Positions go on the latest revision only: one on a superseded revision is
// refused naming the current one. A paragraph or alternative that does not
// exist is refused. Accepting a paragraph with alternatives names the
// alternative accepted; an amendment carries its proposed wording.
func (s *Service) SetPosition(ctx context.Context, actor access.Actor, textID string, n, p int, in PositionInput) (pos Position, err error) {
	defer errs.Wrap(&err, "text.SetPosition")
	if err := loggedIn(actor); err != nil {
		return Position{}, err
	}
	if !slices.Contains(Stances, in.Stance) {
		return Position{}, errs.Field("stance", "stance must be accept, reject, reserve or amend")
	}
	if in.Comment, err = freeText("comment", in.Comment, MaxComment); err != nil {
		return Position{}, err
	}
	if in.Stance == Amend {
		spans, err := ParseWording("wording", strings.TrimSpace(in.Wording))
		if err != nil {
			return Position{}, err
		}
		if len(spans) == 0 {
			return Position{}, errs.Field("wording", "an amendment needs the proposed wording")
		}
		in.Wording = FormatSpans(spans)
	} else if strings.TrimSpace(in.Wording) != "" {
		return Position{}, errs.Field("wording", "proposed wording goes with the stance amend")
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		t, err := s.textIn(ctx, tx, actor, textID, true)
		if err != nil {
			return err
		}
		if c, err := access.RoundCapacity(ctx, tx, actor, t.RoundID); err != nil {
			return err
		} else if !c.In(access.Party) {
			return errs.New(errs.Forbidden, "only a party taking part in this round records a position")
		}
		rev, err := s.revisionIn(ctx, tx, actor, textID, n)
		if err != nil {
			return err
		}
		if t.Adopted > 0 {
			return errs.New(errs.Conflict, "the text was adopted as Rev.%d; positions are closed", t.Adopted)
		}
		if rev.Number < rev.Latest {
			return errs.New(CodeSuperseded, "Rev.%d is superseded by Rev.%d; record your position on Rev.%d", rev.Number, rev.Latest, rev.Latest)
		}
		para, ok := rev.Document.Paragraph(p)
		if !ok {
			return errs.Field("paragraph", "Rev.%d has no paragraph %d (it has paragraphs 1 to %d)", rev.Number, p, len(rev.Document.Paragraphs()))
		}
		if err := checkAlternative(rev.Number, para, in); err != nil {
			return err
		}
		aud, err := partyAudience(ctx, tx, t.RoundID, actor.Org)
		if err != nil {
			return err
		}
		pos = Position{Paragraph: p, Alternative: in.Alternative, OrgID: actor.Org, Stance: in.Stance,
			Wording: in.Wording, Comment: in.Comment}
		id := positionID(rev.ID, p, in.Alternative, actor.Org)
		now := store.Now()
		pos.UpdatedAt = store.Time(now)
		ev, err := event(ctx, rec, actor, "text.position_set", t.RoundID, "text_position", id, aud,
			positionContent(t.ID, rev.Number, p, in.Alternative, actor.Org, in.Stance, in.Wording, in.Comment, pos.UpdatedAt, 0))
		if err != nil {
			return err
		}
		pos.LedgerIndex = ev.Index
		if _, err := tx.ExecContext(ctx, `INSERT INTO text_positions(revision_id, paragraph, alternative, org_id, stance, wording, comment, updated_at, updated_by, ledger_idx)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (revision_id, paragraph, alternative, org_id) DO UPDATE SET stance = excluded.stance, wording = excluded.wording,
			comment = excluded.comment, updated_at = excluded.updated_at, updated_by = excluded.updated_by, ledger_idx = excluded.ledger_idx,
			carried_from = 0`,
			rev.ID, p, in.Alternative, actor.Org, in.Stance, in.Wording, in.Comment, now, actor.User, ev.Index); err != nil {
			return err
		}
		if err := access.Grant(ctx, tx, id, aud); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT name FROM orgs WHERE id = $1", actor.Org).Scan(&pos.OrgName)
	})
	if err != nil {
		return Position{}, err
	}
	return pos, nil
}

// checkAlternative refuses an alternative the paragraph does not have, and
// an acceptance of a paragraph with alternatives that does not say which.
func checkAlternative(rev int, p Paragraph, in PositionInput) error {
	if len(p.Options) == 0 {
		if in.Alternative != "" {
			return errs.Field("alternative", "paragraph %d of Rev.%d has no alternatives", p.Number, rev)
		}
		return nil
	}
	labels := make([]string, len(p.Options))
	for i, o := range p.Options {
		labels[i] = o.Label
	}
	if in.Alternative == "" {
		if in.Stance == Accept {
			return errs.Field("alternative", "paragraph %d has alternatives %s; say which one you accept", p.Number, strings.Join(labels, ", "))
		}
		return nil
	}
	if _, ok := p.Option(in.Alternative); !ok {
		return errs.Field("alternative", "paragraph %d of Rev.%d has alternatives %s, not %q", p.Number, rev, strings.Join(labels, ", "), in.Alternative)
	}
	return nil
}

// SetSummary chooses whether a party sees the summary of every party's
// stances on the text ("both parties accept Option B"): the stances only,
// never the comments or proposed wording.
func (s *Service) SetSummary(ctx context.Context, actor access.Actor, textID, orgID string, shared bool) (err error) {
	defer errs.Wrap(&err, "text.SetSummary")
	if err := loggedIn(actor); err != nil {
		return err
	}
	return s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		t, err := s.writableText(ctx, tx, actor, textID)
		if err != nil {
			return err
		}
		if c, err := access.CapacityOf(ctx, tx, t.RoundID, orgID); err != nil {
			return err
		} else if c != access.Party {
			return errs.Field("org", "the summary is shown to a party taking part in the round")
		}
		aud, err := partyAudience(ctx, tx, t.RoundID, orgID)
		if err != nil {
			return err
		}
		now := store.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO text_summaries(text_id, org_id, shared, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (text_id, org_id) DO UPDATE SET shared = excluded.shared, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			t.ID, orgID, shared, now, actor.User); err != nil {
			return err
		}
		id := summaryID(t.ID, orgID)
		if err := access.Grant(ctx, tx, id, aud); err != nil {
			return err
		}
		_, err = event(ctx, rec, actor, "text.summary_set", t.RoundID, "text_summary", id, aud, summaryContent(t.ID, orgID, shared))
		return err
	})
}

// Summaries reports, for the mediation, which parties see the summary.
func (s *Service) Summaries(ctx context.Context, actor access.Actor, textID string) (shared map[string]bool, err error) {
	defer errs.Wrap(&err, "text.Summaries")
	if err := loggedIn(actor); err != nil {
		return nil, err
	}
	cond, arg := access.ReadableBy(actor, summaryIDSQL, 2)
	rows, err := s.db.R.QueryContext(ctx, "SELECT s.org_id, s.shared FROM text_summaries s WHERE s.text_id = $1 AND "+cond, textID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	shared = map[string]bool{}
	for rows.Next() {
		var org string
		var on bool
		if err := rows.Scan(&org, &on); err != nil {
			return nil, err
		}
		shared[org] = on
	}
	return shared, rows.Err()
}

// DraftFromAmendment starts the next draft from a proposed amendment: the
// text of Rev.n with the paragraph (or the alternative) amended replaced by
// the proposed wording. The mediation edits it further before issuing.
func (s *Service) DraftFromAmendment(ctx context.Context, actor access.Actor, textID string, n, p int, alt, orgID string) (d Draft, err error) {
	defer errs.Wrap(&err, "text.DraftFromAmendment")
	if err := loggedIn(actor); err != nil {
		return Draft{}, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		t, err := s.writableText(ctx, tx, actor, textID)
		if err != nil {
			return err
		}
		rev, err := s.revisionIn(ctx, tx, actor, textID, n)
		if err != nil {
			return err
		}
		var wording string
		for _, pos := range rev.Paragraphs {
			for _, x := range pos.Positions {
				if x.Paragraph == p && x.Alternative == alt && x.OrgID == orgID && x.Stance == Amend {
					wording = x.Wording
				}
			}
		}
		if wording == "" {
			return errs.NotFoundf("amendment")
		}
		spans, err := ParseWording("wording", wording)
		if err != nil {
			return err
		}
		doc := rev.Document
		for si := range doc.Sections {
			for pi := range doc.Sections[si].Paragraphs {
				para := &doc.Sections[si].Paragraphs[pi]
				if para.Number != p {
					continue
				}
				if alt == "" {
					para.Spans, para.Options = spans, nil
				} else {
					for oi := range para.Options {
						if para.Options[oi].Label == alt {
							para.Options[oi].Spans = spans
						}
					}
				}
			}
		}
		aud, err := draftAudience(ctx, tx, t.RoundID)
		if err != nil {
			return err
		}
		d, err = s.saveDraft(ctx, tx, rec, actor, t, Format(doc), aud)
		return err
	})
	return d, err
}

// RevisionLabel is how a revision is named: "Rev.2".
func RevisionLabel(n int) string { return "Rev." + strconv.Itoa(n) }
