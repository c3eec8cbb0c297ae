package detainees

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

const exchangeSelect = "SELECT e.id, e.process_id, e.kind, e.sides, e.title_enc, e.created_by, e.created_at, e.ledger_idx FROM detainee_exchanges e"

func (s *Service) scanExchange(sc interface{ Scan(...any) error }) (Exchange, error) {
	var e Exchange
	var sides string
	var title []byte
	var at int64
	if err := sc.Scan(&e.ID, &e.ProcessID, &e.Kind, &sides, &title, &e.CreatedBy, &at, &e.LedgerIndex); err != nil {
		return e, err
	}
	e.CreatedAt = store.Time(at)
	b, err := s.open("detainee_exchange", e.ID, title)
	if err != nil {
		return e, err
	}
	e.Title = string(b)
	for _, o := range strings.Fields(sides) {
		e.Sides = append(e.Sides, Side{OrgID: o})
	}
	return e, nil
}

// Exchanges returns the process's exchanges actor may read, with their
// people.
func (s *Service) Exchanges(ctx context.Context, actor access.Actor, processID string) (out []Exchange, err error) {
	defer errs.Wrap(&err, "detainees.Exchanges")
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		r, err := enter(ctx, tx, actor, processID)
		if err != nil {
			return err
		}
		cond, arg := access.ReadableBy(actor, "e.id", 2)
		rows, err := tx.QueryContext(ctx, exchangeSelect+" WHERE e.process_id = $1 AND "+cond+" ORDER BY e.created_at, e.id", processID, arg)
		if err != nil {
			return err
		}
		for rows.Next() {
			e, err := s.scanExchange(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if err := s.fill(ctx, tx, actor, r, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Exchange returns one exchange with its people, for its readers; anyone
// else finds none.
func (s *Service) Exchange(ctx context.Context, actor access.Actor, id string) (e Exchange, err error) {
	defer errs.Wrap(&err, "detainees.Exchange")
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		var r role
		e, r, err = s.exchangeIn(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		return s.fill(ctx, tx, actor, r, &e)
	})
	return e, err
}

// exchangeIn reads the exchange as actor sees it, and actor's role in its
// process.
func (s *Service) exchangeIn(ctx context.Context, q access.Querier, actor access.Actor, id string) (Exchange, role, error) {
	if actor.Anonymous() {
		return Exchange{}, role{}, errs.New(errs.Unauthorized, "log in first")
	}
	if !store.ValidID(id) {
		return Exchange{}, role{}, errs.NotFoundf("exchange")
	}
	cond, arg := access.ReadableBy(actor, "e.id", 2)
	e, err := s.scanExchange(q.QueryRowContext(ctx, exchangeSelect+" WHERE e.id = $1 AND "+cond, id, arg))
	if err == sql.ErrNoRows {
		return e, role{}, errs.NotFoundf("exchange")
	}
	if err != nil {
		return e, role{}, err
	}
	r, err := enter(ctx, q, actor, e.ProcessID)
	if errs.Code(err) == errs.NotFound {
		return e, r, errs.NotFoundf("exchange")
	}
	return e, r, err
}

// fill reads the exchange's sides' names and its people; the records
// behind each person only for the mediation and the neutral agency.
func (s *Service) fill(ctx context.Context, q access.Querier, actor access.Actor, r role, e *Exchange) error {
	for i := range e.Sides {
		name, err := orgName(ctx, q, e.Sides[i].OrgID)
		if err != nil {
			return err
		}
		e.Sides[i].Name = name
	}
	cond, arg := access.ReadableBy(actor, "p.exchange_id", 2)
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.seq, p.released_by, o.name, p.data_enc, p.released_at, p.place_enc,
			p.verified_by, p.verified_at, p.release_idx
		FROM detainee_people p JOIN orgs o ON o.id = p.released_by
		WHERE p.exchange_id = $1 AND `+cond+` ORDER BY p.seq`, e.ID, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	e.People = nil
	for rows.Next() {
		var p Person
		var data, place []byte
		var relAt, verAt, idx sql.NullInt64
		var verBy sql.NullString
		if err := rows.Scan(&p.ID, &p.Seq, &p.ReleasedBy, &p.ReleasedByOrg, &data, &relAt, &place, &verBy, &verAt, &idx); err != nil {
			return err
		}
		var sp sealedPerson
		if err := s.openJSON("detainee_person", p.ID, data, &sp); err != nil {
			return err
		}
		p.Identity = sp.Identity
		if relAt.Valid {
			pl, err := s.open("detainee_release", p.ID, place)
			if err != nil {
				return err
			}
			p.Release = &Release{At: store.Time(relAt.Int64), Place: string(pl), VerifiedBy: verBy.String,
				VerifiedAt: store.Time(verAt.Int64), LedgerIndex: idx.Int64}
		}
		e.People = append(e.People, p)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if !r.overseer() {
		return nil
	}
	// The records behind each person, through the lists' own audience.
	cl, _ := access.ReadableBy(actor, "r.list_id", 2)
	rows2, err := q.QueryContext(ctx, `SELECT pr.person_id, pr.record_id FROM detainee_person_records pr
		JOIN detainee_people p ON p.id = pr.person_id JOIN detainee_records r ON r.id = pr.record_id
		WHERE p.exchange_id = $1 AND `+cl+` ORDER BY pr.record_id`, e.ID, arg)
	if err != nil {
		return err
	}
	defer rows2.Close()
	byID := map[string]*Person{}
	for i := range e.People {
		byID[e.People[i].ID] = &e.People[i]
	}
	for rows2.Next() {
		var pid, rid string
		if err := rows2.Scan(&pid, &rid); err != nil {
			return err
		}
		if p := byID[pid]; p != nil {
			p.Records = append(p.Records, rid)
		}
	}
	return rows2.Err()
}

// NewRelease is a release the neutral agency confirms.
type NewRelease struct {
	Person string    // the person's id in the exchange
	At     time.Time // when they were released
	Place  string
}

// ConfirmRelease records that the neutral agency verified the release of a
// person of the exchange, with its time and place: the neutral agency of
// the process only (anyone else who reads the exchange is refused, 403). A
// person not in the exchange is bad input (400); a release already
// verified is a conflict.
func (s *Service) ConfirmRelease(ctx context.Context, actor access.Actor, exchangeID string, in NewRelease) (p Person, err error) {
	defer errs.Wrap(&err, "detainees.ConfirmRelease")
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		e, r, err := s.exchangeIn(ctx, tx, actor, exchangeID)
		if err != nil {
			return err
		}
		if !r.neutral() {
			return errs.New(errs.Forbidden, "only the neutral agency of the process confirms releases")
		}
		now := s.now()
		place := strings.TrimSpace(in.Place)
		switch {
		case in.At.IsZero():
			return errs.Field("at", "the time of the release is required")
		case in.At.After(now.Add(5 * time.Minute)):
			return errs.Field("at", "a release cannot be confirmed before it happens")
		case place == "" || !utf8.ValidString(place) || utf8.RuneCountInString(place) > maxPlace:
			return errs.Field("place", "the place of the release is required, at most %d characters", maxPlace)
		}
		if err := s.fill(ctx, tx, actor, r, &e); err != nil {
			return err
		}
		found := false
		for _, q := range e.People {
			if q.ID == in.Person {
				p, found = q, true
			}
		}
		if !found {
			return errs.Field("person", "this person is not in the exchange")
		}
		if p.Release != nil {
			return errs.New(errs.Conflict, "the release of this person is already verified")
		}
		aud, err := access.AudienceOf(ctx, tx, e.ID)
		if err != nil {
			return err
		}
		p.Release = &Release{At: in.At.UTC().Truncate(time.Microsecond), Place: place, VerifiedBy: actor.User,
			VerifiedAt: store.Time(store.Stamp(now))}
		sealed, err := placeDigest(place)
		if err != nil {
			return err
		}
		ev, err := event(ctx, rec, actor, "detainees.release.verified", "detainee_person", p.ID, aud,
			releaseContent(e.ProcessID, e.ID, p.ID, p.Release.At, sealed))
		if err != nil {
			return err
		}
		p.Release.LedgerIndex = ev.Index
		_, err = tx.ExecContext(ctx, `UPDATE detainee_people SET released_at = $1, place_enc = $2, verified_by = $3, verified_at = $4, release_idx = $5,
			release_digest = $8 WHERE id = $6 AND exchange_id = $7 AND released_at IS NULL`,
			store.Stamp(p.Release.At), s.seal("detainee_release", p.ID, []byte(place)), actor.User, store.Stamp(p.Release.VerifiedAt), ev.Index, p.ID, e.ID, sealed)
		return err
	})
	return p, err
}
