package talks

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// AgendaItem is an item on a round's agenda, in a track, with each party's
// stance on it.
type AgendaItem struct {
	ID, RoundID, Track, Title, Description string
	Position                               int // 1-based order within the round
	Stances                                []Stance
	// LedgerIndex is the index of the "agenda.item_added" event.
	LedgerIndex int64
	// Withdrawn is when a round administrator withdrew the item (zero
	// while it stands), with the reason given; a withdrawn item stays on
	// the agenda, marked, and takes no more stances. Edited is when its
	// track, title or description last changed.
	Withdrawn      time.Time
	WithdrawReason string
	Edited         time.Time
}

// The stances a party takes on an agenda item.
const (
	Accept = "accept"
	Refuse = "refuse"
)

// Stance is one party's acceptance or refusal of an agenda item. A refused
// item stays on the agenda, visibly refused.
type Stance struct {
	OrgID, OrgName string
	Stance         string // Accept or Refuse
	Reason         string // required with Refuse
	UpdatedAt      time.Time
	// Earlier: the stance was given before the item was last edited, so
	// on its earlier wording.
	Earlier bool
}

// NewAgendaItem is the input of AddAgendaItem.
type NewAgendaItem struct {
	// Track is one of Tracks or a custom [a-z0-9-]{1,40}.
	Track, Title, Description string
}

// AddAgendaItem puts an item at the end of a round's agenda. Only
// administrators (the host and mediation leads) change the agenda; parties,
// guarantors, observers and monitors are refused. The item's audience is the
// round's participants.
func (s *Service) AddAgendaItem(ctx context.Context, actor access.Actor, roundID string, in NewAgendaItem) (it AgendaItem, err error) {
	defer errs.Wrap(&err, "talks.AddAgendaItem")
	if err := loggedIn(actor); err != nil {
		return AgendaItem{}, err
	}
	if in, err = checkAgendaItem(in); err != nil {
		return AgendaItem{}, err
	}
	it.ID, it.RoundID, it.Track, it.Title, it.Description, it.Stances = store.NewID(), roundID, in.Track, in.Title, in.Description, []Stance{}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		if err := s.adminRound(ctx, tx, actor, roundID, "change the agenda"); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items WHERE round_id = $1", roundID).Scan(&it.Position); err != nil {
			return err
		}
		aud, err := access.RoundOrgs(ctx, tx, roundID)
		if err != nil {
			return err
		}
		ev, err := event(ctx, rec, actor, "agenda.item_added", roundID, "agenda_item", it.ID, aud, agendaItemContent(it.ID, roundID, it.Track, it.Title, it.Description, it.Position))
		if err != nil {
			return err
		}
		it.LedgerIndex = ev.Index
		if _, err := tx.ExecContext(ctx, `INSERT INTO agenda_items(id, round_id, track, title, description, position, created_at, created_by, ledger_idx)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			it.ID, roundID, it.Track, it.Title, it.Description, it.Position, store.Now(), actor.User, ev.Index); err != nil {
			return err
		}
		return access.Grant(ctx, tx, it.ID, aud)
	})
	if err != nil {
		return AgendaItem{}, err
	}
	return it, nil
}

// checkAgendaItem validates an item's fields and returns them trimmed.
func checkAgendaItem(in NewAgendaItem) (NewAgendaItem, error) {
	var err error
	if !ValidTrack(in.Track) {
		return in, errs.Field("track", "track must be ceasefire, humanitarian, detainees, political or a custom name of 1 to 40 lowercase letters, digits and dashes")
	}
	if in.Title, err = text("title", in.Title, 1, MaxName, false); err != nil {
		return in, err
	}
	if in.Description, err = text("description", in.Description, 0, MaxDescription, true); err != nil {
		return in, err
	}
	return in, nil
}

// SetStance records the actor's party's acceptance or refusal of an agenda
// item; a refusal needs a reason. Only a party sets a stance, only its own,
// and only in a round it takes part in. An item the actor cannot read is not
// found. It returns the item with the stances the actor may read.
func (s *Service) SetStance(ctx context.Context, actor access.Actor, itemID, stance, reason string) (it AgendaItem, err error) {
	defer errs.Wrap(&err, "talks.SetStance")
	if err := loggedIn(actor); err != nil {
		return AgendaItem{}, err
	}
	if !store.ValidID(itemID) {
		return AgendaItem{}, errs.NotFoundf("agenda item")
	}
	switch stance {
	case Accept:
		if reason, err = text("reason", reason, 0, MaxReason, true); err != nil {
			return AgendaItem{}, err
		}
	case Refuse:
		if strings.TrimSpace(reason) == "" {
			return AgendaItem{}, errs.Field("reason", "a refusal needs a reason")
		}
		if reason, err = text("reason", reason, 1, MaxReason, true); err != nil {
			return AgendaItem{}, err
		}
	default:
		return AgendaItem{}, errs.Field("stance", "stance must be accept or refuse")
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		var roundID string
		var withdrawn int64
		if err := tx.QueryRowContext(ctx, "SELECT round_id, withdrawn_at FROM agenda_items WHERE id = $1", itemID).Scan(&roundID, &withdrawn); err == sql.ErrNoRows {
			return errs.NotFoundf("agenda item")
		} else if err != nil {
			return err
		}
		if ok, err := s.lockRound(ctx, tx, roundID); err != nil {
			return err
		} else if !ok {
			return errs.NotFoundf("agenda item")
		}
		// The operator passes, as in roundAs, to be told it is no party.
		if ok, err := access.Readable(ctx, tx, actor, itemID); err != nil {
			return err
		} else if !ok && !actor.System {
			return errs.NotFoundf("agenda item")
		}
		if c, err := access.RoundCapacity(ctx, tx, actor, roundID); err != nil {
			return err
		} else if !c.In(access.Party) {
			return errs.New(errs.Forbidden, "only a party taking part in this round records a stance")
		}
		if withdrawn != 0 {
			return errs.New(errs.Conflict, "the item has been withdrawn from the agenda and takes no more stances")
		}
		now := store.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO agenda_stances(item_id, org_id, stance, reason, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (item_id, org_id) DO UPDATE SET stance = excluded.stance, reason = excluded.reason, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			itemID, actor.Org, stance, reason, now, actor.User); err != nil {
			return err
		}
		aud, err := access.RoundOrgs(ctx, tx, roundID)
		if err != nil {
			return err
		}
		id := stanceID(itemID, actor.Org)
		if err := access.Grant(ctx, tx, id, aud); err != nil {
			return err
		}
		if _, err := event(ctx, rec, actor, "agenda.stance_set", roundID, "agenda_stance", id, aud, stanceContent(itemID, actor.Org, stance, reason, now)); err != nil {
			return err
		}
		items, err := agendaIn(ctx, tx, actor, roundID, itemID)
		if err != nil {
			return err
		}
		if len(items) != 1 {
			return errs.NotFoundf("agenda item")
		}
		it = items[0]
		return nil
	})
	if err != nil {
		return AgendaItem{}, err
	}
	return it, nil
}

// agendaIn lists the agenda of a round that actor may read, in order, each
// item with the stances actor may read. A non-empty itemID narrows it to
// that item.
func agendaIn(ctx context.Context, q access.Querier, actor access.Actor, roundID, itemID string) ([]AgendaItem, error) {
	cond, arg := access.ReadableBy(actor, "a.id", 3)
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.round_id, a.track, a.title, a.description, a.position, a.ledger_idx,
		a.withdrawn_at, a.withdraw_reason, a.edited_at
		FROM agenda_items a WHERE a.round_id = $1 AND ($2 = '' OR a.id = $2) AND `+cond+` ORDER BY a.position, a.id`, roundID, itemID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AgendaItem
	index := map[string]int{}
	for rows.Next() {
		var it AgendaItem
		var withdrawn, edited int64
		if err := rows.Scan(&it.ID, &it.RoundID, &it.Track, &it.Title, &it.Description, &it.Position, &it.LedgerIndex,
			&withdrawn, &it.WithdrawReason, &edited); err != nil {
			return nil, err
		}
		it.Withdrawn, it.Edited = optTime(withdrawn), optTime(edited)
		it.Stances = []Stance{}
		index[it.ID] = len(out)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	cond, arg = access.ReadableBy(actor, stanceIDSQL, 3)
	rows, err = q.QueryContext(ctx, `SELECT st.item_id, st.org_id, o.name, st.stance, st.reason, st.updated_at
		FROM agenda_stances st JOIN agenda_items a ON a.id = st.item_id JOIN orgs o ON o.id = st.org_id
		WHERE a.round_id = $1 AND ($2 = '' OR a.id = $2) AND `+cond+` ORDER BY o.name, st.org_id`, roundID, itemID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var item string
		var st Stance
		var at int64
		if err := rows.Scan(&item, &st.OrgID, &st.OrgName, &st.Stance, &st.Reason, &at); err != nil {
			return nil, err
		}
		st.UpdatedAt = store.Time(at)
		if i, ok := index[item]; ok {
			st.Earlier = !out[i].Edited.IsZero() && st.UpdatedAt.Before(out[i].Edited)
			out[i].Stances = append(out[i].Stances, st)
		}
	}
	return out, rows.Err()
}
