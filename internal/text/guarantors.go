package text

import (
	"context"
	"database/sql"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/talks"
)

// Sharing with the guarantors (docs/text.md): in the Astana format the
// guarantor states drafted texts with the mediation. The round's
// administrators may share a text's issued revisions with the round's
// guarantors: the text, every revision, translation and adoption
// confirmation, and every later revision. It cannot be withdrawn.

// MayShareWithGuarantors reports whether actor administers the round, and
// so may share its texts with the guarantors; the pages ask it before
// offering the form.
func (s *Service) MayShareWithGuarantors(ctx context.Context, actor access.Actor, roundID string) (bool, error) {
	c, err := access.RoundCapacity(ctx, s.db.R, actor, roundID)
	if err != nil {
		return false, err
	}
	return c.Administers(), nil
}

// ShareWithGuarantors shares the text's issued revisions with the
// guarantors taking part in its round, now and when they join later. Only
// a text with an issued revision is shared; sharing twice changes nothing.
func (s *Service) ShareWithGuarantors(ctx context.Context, actor access.Actor, textID string) (err error) {
	defer errs.Wrap(&err, "text.ShareWithGuarantors")
	if err := loggedIn(actor); err != nil {
		return err
	}
	return s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		t, err := s.textIn(ctx, tx, actor, textID, true)
		if err != nil {
			return err
		}
		c, err := access.RoundCapacity(ctx, tx, actor, t.RoundID)
		if err != nil {
			return err
		}
		if !c.Administers() {
			return errs.New(errs.Forbidden, "only the round's administrators share a text with the guarantors")
		}
		if t.Revision == 0 {
			return errs.New(errs.Conflict, "the text has no issued revision to share")
		}
		if t.Guarantors {
			return nil
		}
		gs, err := access.RoundOrgs(ctx, tx, t.RoundID, access.Guarantor)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE texts SET guarantors = TRUE WHERE id = $1", t.ID); err != nil {
			return err
		}
		for _, g := range gs {
			if err := s.Joined(ctx, tx, t.RoundID, talks.Participant{Org: talks.Org{ID: g}, Capacity: access.Guarantor}); err != nil {
				return err
			}
		}
		aud, err := access.AudienceOf(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		_, err = event(ctx, rec, actor, "text.shared_with_guarantors", t.RoundID, "text", t.ID, aud, map[string]any{
			"text_id": t.ID, "guarantors": gs, "at": stamp(store.Time(store.Now())),
		})
		return err
	})
}
