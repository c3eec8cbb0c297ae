package text

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// CodeStructure is the error code of a translation whose paragraphs or
// alternatives do not match its revision's.
const CodeStructure = "translation_mismatch"

func init() { errs.Register(CodeStructure, 400) }

// Translation is an issued revision in another language than the
// authoritative text's: the same paragraphs and alternatives, so that the
// parallel view links them one by one.
type Translation struct {
	ID, TextID  string
	Revision    int
	Language    string // BCP 47 tag
	Dir         string // "rtl" or "ltr", from the language
	Source      string // canonical markup
	SHA256      string // of Source
	Document    *Document
	AddedAt     time.Time
	LedgerIndex int64 // the "text.translation_set" event
}

// languageTag is the shape of the BCP 47 tags parley takes: a primary
// language subtag of two or three letters and optional subtags (script,
// region, variant), e.g. "ar", "ru", "zh-Hant", "pt-BR".
var languageTag = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$`)

// Language checks a BCP 47 language tag and returns it.
func Language(field, tag string) (string, error) {
	tag = strings.TrimSpace(tag)
	if !languageTag.MatchString(tag) {
		return "", errs.Field(field, "%s must be a BCP 47 language tag such as ar, ru or zh-Hant", field)
	}
	return tag, nil
}

// rtlLanguages are the primary language subtags written right to left.
var rtlLanguages = map[string]bool{
	"ar": true, "arc": true, "ckb": true, "dv": true, "fa": true, "he": true,
	"ps": true, "sd": true, "syr": true, "ug": true, "ur": true, "yi": true,
}

// Direction is the writing direction of a language tag: "rtl" for Arabic,
// Persian, Hebrew, Urdu and the other right-to-left languages (or an
// Arabic-script tag such as "ku-Arab"), else "ltr".
func Direction(tag string) string {
	primary, rest, _ := strings.Cut(tag, "-")
	if rtlLanguages[primary] || strings.HasPrefix(rest, "Arab") || strings.HasPrefix(rest, "Hebr") {
		return "rtl"
	}
	return "ltr"
}

// SameStructure reports the first place where a translation's paragraphs
// or alternatives differ from the authoritative document's, or nil when
// they match: the same number of paragraphs and, paragraph by paragraph,
// the same number of alternatives. Wording, brackets within a paragraph and
// headings are the translator's.
func SameStructure(auth, tr *Document) error {
	ap, tp := auth.Paragraphs(), tr.Paragraphs()
	for i := 0; i < len(ap) && i < len(tp); i++ {
		if a, b := len(ap[i].Options), len(tp[i].Options); a != b {
			return errs.New(CodeStructure, "paragraph %d has %s in the authoritative text and %s in the translation",
				ap[i].Number, alternatives(a), alternatives(b))
		}
	}
	if len(ap) != len(tp) {
		return errs.New(CodeStructure, "the authoritative text has %d paragraphs and the translation %d; paragraph %d is the first without its counterpart",
			len(ap), len(tp), min(len(ap), len(tp))+1)
	}
	return nil
}

func alternatives(n int) string {
	switch n {
	case 0:
		return "no alternatives"
	case 1:
		return "1 alternative"
	}
	return fmt.Sprintf("%d alternatives", n)
}

// SetTranslation adds (or replaces) the translation of Rev.n into lang. The
// mediation of the round adds it; the markup must parse and give the same
// paragraphs and alternatives as the revision, else it is refused naming
// the first mismatch. Its audience is the revision's.
func (s *Service) SetTranslation(ctx context.Context, actor access.Actor, textID string, n int, lang, src string) (tr Translation, err error) {
	defer errs.Wrap(&err, "text.SetTranslation")
	if err := loggedIn(actor); err != nil {
		return Translation{}, err
	}
	if lang, err = Language("language", lang); err != nil {
		return Translation{}, err
	}
	doc, err := Parse(src)
	if err != nil {
		return Translation{}, err
	}
	canon := Format(doc)
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		t, err := s.textIn(ctx, tx, actor, textID, true)
		if err != nil {
			return err
		}
		if c, err := access.RoundCapacity(ctx, tx, actor, t.RoundID); err != nil {
			return err
		} else if !c.In(access.Mediation) {
			return errs.New(errs.Forbidden, "only the mediation of this round adds translations of its text")
		}
		if lang == t.Language {
			return errs.Field("language", "%s is the language of the authoritative text", lang)
		}
		rev, err := s.revisionIn(ctx, tx, actor, textID, n)
		if err != nil {
			return err
		}
		if err := SameStructure(rev.Document, doc); err != nil {
			if e, ok := errs.As(err); ok {
				e.Field = "source"
			}
			return err
		}
		aud, err := access.AudienceOf(ctx, tx, rev.ID)
		if err != nil {
			return err
		}
		tr = Translation{TextID: t.ID, Revision: rev.Number, Language: lang, Dir: Direction(lang), Source: canon,
			SHA256: hashHex(canon), Document: doc}
		// A corrected translation keeps its id, so that its audience and
		// links stay.
		err = tx.QueryRowContext(ctx, "SELECT id FROM text_translations WHERE revision_id = $1 AND language = $2", rev.ID, lang).Scan(&tr.ID)
		if err == sql.ErrNoRows {
			tr.ID = store.NewID()
		} else if err != nil {
			return err
		}
		now := store.Now()
		tr.AddedAt = store.Time(now)
		ev, err := event(ctx, rec, actor, "text.translation_set", t.RoundID, "text_translation", tr.ID, aud,
			translationContent(tr.ID, t.ID, rev.Number, lang, tr.SHA256, canon))
		if err != nil {
			return err
		}
		tr.LedgerIndex = ev.Index
		if _, err := tx.ExecContext(ctx, `INSERT INTO text_translations(id, revision_id, language, source, sha256, added_at, added_by, ledger_idx)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (revision_id, language) DO UPDATE SET source = excluded.source, sha256 = excluded.sha256,
			added_at = excluded.added_at, added_by = excluded.added_by, ledger_idx = excluded.ledger_idx`,
			tr.ID, rev.ID, lang, canon, tr.SHA256, now, actor.User, ev.Index); err != nil {
			return err
		}
		return access.Grant(ctx, tx, tr.ID, aud)
	})
	if err != nil {
		return Translation{}, err
	}
	return tr, nil
}

// Translations lists the translations of Rev.n that actor may read, by
// language.
func (s *Service) Translations(ctx context.Context, actor access.Actor, textID string, n int) (ts []Translation, err error) {
	defer errs.Wrap(&err, "text.Translations")
	if err := loggedIn(actor); err != nil {
		return nil, err
	}
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		ts, err = s.translationsIn(ctx, tx, actor, textID, n, "")
		return err
	})
	return ts, err
}

// Translation returns the translation of Rev.n into lang, if actor may read
// it.
func (s *Service) Translation(ctx context.Context, actor access.Actor, textID string, n int, lang string) (tr Translation, err error) {
	defer errs.Wrap(&err, "text.Translation")
	if err := loggedIn(actor); err != nil {
		return Translation{}, err
	}
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		ts, err := s.translationsIn(ctx, tx, actor, textID, n, lang)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return errs.NotFoundf("translation")
		}
		tr = ts[0]
		return nil
	})
	return tr, err
}

// translationsIn reads the translations of Rev.n readable by actor (of one
// language when lang is set). The revision itself must be readable: a
// missing revision is 404, not an empty list.
func (s *Service) translationsIn(ctx context.Context, q access.Querier, actor access.Actor, textID string, n int, lang string) ([]Translation, error) {
	if !store.ValidID(textID) || n < 1 {
		return nil, errs.NotFoundf("revision")
	}
	rcond, rarg := access.ReadableBy(actor, "r.id", 3)
	var revID string
	err := q.QueryRowContext(ctx, "SELECT r.id FROM text_revisions r WHERE r.text_id = $1 AND r.number = $2 AND "+rcond, textID, n, rarg).Scan(&revID)
	if err == sql.ErrNoRows {
		return nil, errs.NotFoundf("revision")
	}
	if err != nil {
		return nil, err
	}
	cond, arg := access.ReadableBy(actor, "tr.id", 3)
	qs := `SELECT tr.id, tr.language, tr.source, tr.sha256, tr.added_at, tr.ledger_idx FROM text_translations tr
		WHERE tr.revision_id = $1 AND (tr.language = $2 OR $2 = '') AND ` + cond + ` ORDER BY tr.language`
	rows, err := q.QueryContext(ctx, qs, revID, lang, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ts := []Translation{}
	for rows.Next() {
		tr := Translation{TextID: textID, Revision: n}
		var at int64
		if err := rows.Scan(&tr.ID, &tr.Language, &tr.Source, &tr.SHA256, &at, &tr.LedgerIndex); err != nil {
			return nil, err
		}
		tr.AddedAt, tr.Dir = store.Time(at), Direction(tr.Language)
		if tr.Document, err = Parse(tr.Source); err != nil {
			return nil, fmt.Errorf("stored translation %s of Rev.%d does not parse: %w", tr.Language, n, err)
		}
		ts = append(ts, tr)
	}
	return ts, rows.Err()
}

// translationContent is the content of a translation's
// text.translation_set event, rebuilt from its row by parley verify.
func translationContent(id, textID string, revision int, lang, sha, source string) map[string]any {
	return map[string]any{"id": id, "text_id": textID, "revision": revision, "language": lang, "sha256": sha, "source": source}
}
