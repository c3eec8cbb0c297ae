package text

import (
	"context"
	"database/sql"
	"strings"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Positions carried over (docs/text.md): a revision that leaves a
// paragraph's wording as it was keeps every party's positions on it, marked
// with the revision they were recorded on; a paragraph whose wording
// changed starts without positions, and the reader sees its earlier
// positions on the earlier wording beside it.

// paragraphKey is a paragraph's wording with its options, canonical: two
// paragraphs with the same key read the same.
func paragraphKey(p Paragraph) string {
	var b strings.Builder
	b.WriteString(FormatSpans(p.Spans))
	for _, o := range p.Options {
		b.WriteString("\x00" + o.Label + "\x00" + FormatSpans(o.Spans))
	}
	return b.String()
}

// unchangedFrom maps each paragraph of next whose wording is that of a
// paragraph of prev to that paragraph's number: the one with the same
// number when it reads the same, else the first that does.
func unchangedFrom(prev, next *Document) map[int]int {
	first := map[string]int{}
	byNumber := map[int]string{}
	for _, p := range prev.Paragraphs() {
		k := paragraphKey(p)
		byNumber[p.Number] = k
		if _, ok := first[k]; !ok {
			first[k] = p.Number
		}
	}
	out := map[int]int{}
	for _, p := range next.Paragraphs() {
		k := paragraphKey(p)
		if byNumber[p.Number] == k {
			out[p.Number] = p.Number
		} else if q, ok := first[k]; ok {
			out[p.Number] = q
		}
	}
	return out
}

// carryPositions copies, inside the issue of rev, the positions on the
// previous revision's unchanged paragraphs to rev. Each copy keeps its
// party's audience and gets its own "text.position_carried" event, read by
// the same audience, so that a party learns nothing of another's stance.
func (s *Service) carryPositions(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, actor access.Actor, t Text, prevSource string, rev Revision) error {
	prev, err := Parse(prevSource)
	if err != nil {
		return err
	}
	from := unchangedFrom(prev, rev.Document)
	if len(from) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.paragraph, p.alternative, p.org_id, p.stance, p.wording, p.comment, p.updated_at, p.updated_by, p.carried_from
		FROM text_positions p JOIN text_revisions r ON r.id = p.revision_id
		WHERE r.text_id = $1 AND r.number = $2 ORDER BY p.paragraph, p.alternative, p.org_id`, t.ID, t.Revision)
	if err != nil {
		return err
	}
	type old struct {
		Position
		at          int64
		by          string
		carriedFrom int
	}
	byPara := map[int][]old{}
	for rows.Next() {
		var o old
		if err := rows.Scan(&o.Paragraph, &o.Alternative, &o.OrgID, &o.Stance, &o.Wording, &o.Comment, &o.at, &o.by, &o.carriedFrom); err != nil {
			rows.Close()
			return err
		}
		byPara[o.Paragraph] = append(byPara[o.Paragraph], o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	auds := map[string]access.Audience{}
	for _, p := range rev.Document.Paragraphs() {
		q, ok := from[p.Number]
		if !ok {
			continue
		}
		for _, o := range byPara[q] {
			aud, ok := auds[o.OrgID]
			if !ok {
				if aud, err = partyAudience(ctx, tx, t.RoundID, o.OrgID); err != nil {
					return err
				}
				auds[o.OrgID] = aud
			}
			origin := o.carriedFrom
			if origin == 0 {
				origin = t.Revision
			}
			id := positionID(rev.ID, p.Number, o.Alternative, o.OrgID)
			// The same content as a position recorded on this revision, so
			// that parley verify checks the carried row against its event
			// (verify.go); the paragraph it came from is the one of the
			// same wording in revision carried_from.
			ev, err := event(ctx, rec, actor, "text.position_carried", t.RoundID, "text_position", id, aud,
				positionContent(t.ID, rev.Number, p.Number, o.Alternative, o.OrgID, o.Stance, o.Wording, o.Comment, store.Time(o.at), origin))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO text_positions(revision_id, paragraph, alternative, org_id, stance, wording, comment, updated_at, updated_by, ledger_idx, carried_from)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
				rev.ID, p.Number, o.Alternative, o.OrgID, o.Stance, o.Wording, o.Comment, o.at, o.by, ev.Index, origin); err != nil {
				return err
			}
			if err := access.Grant(ctx, tx, id, aud); err != nil {
				return err
			}
		}
	}
	return nil
}

// earlierIn fills in, for each paragraph of rev whose wording changed from
// the previous revision's paragraph of the same number, the positions on
// that earlier wording the reader may read, and the earlier wording.
func earlierIn(ctx context.Context, q access.Querier, actor access.Actor, rev *Revision) error {
	if rev.Number < 2 {
		return nil
	}
	cond, arg := access.ReadableBy(actor, "r.id", 3)
	var prevID, src string
	err := q.QueryRowContext(ctx, "SELECT r.id, r.source FROM text_revisions r WHERE r.text_id = $1 AND r.number = $2 AND "+cond,
		rev.TextID, rev.Number-1, arg).Scan(&prevID, &src)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	prev, err := Parse(src)
	if err != nil {
		return err
	}
	positions, err := positionsIn(ctx, q, actor, prevID)
	if err != nil {
		return err
	}
	for i := range rev.Paragraphs {
		st := &rev.Paragraphs[i]
		now, ok1 := rev.Document.Paragraph(st.Number)
		was, ok2 := prev.Paragraph(st.Number)
		if !ok1 || !ok2 || paragraphKey(now) == paragraphKey(was) {
			continue
		}
		for _, p := range positions {
			if p.Paragraph == st.Number {
				st.Earlier = append(st.Earlier, p)
			}
		}
		if len(st.Earlier) > 0 {
			st.EarlierWording = readingOf(was)
		}
	}
	return nil
}

// readingOf is a paragraph as read, with real brackets and its options.
func readingOf(p Paragraph) string {
	var b strings.Builder
	b.WriteString(Bracketed(p.Spans))
	for _, o := range p.Options {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("[Option " + o.Label + ": " + Bracketed(o.Spans) + "]")
	}
	return b.String()
}
