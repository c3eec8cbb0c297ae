package talks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/localized"
)

// LocalizedKinds are the talks items whose names are kept in several
// languages (internal/localized): rounds, sessions and agenda items, read
// under their own audience and edited by those who administer their round,
// and organisations, whose names everyone reads and whose own heads (or the
// operator) name them.
func LocalizedKinds() []localized.Kind {
	name := []localized.Field{{Name: "name", Max: MaxName}}
	return []localized.Kind{
		{Name: "round", Fields: name, Readable: localized.ByAudience, Item: func(ctx context.Context, q access.Querier, actor access.Actor, id string) (localized.Item, error) {
			r, err := roundIn(ctx, q, actor, id)
			if err != nil {
				return localized.Item{}, err
			}
			return roundItem(ctx, q, actor, id, r.ID, map[string]string{"name": r.Name})
		}},
		{Name: "session", Fields: []localized.Field{{Name: "title", Max: MaxName}}, Readable: localized.ByAudience,
			Item: roundChild("session", "SELECT s.round_id, s.title, '' FROM round_sessions s WHERE s.id = $1 AND ", "s.id", "title")},
		{Name: "agenda", Fields: []localized.Field{{Name: "title", Max: MaxName}, {Name: "description", Max: MaxDescription, Multiline: true}}, Readable: localized.ByAudience,
			Item: roundChild("agenda item", "SELECT a.round_id, a.title, a.description FROM agenda_items a WHERE a.id = $1 AND ", "a.id", "title", "description")},
		{Name: "org", Fields: name, Readable: localized.Public, Item: func(ctx context.Context, q access.Querier, actor access.Actor, id string) (localized.Item, error) {
			o, err := orgByID(ctx, q, id)
			if err != nil {
				return localized.Item{}, err
			}
			aud, err := adminOrgs(ctx, q)
			if err != nil {
				return localized.Item{}, err
			}
			return localized.Item{Values: map[string]string{"name": o.Name}, Audience: access.Of(append(aud, o.ID)...), Editable: actor.Manages(o.ID)}, nil
		}},
	}
}

// outdateNames drops the names in other languages of the fields of a
// session or agenda item whose wording an administrator changed
// (localized.Outdate), in the change's own transaction.
func outdateNames(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, actor access.Actor, kind, id, round string, aud access.Audience, fields ...string) error {
	for _, k := range LocalizedKinds() {
		if k.Name == kind {
			return localized.Outdate(ctx, tx, rec, actor, k, id, localized.Item{Round: round, Audience: aud}, fields...)
		}
	}
	return fmt.Errorf("talks: no localized kind %q", kind)
}

// roundChild reads an item of a round (a session, an agenda item) under its
// audience: query selects its round and up to two fields, and ends where
// the audience condition on col goes.
func roundChild(what, query, col string, fields ...string) func(context.Context, access.Querier, access.Actor, string) (localized.Item, error) {
	return func(ctx context.Context, q access.Querier, actor access.Actor, id string) (localized.Item, error) {
		cond, arg := access.ReadableBy(actor, col, 2)
		var round string
		v := make([]string, 2)
		if err := q.QueryRowContext(ctx, query+cond, id, arg).Scan(&round, &v[0], &v[1]); err != nil {
			return localized.Item{}, notFound(err, what)
		}
		values := map[string]string{}
		for i, f := range fields {
			values[f] = v[i]
		}
		return roundItem(ctx, q, actor, id, round, values)
	}
}

// roundItem completes an item of a round: its audience, and whether actor
// administers the round (who edits the round's items edits their names).
func roundItem(ctx context.Context, q access.Querier, actor access.Actor, id, round string, values map[string]string) (localized.Item, error) {
	c, err := access.RoundCapacity(ctx, q, actor, round)
	if err != nil {
		return localized.Item{}, err
	}
	aud, err := access.AudienceOf(ctx, q, id)
	if err != nil {
		return localized.Item{}, err
	}
	return localized.Item{Round: round, Values: values, Audience: aud, Editable: c.Administers()}, nil
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFoundf(what)
	}
	return err
}
