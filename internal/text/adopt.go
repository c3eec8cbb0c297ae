package text

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Adoption is the state of the adoption of a text's latest revision.
type Adoption struct {
	TextID        string
	Revision      int
	Confirmations []Confirmation
	Pending       []Party // parties whose head has not confirmed yet
	Adopted       bool
	AdoptedAt     time.Time
	SHA256        string // of the canonical text, once adopted
	LedgerIndex   int64  // the "text.adopted" event, once adopted
}

// Adopt records the actor's confirmation, as head of a party, that its
// party adopts the latest revision. The head re-enters the password (and
// the second factor when enrolled). Once every party of the round has
// confirmed, the text is adopted: the "text.adopted" event carries the
// SHA-256 of the canonical adopted text. A revision that still holds
// brackets cannot be adopted; the refusal lists the bracketed paragraphs.
func (s *Service) Adopt(ctx context.Context, actor access.Actor, textID, password, otp string) (ad Adoption, err error) {
	defer errs.Wrap(&err, "text.Adopt")
	if err := loggedIn(actor); err != nil {
		return Adoption{}, err
	}
	// Refuse what cannot be adopted before asking the password check, so
	// that a mistaken request costs no password attempt.
	if _, err := s.adoptable(ctx, s.db.R, actor, textID); err != nil {
		return Adoption{}, err
	}
	if s.verify == nil {
		return Adoption{}, errs.New(errs.Internal, "no password check configured")
	}
	if err := s.verify.VerifyPassword(ctx, actor, password, otp); err != nil {
		return Adoption{}, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		if _, err := s.textIn(ctx, tx, actor, textID, true); err != nil {
			return err
		}
		rev, err := s.adoptable(ctx, tx, actor, textID)
		if err != nil {
			return err
		}
		aud, err := access.AudienceOf(ctx, tx, rev.ID)
		if err != nil {
			return err
		}
		if !confirmed(rev.Confirmations, actor.Org) {
			now := store.Now()
			id := confirmationID(rev.ID, actor.Org)
			ev, err := event(ctx, rec, actor, "text.adoption_confirmed", rev.RoundID, "text_confirmation", id, aud, confirmationContent(rev.TextID, rev.Number, actor.Org, actor.User, rev.SHA256, now))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO text_confirmations(revision_id, org_id, user_id, confirmed_at, ledger_idx)
				VALUES ($1, $2, $3, $4, $5)`, rev.ID, actor.Org, actor.User, now, ev.Index); err != nil {
				return err
			}
			if err := access.Grant(ctx, tx, id, aud); err != nil {
				return err
			}
			if rev.Confirmations, err = confirmationsIn(ctx, tx, actor, rev.ID); err != nil {
				return err
			}
		}
		ad = adoptionOf(rev)
		if len(ad.Pending) > 0 {
			return nil
		}
		now := store.Now()
		// The adoption's content is the canonical adopted text itself, so
		// that the public record's content hash is the text's SHA-256: a
		// reader holding only the record and the text can check one
		// against the other (the object id names the text, the record's
		// time the adoption).
		ev, err := rec.Append(ctx, ledger.Event{
			Type: "text.adopted", Actor: actor, Round: rev.RoundID,
			ObjectType: "text", ObjectID: rev.TextID, Audience: aud, Content: []byte(rev.Source),
		})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE texts SET adopted_rev = $1, adopted_at = $2, adopted_hash = $3, adopted_idx = $4 WHERE id = $5",
			rev.Number, now, rev.SHA256, ev.Index, rev.TextID); err != nil {
			return err
		}
		ad.Adopted, ad.AdoptedAt, ad.LedgerIndex = true, store.Time(now), ev.Index
		return nil
	})
	if err != nil {
		return Adoption{}, err
	}
	return ad, nil
}

// adoptable reads the latest revision for an adoption by actor and checks
// that it may be adopted.
func (s *Service) adoptable(ctx context.Context, q access.Querier, actor access.Actor, textID string) (Revision, error) {
	t, err := s.textIn(ctx, q, actor, textID, false)
	if err != nil {
		return Revision{}, err
	}
	if c, err := access.RoundCapacity(ctx, q, actor, t.RoundID); err != nil {
		return Revision{}, err
	} else if !c.PartyHead() {
		return Revision{}, errs.New(errs.Forbidden, "only the head of a party taking part in this round confirms the adoption of its text")
	}
	if t.Adopted > 0 {
		return Revision{}, errs.New(errs.Conflict, "the text was already adopted as Rev.%d", t.Adopted)
	}
	if t.Revision == 0 {
		return Revision{}, errs.New(errs.Conflict, "no revision of the text has been issued")
	}
	rev, err := s.revisionIn(ctx, q, actor, textID, t.Revision)
	if err != nil {
		return Revision{}, err
	}
	if b := rev.Document.Bracketed(); len(b) > 0 {
		ns := make([]string, len(b))
		for i, n := range b {
			ns[i] = strconv.Itoa(n)
		}
		return Revision{}, errs.New(CodeBracketsRemain, "%s still holds brackets in paragraphs %s", RevisionLabel(rev.Number), strings.Join(ns, ", "))
	}
	return rev, nil
}

func confirmed(cs []Confirmation, org string) bool {
	for _, c := range cs {
		if c.OrgID == org {
			return true
		}
	}
	return false
}

func adoptionOf(rev Revision) Adoption {
	ad := Adoption{TextID: rev.TextID, Revision: rev.Number, Confirmations: rev.Confirmations, Pending: []Party{}, SHA256: rev.SHA256}
	for _, p := range rev.Parties {
		if !confirmed(rev.Confirmations, p.ID) {
			ad.Pending = append(ad.Pending, p)
		}
	}
	return ad
}

// AdoptionState reports the adoption of a text's latest revision as actor
// may read it.
func (s *Service) AdoptionState(ctx context.Context, actor access.Actor, textID string) (ad Adoption, err error) {
	defer errs.Wrap(&err, "text.AdoptionState")
	if err := loggedIn(actor); err != nil {
		return Adoption{}, err
	}
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		t, err := s.textIn(ctx, tx, actor, textID, false)
		if err != nil {
			return err
		}
		n := t.Revision
		if t.Adopted > 0 {
			n = t.Adopted
		}
		if n == 0 {
			ad = Adoption{TextID: t.ID, Pending: []Party{}, Confirmations: []Confirmation{}}
			return nil
		}
		rev, err := s.revisionIn(ctx, tx, actor, textID, n)
		if err != nil {
			return err
		}
		ad = adoptionOf(rev)
		if t.Adopted > 0 {
			ad.Adopted, ad.AdoptedAt, ad.SHA256, ad.LedgerIndex = true, t.AdoptedAt, t.AdoptedHash, t.AdoptedIndex
		}
		return nil
	})
	return ad, err
}

// Publication is the public statement of an adopted text: its title, and a
// body holding the reading text with the revision, the date of adoption and
// the SHA-256 of the canonical adopted text, so that anyone can check the
// statement against the ledger's adoption event.
type Publication struct {
	TextID, Title, Body string
}

// Publication prepares the statement the mediation publishes once the
// text is adopted. Only the mediation of the round publishes it; a text not
// yet adopted is refused.
func (s *Service) Publication(ctx context.Context, actor access.Actor, textID string) (p Publication, err error) {
	defer errs.Wrap(&err, "text.Publication")
	if err := loggedIn(actor); err != nil {
		return Publication{}, err
	}
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		t, err := s.textIn(ctx, tx, actor, textID, false)
		if err != nil {
			return err
		}
		if c, err := access.RoundCapacity(ctx, tx, actor, t.RoundID); err != nil {
			return err
		} else if !c.In(access.Mediation) {
			return errs.New(errs.Forbidden, "only the mediation of this round publishes its text")
		}
		if t.Adopted == 0 {
			return errs.New(errs.Conflict, "the text is not adopted yet")
		}
		rev, err := s.revisionIn(ctx, tx, actor, textID, t.Adopted)
		if err != nil {
			return err
		}
		title := []rune(rev.Title)
		if len(title) > 200 {
			title = title[:200]
		}
		p = Publication{TextID: t.ID, Title: string(title), Body: Plain(rev.Document, nil) +
			"\n" + RevisionLabel(rev.Number) + ", adopted " + t.AdoptedAt.UTC().Format("2 January 2006") +
			".\nSHA-256 of the adopted text: " + t.AdoptedHash + "\n"}
		return nil
	})
	return p, err
}
