package talks

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Changing a round's sessions and agenda after they were written: a round
// administrator (access.Capacity.Administers) edits a session or an agenda
// item, cancels a session, or withdraws an item. Nothing is deleted: a
// cancelled session and a withdrawn item stay in the round, marked, with
// the reason given, because the record of the talks includes what was
// called off. Each change is one ledger event read by the round's
// participants, like the item itself.

// optTime reads an optional stamp column: 0 is the zero time.
func optTime(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return store.Time(us)
}

// changeable names a table whose rows a round administrator changes.
type changeable struct {
	table, what string // the table, and the item's name in errors
	closed      string // the column that is non-zero once it is called off
}

var (
	sessionRows = changeable{table: "round_sessions", what: "session", closed: "cancelled_at"}
	agendaRows  = changeable{table: "agenda_items", what: "agenda item", closed: "withdrawn_at"}
)

// administered finds the round of the row id in the write, checks that
// the actor reads the row and administers its round, and refuses a row
// already called off (conflict). A row the actor cannot read, in a round
// it takes no part in, answers as missing; a participant without the
// capacity is forbidden.
func (s *Service) administered(ctx context.Context, tx *sql.Tx, actor access.Actor, c changeable, id, act string) (string, error) {
	if !store.ValidID(id) {
		return "", errs.NotFoundf(c.what)
	}
	var roundID string
	var closed int64
	err := tx.QueryRowContext(ctx, "SELECT round_id, "+c.closed+" FROM "+c.table+" WHERE id = $1", id).Scan(&roundID, &closed)
	if err == sql.ErrNoRows {
		return "", errs.NotFoundf(c.what)
	}
	if err != nil {
		return "", err
	}
	if err := s.adminRound(ctx, tx, actor, roundID, act); err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.NotFound {
			return "", errs.NotFoundf(c.what)
		}
		return "", err
	}
	if !actor.System {
		if ok, err := access.Readable(ctx, tx, actor, id); err != nil {
			return "", err
		} else if !ok {
			return "", errs.NotFoundf(c.what)
		}
	}
	if closed != 0 {
		return "", errs.New(errs.Conflict, "the %s has been called off and no longer changes", c.what)
	}
	return roundID, nil
}

// reason validates the optional reason for calling something off.
func reasonFor(v string) (string, error) { return text("reason", v, 0, MaxReason, true) }

// UpdateSession changes a session's title, format, times and the parties
// at its table, by the same rules as ScheduleSession (a direct session
// needs the two parties' mutual consent). Only the round's administrators
// edit; a cancelled session is not edited (conflict). Event
// "session.updated", read by the round's participants.
func (s *Service) UpdateSession(ctx context.Context, actor access.Actor, sessionID string, in NewSession) (ss Session, err error) {
	defer errs.Wrap(&err, "talks.UpdateSession")
	if err := loggedIn(actor); err != nil {
		return Session{}, err
	}
	if ss.Title, ss.Orgs, err = checkSession(in); err != nil {
		return Session{}, err
	}
	ss.ID, ss.Format = sessionID, in.Format
	ss.StartsAt = store.Time(store.Stamp(in.StartsAt))
	var ends int64
	if !in.EndsAt.IsZero() {
		ss.EndsAt = store.Time(store.Stamp(in.EndsAt))
		ends = store.Stamp(ss.EndsAt)
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		roundID, err := s.administered(ctx, tx, actor, sessionRows, sessionID, "edit sessions")
		if err != nil {
			return err
		}
		ss.RoundID = roundID
		if err := s.checkSessionOrgs(ctx, tx, roundID, in.Format, ss.Orgs); err != nil {
			return err
		}
		var oldTitle string
		if err := tx.QueryRowContext(ctx, "SELECT title FROM round_sessions WHERE id = $1", sessionID).Scan(&oldTitle); err != nil {
			return err
		}
		now := store.Now()
		ss.Edited = store.Time(now)
		if _, err := tx.ExecContext(ctx, `UPDATE round_sessions SET title = $1, format = $2, starts_at = $3, ends_at = $4, edited_at = $5 WHERE id = $6`,
			ss.Title, string(ss.Format), store.Stamp(ss.StartsAt), ends, now, sessionID); err != nil {
			return err
		}
		if err := setSessionOrgs(ctx, tx, sessionID, ss.Orgs); err != nil {
			return err
		}
		aud, err := access.RoundOrgs(ctx, tx, roundID)
		if err != nil {
			return err
		}
		content := sessionContent(sessionID, roundID, ss.Title, ss.Format, store.Stamp(ss.StartsAt), ends, ss.Orgs)
		if _, err := event(ctx, rec, actor, "session.updated", roundID, "session", sessionID, aud, content); err != nil {
			return err
		}
		if oldTitle != ss.Title {
			if err := outdateNames(ctx, tx, rec, actor, "session", sessionID, roundID, aud, "title"); err != nil {
				return err
			}
		}
		// LedgerIndex stays the index of the session's creation.
		return tx.QueryRowContext(ctx, "SELECT ledger_idx FROM round_sessions WHERE id = $1", sessionID).Scan(&ss.LedgerIndex)
	})
	if err != nil {
		return Session{}, err
	}
	if ss.Orgs == nil {
		ss.Orgs = []string{}
	}
	return ss, nil
}

// CancelSession calls a session off, with an optional reason. The session
// stays in the round, marked cancelled. Only the round's administrators
// cancel; a session is cancelled once (conflict). Event
// "session.cancelled", read by the round's participants.
func (s *Service) CancelSession(ctx context.Context, actor access.Actor, sessionID, reason string) (err error) {
	defer errs.Wrap(&err, "talks.CancelSession")
	return s.callOff(ctx, actor, sessionRows, sessionID, reason, "cancel sessions", "session.cancelled", "session",
		"UPDATE round_sessions SET cancelled_at = $1, cancel_reason = $2 WHERE id = $3")
}

// WithdrawAgendaItem takes an item off the agenda, with an optional
// reason. The item stays on the agenda, marked withdrawn, with the
// parties' stances as they were; it takes no new stance. Only the round's
// administrators withdraw; an item is withdrawn once (conflict). Event
// "agenda.item_withdrawn", read by the round's participants.
func (s *Service) WithdrawAgendaItem(ctx context.Context, actor access.Actor, itemID, reason string) (err error) {
	defer errs.Wrap(&err, "talks.WithdrawAgendaItem")
	return s.callOff(ctx, actor, agendaRows, itemID, reason, "withdraw agenda items", "agenda.item_withdrawn", "agenda_item",
		"UPDATE agenda_items SET withdrawn_at = $1, withdraw_reason = $2 WHERE id = $3")
}

// callOff is CancelSession and WithdrawAgendaItem: one write that marks
// the row called off and appends its event.
func (s *Service) callOff(ctx context.Context, actor access.Actor, c changeable, id, reason, act, typ, objType, update string) error {
	if err := loggedIn(actor); err != nil {
		return err
	}
	reason, err := reasonFor(reason)
	if err != nil {
		return err
	}
	return s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		roundID, err := s.administered(ctx, tx, actor, c, id, act)
		if err != nil {
			return err
		}
		now := store.Now()
		if _, err := tx.ExecContext(ctx, update, now, reason, id); err != nil {
			return err
		}
		aud, err := access.RoundOrgs(ctx, tx, roundID)
		if err != nil {
			return err
		}
		_, err = event(ctx, rec, actor, typ, roundID, objType, id, aud, map[string]any{
			"id": id, "round_id": roundID, "reason": reason, "at": stamp(store.Time(now)),
		})
		return err
	})
}

// UpdateAgendaItem changes an item's track, title and description. Its
// place on the agenda and the parties' stances stay; a stance given before
// the change is marked as given on the earlier wording (Stance.Earlier),
// so an item that changed cannot pass for accepted as it now reads. Only
// the round's administrators edit; a withdrawn item is not edited
// (conflict). An edit that changes nothing writes nothing. Event
// "agenda.item_updated", read by the round's participants.
func (s *Service) UpdateAgendaItem(ctx context.Context, actor access.Actor, itemID string, in NewAgendaItem) (it AgendaItem, err error) {
	defer errs.Wrap(&err, "talks.UpdateAgendaItem")
	if err := loggedIn(actor); err != nil {
		return AgendaItem{}, err
	}
	if in, err = checkAgendaItem(in); err != nil {
		return AgendaItem{}, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		roundID, err := s.administered(ctx, tx, actor, agendaRows, itemID, "change the agenda")
		if err != nil {
			return err
		}
		reader := actor
		if actor.System {
			// The operator reads no round content; the answer is the item
			// as its round's participants read it.
			reader = access.Actor{}
		}
		before, err := agendaIn(ctx, tx, reader, roundID, itemID)
		if err != nil {
			return err
		}
		if len(before) == 1 && before[0].Track == in.Track && before[0].Title == in.Title && before[0].Description == in.Description {
			it = before[0]
			return nil
		}
		var oldTitle, oldDescription string
		if err := tx.QueryRowContext(ctx, "SELECT title, description FROM agenda_items WHERE id = $1", itemID).Scan(&oldTitle, &oldDescription); err != nil {
			return err
		}
		now := store.Now()
		if _, err := tx.ExecContext(ctx, "UPDATE agenda_items SET track = $1, title = $2, description = $3, edited_at = $4 WHERE id = $5",
			in.Track, in.Title, in.Description, now, itemID); err != nil {
			return err
		}
		aud, err := access.RoundOrgs(ctx, tx, roundID)
		if err != nil {
			return err
		}
		var position int
		if err := tx.QueryRowContext(ctx, "SELECT position FROM agenda_items WHERE id = $1", itemID).Scan(&position); err != nil {
			return err
		}
		if _, err := event(ctx, rec, actor, "agenda.item_updated", roundID, "agenda_item", itemID, aud, agendaItemContent(itemID, roundID, in.Track, in.Title, in.Description, position)); err != nil {
			return err
		}
		var changed []string
		if oldTitle != in.Title {
			changed = append(changed, "title")
		}
		if oldDescription != in.Description {
			changed = append(changed, "description")
		}
		if len(changed) > 0 {
			if err := outdateNames(ctx, tx, rec, actor, "agenda", itemID, roundID, aud, changed...); err != nil {
				return err
			}
		}
		after, err := agendaIn(ctx, tx, reader, roundID, itemID)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(after, func(a AgendaItem) bool { return a.ID == itemID }); i >= 0 {
			it = after[i]
		} else {
			it = AgendaItem{ID: itemID, RoundID: roundID, Track: in.Track, Title: in.Title, Description: in.Description,
				Position: position, Edited: store.Time(now), Stances: []Stance{}}
		}
		return nil
	})
	if err != nil {
		return AgendaItem{}, err
	}
	return it, nil
}
