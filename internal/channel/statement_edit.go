package channel

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// A draft statement is its organisation's to correct or withdraw until it
// is released (docs/channel.md "The statements desk"). A released one is
// a public record and changes no more.

// RoundRef names the round a statement is about.
type RoundRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// checkStatement validates a statement's title and body and returns the
// trimmed title.
func checkStatement(in NewStatement) (string, error) {
	title := strings.TrimSpace(in.Title)
	switch {
	case title == "":
		return "", errs.Field("title", "the title is required")
	case utf8.RuneCountInString(title) > MaxStatementTitle || strings.ContainsAny(title, "\r\n\x00"):
		return "", errs.Field("title", "the title is one line of at most %d characters", MaxStatementTitle)
	case !utf8.ValidString(title):
		return "", errs.Field("title", "the title is not valid UTF-8")
	}
	// The body's errors name their field, so that a form shows them next
	// to the body.
	if strings.TrimSpace(in.Body) == "" {
		return "", &errs.Error{Code: EmptyBody, Field: "body", Message: "the statement is empty"}
	}
	if len(in.Body) > MaxStatementBody {
		return "", &errs.Error{Code: BodyTooLong, Field: "body", Message: fmt.Sprintf("the statement is longer than %d KiB", MaxStatementBody>>10)}
	}
	if !utf8.ValidString(in.Body) || strings.ContainsRune(in.Body, 0) {
		return "", errs.Field("body", "the statement is not valid text")
	}
	return title, nil
}

// statementRound checks the round a statement names: one the actor's
// organisation takes part in (any other, or an unknown id, is refused
// alike).
func statementRound(ctx context.Context, q access.Querier, actor access.Actor, roundID string) error {
	if roundID == "" {
		return nil
	}
	c, err := access.RoundCapacity(ctx, q, actor, roundID)
	if err != nil {
		return err
	}
	if !store.ValidID(roundID) || !c.Participates() {
		return errs.Field("round", "choose a round your organisation takes part in")
	}
	return nil
}

// ownDraft reads, inside a write, a statement of the actor's organisation
// that is not released yet.
func (s *Service) ownDraft(ctx context.Context, tx *sql.Tx, actor access.Actor, id string) (Statement, error) {
	if actor.Anonymous() || actor.Org == "" {
		return Statement{}, errs.New(errs.Unauthorized, "log in first")
	}
	cur, err := s.statementIn(ctx, tx, actor, id, time.Now())
	if err != nil {
		return Statement{}, err
	}
	if cur.Org.ID != actor.Org {
		return Statement{}, errs.New(errs.Forbidden, "only the organisation that wrote a statement changes it")
	}
	if !cur.ReleasedAt.IsZero() {
		return Statement{}, errs.New(errs.Conflict, "the statement is released; it changes no more")
	}
	return cur, nil
}

// EditStatement replaces a draft's title, body, embargo and round. Only
// its organisation edits it, and only before release.
func (s *Service) EditStatement(ctx context.Context, actor access.Actor, id string, in NewStatement) (st Statement, err error) {
	defer errs.Wrap(&err, "channel.EditStatement")
	title, err := checkStatement(in)
	if err != nil {
		return Statement{}, err
	}
	var embargo int64
	if !in.EmbargoUntil.IsZero() {
		embargo = store.Stamp(in.EmbargoUntil)
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		cur, err := s.ownDraft(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		// The round decides who reads the draft (its mediation), so a
		// draft that names a round keeps it. A draft that named none is
		// read by the mediation of every round its organisation takes part
		// in, which includes the round it may now name.
		if err := statementRound(ctx, tx, actor, in.RoundID); err != nil {
			return err
		}
		if cur.Round.ID != "" && in.RoundID != cur.Round.ID {
			return errs.Field("round", "a draft keeps the round it was written about; delete it and draft a new statement")
		}
		aud, err := access.AudienceOf(ctx, tx, id)
		if err != nil {
			return err
		}
		// Encoded as the creating event's content, so that parley verify
		// checks the row against the latest of the two (verify.go).
		content := statementContent(id, actor.Org, title, in.Body, embargo)
		if _, err := rec.Append(ctx, ledger.Event{Type: "statement.edited", Actor: actor, ObjectType: "statement", ObjectID: id, Audience: aud, Content: content}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE statements SET title_enc = $1, body_enc = $2, embargo_until = $3, round_id = $4 WHERE id = $5`,
			s.keys.seal("statement-title", id, []byte(title)), s.keys.seal("statement", id, []byte(in.Body)), embargo, in.RoundID, id); err != nil {
			return err
		}
		// The search index holds the words of the text as it is now.
		if _, err := tx.ExecContext(ctx, "DELETE FROM search_terms WHERE item_id = $1", id); err != nil {
			return err
		}
		s.indexTerms(rec, id, title+"\n"+in.Body)
		return nil
	})
	if err != nil {
		return Statement{}, err
	}
	return s.Statement(ctx, actor, id)
}

// DeleteStatement withdraws a draft: it is gone from the desk and the
// search; the ledger keeps its events. Only its organisation deletes it,
// and only before release.
func (s *Service) DeleteStatement(ctx context.Context, actor access.Actor, id string) (err error) {
	defer errs.Wrap(&err, "channel.DeleteStatement")
	return s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		if _, err := s.ownDraft(ctx, tx, actor, id); err != nil {
			return err
		}
		aud, err := access.AudienceOf(ctx, tx, id)
		if err != nil {
			return err
		}
		content, _ := json.Marshal(map[string]any{"id": id})
		if _, err := rec.Append(ctx, ledger.Event{Type: "statement.deleted", Actor: actor, ObjectType: "statement", ObjectID: id, Audience: aud, Content: content}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM search_terms WHERE item_id = $1", id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM statements WHERE id = $1", id)
		return err
	})
}
