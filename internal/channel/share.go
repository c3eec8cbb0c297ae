package channel

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// MaxShare caps the organisations one Share names.
const MaxShare = 64

// Share widens the audience of a message to more organisations of its
// round: DESIGN.md's one exception to "nothing widens an audience", a
// party sharing its own item explicitly (its internal notes or what it sent
// the mediation, with a guarantor, say). The rules:
//
//   - only a party shares, and only a message its own organisation wrote
//     (the mediation does not widen what it wrote: it relays, which leaves
//     a record of what each recipient was given);
//   - a relayed message is never shared (it is the mediation's);
//   - every organisation named takes part in the round;
//   - sharing with another party needs both parties' consent to direct
//     talks, exactly like a direct message: otherwise 409 no_direct_consent.
//
// Organisations already in the audience are skipped; when nothing is added,
// nothing is written. The event "message.shared" is readable by the author
// organisation and the organisations added (not by the rest of the earlier
// audience: whom a delegation shares with is its own business), and it is
// what brings the message onto the added organisations' live streams.
func (s *Service) Share(ctx context.Context, actor access.Actor, messageID string, with []string) (m Message, err error) {
	defer errs.Wrap(&err, "channel.Share")
	if actor.Anonymous() {
		return Message{}, errs.New(errs.Unauthorized, "log in first")
	}
	if len(with) == 0 {
		return Message{}, errs.Field("with", "name the organisations to share the message with")
	}
	if len(with) > MaxShare {
		return Message{}, errs.Field("with", "too many organisations")
	}
	now := store.Now()
	err = s.led.Write(ctx, func(sqlTx *sql.Tx, rec *ledger.Recorder) error {
		tx := newStmtCache(sqlTx, s.db.Dialect)
		src, err := s.getIn(ctx, sqlTx, actor, messageID)
		if err != nil {
			return err
		}
		if src.authorOrg != actor.Org {
			return errs.New(errs.Forbidden, "only the party that wrote a message shares it")
		}
		if src.Kind == Relayed {
			return errs.New(errs.Forbidden, "a relayed message belongs to the mediation, which relays it again instead")
		}
		rs, err := s.enterRound(ctx, tx, actor, src.RoundID, map[string]roundState{})
		if err != nil {
			return err
		}
		// The right is the capacity in the message's round, not the kind.
		if rs.parts[actor.Org] != access.Party {
			return errs.New(errs.Forbidden, "only the party that wrote a message shares it")
		}
		current, err := access.AudienceOf(ctx, sqlTx, src.ID)
		if err != nil {
			return err
		}
		var added []string
		for _, org := range with {
			if err := s.checkShare(ctx, tx, actor, rs, org); err != nil {
				return err
			}
			if !current.Contains(org) && !slices.Contains(added, org) {
				added = append(added, org)
			}
		}
		if len(added) == 0 {
			return nil
		}
		slices.Sort(added)
		if err := access.Widen(ctx, sqlTx, src.ID, added...); err != nil {
			return err
		}
		content, err := json.Marshal(map[string]any{"id": src.ID, "round_id": src.RoundID, "added": added})
		if err != nil {
			return err
		}
		ev, err := rec.Append(ctx, ledger.Event{
			Type: "message.shared", Actor: actor, Round: src.RoundID, ObjectType: "message", ObjectID: src.ID,
			Audience: access.Of(append([]string{actor.Org}, added...)...), Content: content, At: store.Time(now),
		})
		if err != nil {
			return err
		}
		for _, org := range added {
			rec.Insert("message_shares", shareColumns, "", src.ID, org, now, ev.Index)
		}
		return rec.Grant(sharesItem(src.ID), access.Of(actor.Org))
	})
	if err != nil {
		return Message{}, err
	}
	return s.Get(ctx, actor, messageID)
}

// sharesItem is the audience item of the list of organisations a message was
// shared with: the author organisation reads it, nobody else.
func sharesItem(messageID string) string { return "shares:" + messageID }

// sharesItemSQL is sharesItem in SQL, for the share rows s.
const sharesItemSQL = "('shares:' || s.message_id)"

var shareColumns = store.Columns("message_id text", "org_id text", "shared_at bigint", "ledger_idx bigint")

// checkShare applies Share's rules to one organisation.
func (s *Service) checkShare(ctx context.Context, tx *stmtCache, actor access.Actor, rs roundState, org string) error {
	if !store.ValidID(org) {
		return &errs.Error{Code: UnknownRecipient, Field: "with", Message: "no organisation has the id " + strconv.Quote(short(org))}
	}
	capacity, ok := rs.parts[org]
	if !ok {
		return notInRound(ctx, tx, "with", org)
	}
	if capacity != access.Party || org == actor.Org {
		return nil
	}
	ok, err := s.talks.MutualConsent(ctx, tx, rs.id, actor.Org, org)
	if err != nil {
		return err
	}
	if !ok {
		return errs.New(errs.NoDirectConsent,
			"direct talks are not open: sharing with another party needs both parties' consent to direct talks; ask the mediation to relay instead")
	}
	return nil
}
