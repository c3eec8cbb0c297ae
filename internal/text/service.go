package text

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/talks"
)

// Error codes of the text rules.
const (
	// CodeSuperseded: a position on a revision that a later one replaced.
	CodeSuperseded = "superseded_revision"
	// CodeBracketsRemain: adoption of a revision that still holds brackets.
	CodeBracketsRemain = "brackets_remain"
	// CodeDraftChanged: issuing a reviewed draft after a later save.
	CodeDraftChanged = "draft_changed"
)

func init() {
	errs.Register(CodeSuperseded, 409)
	errs.Register(CodeBracketsRemain, 409)
	errs.Register(CodeDraftChanged, 409)
}

// Verifier checks that the person acting is the account holder: their
// password again, plus their second factor when enrolled.
// auth.Service.VerifyPassword implements it.
type Verifier interface {
	VerifyPassword(ctx context.Context, actor access.Actor, password, otp string) error
}

// Service is the negotiating text over one database.
type Service struct {
	db     *store.DB
	led    *ledger.Ledger
	verify Verifier
}

// New returns the text service. Writes go through led; adoption
// confirmations are checked by verify (the auth service).
func New(db *store.DB, led *ledger.Ledger, verify Verifier) *Service {
	return &Service{db: db, led: led, verify: verify}
}

// The stances a party takes on a paragraph or alternative.
const (
	Accept  = "accept"
	Reject  = "reject"
	Reserve = "reserve" // awaiting instructions
	Amend   = "amend"   // with proposed wording
)

// Stances lists the stances in display order.
var Stances = []string{Accept, Reject, Reserve, Amend}

// The derived status of a paragraph.
const (
	StatusAgreed       = "agreed"
	StatusAdReferendum = "agreed_ad_referendum"
	StatusBracketed    = "bracketed"
	StatusOpen         = "open"
)

// Text is a negotiating text of a round.
type Text struct {
	ID, RoundID, Title string
	// AdReferendum is the "nothing is agreed until everything is agreed"
	// setting: agreed paragraphs show as agreed ad referendum until the
	// whole text is adopted.
	AdReferendum bool
	// Revision is the number of the latest issued revision, 0 before Rev.1.
	Revision int
	// Adopted is the adopted revision's number, 0 while not adopted.
	Adopted     int
	AdoptedAt   time.Time
	AdoptedHash string // hex SHA-256 of the adopted canonical text
	// AdoptedIndex is the ledger index of the "text.adopted" event, -1
	// while not adopted.
	AdoptedIndex int64
	CreatedAt    time.Time
	LedgerIndex  int64 // the "text.created" event
	// Language is the BCP 47 tag of the authoritative text ("en" unless
	// the mediation says otherwise); translations are in other languages.
	Language string
	// Guarantors: the round's administrators share the issued revisions
	// with the round's guarantors (ShareWithGuarantors).
	Guarantors bool
}

// Draft is one save of the mediation's draft.
type Draft struct {
	ID, TextID  string
	Seq         int // 1, 2, … in save order
	Source      string
	SavedAt     time.Time
	SavedBy     string // user id
	LedgerIndex int64
}

// event appends one event of the text model. Content is canonical JSON
// (encoding/json sorts map keys), so the same change hashes the same.
func event(ctx context.Context, rec *ledger.Recorder, actor access.Actor, typ, round, objType, objID string, aud access.Audience, content map[string]any) (ledger.Event, error) {
	b, err := json.Marshal(content)
	if err != nil {
		return ledger.Event{}, fmt.Errorf("%s content: %w", typ, err)
	}
	return rec.Append(ctx, ledger.Event{
		Type: typ, Actor: actor, Round: round,
		ObjectType: objType, ObjectID: objID,
		Audience: aud, Content: b,
	})
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// freeText validates an optional free-text field.
func freeText(field, v string, max int) (string, error) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) {
		return "", errs.Field(field, "%s is not valid UTF-8", field)
	}
	if utf8.RuneCountInString(v) > max {
		return "", errs.Field(field, "%s is longer than %d characters", field, max)
	}
	for _, r := range v {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return "", errs.Field(field, "%s contains a control character", field)
		}
	}
	return v, nil
}

// The audience item ids of rows without an id of their own, derived from
// their keys; they cannot collide with random hex ids. Each has its SQL
// twin over the alias used in the queries.
func positionID(rev string, paragraph int, alt, org string) string {
	return fmt.Sprintf("position:%s:%d:%s:%s", rev, paragraph, alt, org)
}

const positionIDSQL = "('position:' || p.revision_id || ':' || CAST(p.paragraph AS TEXT) || ':' || p.alternative || ':' || p.org_id)"

func summaryID(textID, org string) string { return "summary:" + textID + ":" + org }

const summaryIDSQL = "('summary:' || s.text_id || ':' || s.org_id)"

func confirmationID(rev, org string) string { return "confirmation:" + rev + ":" + org }

const confirmationIDSQL = "('confirmation:' || c.revision_id || ':' || c.org_id)"

// draftAudience is the mediation of the round: drafts are its own.
func draftAudience(ctx context.Context, q access.Querier, roundID string) (access.Audience, error) {
	return access.RoundOrgs(ctx, q, roundID, access.Mediation)
}

// revisionAudience is who reads an issued revision: the parties, the
// mediation and the host of the round (docs/text.md "Audiences").
func revisionAudience(ctx context.Context, q access.Querier, roundID string) (access.Audience, error) {
	return access.RoundOrgs(ctx, q, roundID, access.Party, access.Mediation, access.Host)
}

// partyAudience is who reads a party's position: the party and the
// mediation.
func partyAudience(ctx context.Context, q access.Querier, roundID, org string) (access.Audience, error) {
	med, err := draftAudience(ctx, q, roundID)
	if err != nil {
		return nil, err
	}
	return access.Of(append(med, org)...), nil
}

func loggedIn(actor access.Actor) error {
	if actor.Anonymous() {
		return errs.New(errs.Unauthorized, "log in first")
	}
	return nil
}

const textColumns = `t.id, t.round_id, t.title, t.ad_referendum, t.adopted_rev, t.adopted_at, t.adopted_hash, t.adopted_idx, t.created_at, t.ledger_idx,
	COALESCE((SELECT MAX(r.number) FROM text_revisions r WHERE r.text_id = t.id), 0), t.language, t.guarantors`

func scanText(sc interface{ Scan(...any) error }) (Text, error) {
	var t Text
	var created, adopted int64
	err := sc.Scan(&t.ID, &t.RoundID, &t.Title, &t.AdReferendum, &t.Adopted, &adopted, &t.AdoptedHash, &t.AdoptedIndex, &created, &t.LedgerIndex, &t.Revision, &t.Language, &t.Guarantors)
	t.CreatedAt = store.Time(created)
	if adopted != 0 {
		t.AdoptedAt = store.Time(adopted)
	}
	return t, err
}

// textIn reads a text actor may read, locking its row on PostgreSQL when
// lock is set (writes to one text are serialised by it; SQLite's single
// writer already is).
func (s *Service) textIn(ctx context.Context, q access.Querier, actor access.Actor, id string, lock bool) (Text, error) {
	if !store.ValidID(id) {
		return Text{}, errs.NotFoundf("text")
	}
	cond, arg := access.ReadableBy(actor, "t.id", 2)
	qs := "SELECT " + textColumns + " FROM texts t WHERE t.id = $1 AND " + cond
	if lock && s.db.Dialect == store.Postgres {
		qs += " FOR UPDATE OF t"
	}
	t, err := scanText(q.QueryRowContext(ctx, qs, id, arg))
	if err == sql.ErrNoRows {
		return Text{}, errs.NotFoundf("text")
	}
	return t, err
}

// NewText is the input of Create.
type NewText struct {
	// Source is the first draft; when empty, a draft holding only the
	// title is saved.
	Source string
	Title  string
	// AdReferendum turns on "nothing is agreed until everything is agreed".
	AdReferendum bool
	// Language is the BCP 47 tag of the authoritative text; "" is "en".
	Language string
}

// Create starts a negotiating text in a round, with its first draft. Only
// the mediation taking part in the round creates one; until Rev.1 is
// issued the text is the mediation's alone.
func (s *Service) Create(ctx context.Context, actor access.Actor, roundID string, in NewText) (t Text, err error) {
	defer errs.Wrap(&err, "text.Create")
	if err := loggedIn(actor); err != nil {
		return Text{}, err
	}
	src := in.Source
	if strings.TrimSpace(src) == "" {
		title, err := freeText("title", in.Title, MaxTitle)
		if err != nil {
			return Text{}, err
		}
		if title == "" {
			return Text{}, errs.Field("title", "a text needs a title or a source")
		}
		src = "# " + escape(strings.Join(strings.Fields(title), " ")) + "\n"
	}
	doc, err := Parse(src)
	if err != nil {
		return Text{}, err
	}
	lang := "en"
	if in.Language != "" {
		if lang, err = Language("language", in.Language); err != nil {
			return Text{}, err
		}
	}
	t = Text{ID: store.NewID(), RoundID: roundID, Title: doc.Title, AdReferendum: in.AdReferendum, Language: lang}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		if c, err := access.RoundCapacity(ctx, tx, actor, roundID); err != nil {
			return err
		} else if !c.Participates() {
			return errs.NotFoundf("round")
		} else if !c.Mediates() {
			return errs.New(errs.Forbidden, "only the mediation of this round drafts its text")
		}
		aud, err := draftAudience(ctx, tx, roundID)
		if err != nil {
			return err
		}
		ev, err := event(ctx, rec, actor, "text.created", roundID, "text", t.ID, aud, map[string]any{
			"id": t.ID, "round_id": roundID, "title": t.Title, "ad_referendum": t.AdReferendum, "language": lang,
		})
		if err != nil {
			return err
		}
		now := store.Now()
		t.LedgerIndex, t.CreatedAt = ev.Index, store.Time(now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO texts(id, round_id, title, ad_referendum, created_at, created_by, ledger_idx, language)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, t.ID, roundID, t.Title, t.AdReferendum, now, actor.User, ev.Index, lang); err != nil {
			return err
		}
		if err := access.Grant(ctx, tx, t.ID, aud); err != nil {
			return err
		}
		_, err = s.saveDraft(ctx, tx, rec, actor, t, src, aud)
		return err
	})
	if err != nil {
		return Text{}, err
	}
	return t, nil
}

// draftContent is the content of a draft's text.draft_saved event, rebuilt
// from its row by parley verify (verify.go).
func draftContent(id, textID string, seq int, src string) map[string]any {
	return map[string]any{"id": id, "text_id": textID, "seq": seq, "source": src}
}

// summaryContent is the content of a text.summary_set event.
func summaryContent(textID, orgID string, shared bool) map[string]any {
	return map[string]any{"text_id": textID, "org_id": orgID, "shared": shared}
}

// saveDraft stores one draft inside a write.
func (s *Service) saveDraft(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, actor access.Actor, t Text, src string, aud access.Audience) (Draft, error) {
	d := Draft{ID: store.NewID(), TextID: t.ID, Source: src, SavedBy: actor.User}
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM text_drafts WHERE text_id = $1", t.ID).Scan(&d.Seq); err != nil {
		return Draft{}, err
	}
	ev, err := event(ctx, rec, actor, "text.draft_saved", t.RoundID, "text_draft", d.ID, aud, draftContent(d.ID, t.ID, d.Seq, src))
	if err != nil {
		return Draft{}, err
	}
	now := store.Now()
	d.SavedAt, d.LedgerIndex = store.Time(now), ev.Index
	if _, err := tx.ExecContext(ctx, `INSERT INTO text_drafts(id, text_id, seq, source, saved_at, saved_by, ledger_idx)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, d.ID, t.ID, d.Seq, src, now, actor.User, ev.Index); err != nil {
		return Draft{}, err
	}
	return d, access.Grant(ctx, tx, d.ID, aud)
}

// SaveDraft keeps a new save of the mediation's draft. Markup that does not
// parse (an unbalanced bracket, say) is refused with its line and column and
// nothing is saved. An adopted text takes no more drafts.
func (s *Service) SaveDraft(ctx context.Context, actor access.Actor, textID, src string) (d Draft, err error) {
	defer errs.Wrap(&err, "text.SaveDraft")
	if err := loggedIn(actor); err != nil {
		return Draft{}, err
	}
	if _, err := Parse(src); err != nil {
		return Draft{}, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		t, err := s.writableText(ctx, tx, actor, textID)
		if err != nil {
			return err
		}
		aud, err := draftAudience(ctx, tx, t.RoundID)
		if err != nil {
			return err
		}
		d, err = s.saveDraft(ctx, tx, rec, actor, t, src, aud)
		return err
	})
	return d, err
}

// writableText reads and locks a text the mediation actor changes: it must
// read it, take part in its round as mediation, and the text must not be
// adopted yet.
func (s *Service) writableText(ctx context.Context, tx *sql.Tx, actor access.Actor, textID string) (Text, error) {
	t, err := s.textIn(ctx, tx, actor, textID, true)
	if err != nil {
		return Text{}, err
	}
	if c, err := access.RoundCapacity(ctx, tx, actor, t.RoundID); err != nil {
		return Text{}, err
	} else if !c.In(access.Mediation) {
		return Text{}, errs.New(errs.Forbidden, "only the mediation of this round drafts its text")
	}
	if t.Adopted > 0 {
		return Text{}, errs.New(errs.Conflict, "the text was adopted as Rev.%d; it takes no more changes", t.Adopted)
	}
	return t, nil
}

// Drafts lists every save of a text's draft, newest first. Only the
// mediation reads drafts; for anyone else the list is empty.
func (s *Service) Drafts(ctx context.Context, actor access.Actor, textID string) (ds []Draft, err error) {
	defer errs.Wrap(&err, "text.Drafts")
	if err := loggedIn(actor); err != nil {
		return nil, err
	}
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		if _, err := s.textIn(ctx, tx, actor, textID, false); err != nil {
			return err
		}
		cond, arg := access.ReadableBy(actor, "d.id", 2)
		rows, err := tx.QueryContext(ctx, `SELECT d.id, d.text_id, d.seq, d.source, d.saved_at, d.saved_by, d.ledger_idx
			FROM text_drafts d WHERE d.text_id = $1 AND `+cond+` ORDER BY d.seq DESC`, textID, arg)
		if err != nil {
			return err
		}
		defer rows.Close()
		ds = []Draft{}
		for rows.Next() {
			var d Draft
			var at int64
			if err := rows.Scan(&d.ID, &d.TextID, &d.Seq, &d.Source, &at, &d.SavedBy, &d.LedgerIndex); err != nil {
				return err
			}
			d.SavedAt = store.Time(at)
			ds = append(ds, d)
		}
		return rows.Err()
	})
	return ds, err
}

// Text returns a text actor may read.
func (s *Service) Text(ctx context.Context, actor access.Actor, textID string) (t Text, err error) {
	defer errs.Wrap(&err, "text.Text")
	if err := loggedIn(actor); err != nil {
		return Text{}, err
	}
	return s.textIn(ctx, s.db.R, actor, textID, false)
}

// Texts lists the texts of a round actor may read.
func (s *Service) Texts(ctx context.Context, actor access.Actor, roundID string) (ts []Text, err error) {
	defer errs.Wrap(&err, "text.Texts")
	if err := loggedIn(actor); err != nil {
		return nil, err
	}
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		// A round the actor does not take part in answers as missing, not
		// as a round without texts.
		if ok, err := access.Readable(ctx, tx, actor, roundID); err != nil {
			return err
		} else if !ok || !store.ValidID(roundID) {
			return errs.NotFoundf("round")
		}
		cond, arg := access.ReadableBy(actor, "t.id", 2)
		rows, err := tx.QueryContext(ctx, "SELECT "+textColumns+" FROM texts t WHERE t.round_id = $1 AND "+cond+" ORDER BY t.created_at, t.id", roundID, arg)
		if err != nil {
			return err
		}
		defer rows.Close()
		ts = []Text{}
		for rows.Next() {
			t, err := scanText(rows)
			if err != nil {
				return err
			}
			ts = append(ts, t)
		}
		return rows.Err()
	})
	return ts, err
}

// SetAdReferendum turns the "nothing is agreed until everything is agreed"
// setting on or off.
func (s *Service) SetAdReferendum(ctx context.Context, actor access.Actor, textID string, on bool) (err error) {
	defer errs.Wrap(&err, "text.SetAdReferendum")
	if err := loggedIn(actor); err != nil {
		return err
	}
	return s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		t, err := s.writableText(ctx, tx, actor, textID)
		if err != nil {
			return err
		}
		aud, err := access.AudienceOf(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE texts SET ad_referendum = $1 WHERE id = $2", on, t.ID); err != nil {
			return err
		}
		_, err = event(ctx, rec, actor, "text.settings_set", t.RoundID, "text", t.ID, aud, map[string]any{
			"text_id": t.ID, "ad_referendum": on,
		})
		return err
	})
}

// Joined is the text package's talks.JoinHook: an organisation joining a
// round reads the round's shared material (docs/text.md "Audiences",
// docs/security.md). A party, the host or a mediation reads every issued
// revision, its text, its translations and the adoption confirmations. A
// mediation that joins late does not read what was confidential before it
// came: the drafts, the texts not yet issued, the parties' positions and
// the summaries stay with the mediation that was there. A guarantor reads
// the same of the texts shared with the guarantors.
func (s *Service) Joined(ctx context.Context, tx *sql.Tx, roundID string, p talks.Participant) error {
	shared := ""
	switch p.Capacity {
	case access.Party, access.Host, access.Mediation:
	case access.Guarantor:
		// A guarantor reads the texts shared with the guarantors.
		shared = " AND t.guarantors"
	default:
		return nil
	}
	queries := []string{
		"SELECT t.id AS id FROM texts t WHERE t.round_id = $1" + shared + " AND EXISTS (SELECT 1 FROM text_revisions r WHERE r.text_id = t.id)",
		"SELECT r.id AS id FROM text_revisions r JOIN texts t ON t.id = r.text_id WHERE t.round_id = $1" + shared,
		"SELECT tr.id AS id FROM text_translations tr JOIN text_revisions r ON r.id = tr.revision_id JOIN texts t ON t.id = r.text_id WHERE t.round_id = $1" + shared,
		"SELECT " + confirmationIDSQL + " AS id FROM text_confirmations c JOIN text_revisions r ON r.id = c.revision_id JOIN texts t ON t.id = r.text_id WHERE t.round_id = $1" + shared,
	}
	for _, q := range queries {
		if err := access.WidenAll(ctx, tx, p.Org.ID, q, roundID); err != nil {
			return err
		}
	}
	return nil
}
