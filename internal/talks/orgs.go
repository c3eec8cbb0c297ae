package talks

import (
	"context"
	"database/sql"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/i18n"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Org is an organisation taking part in talks. Names and kinds are not
// confidential: every logged-in user may list them.
type Org struct {
	ID, Name, ShortName string
	Kind                access.OrgKind
}

// AddOrg registers an organisation. Only the operator adds organisations
// (with each one's first head): a head of a host or mediation organisation
// creating a mediation and planting it in a round would read what the
// parties send "to the mediation". Names are unique (errs.Conflict
// otherwise), free of control and bidirectional-formatting characters.
func (s *Service) AddOrg(ctx context.Context, actor access.Actor, name, shortName string, kind access.OrgKind) (o Org, err error) {
	defer errs.Wrap(&err, "talks.AddOrg")
	if err := requireOperator(actor, "add organisations"); err != nil {
		return Org{}, err
	}
	if name, err = text("name", name, 1, MaxName, false); err != nil {
		return Org{}, err
	}
	if shortName, err = text("short_name", shortName, 0, MaxShortName, false); err != nil {
		return Org{}, err
	}
	// A name shows in every delegation's pages: no character may reorder
	// it into something else (another organisation's name).
	if i18n.HasUnsafe(name) {
		return Org{}, errs.Field("name", "name contains a control or bidirectional-formatting character")
	}
	if i18n.HasUnsafe(shortName) {
		return Org{}, errs.Field("short_name", "short_name contains a control or bidirectional-formatting character")
	}
	if !kind.Valid() {
		return Org{}, errs.Field("kind", "kind must be one of host, mediation, party, guarantor, observer, monitor, agency")
	}
	o = Org{ID: store.NewID(), Name: name, ShortName: shortName, Kind: kind}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM orgs WHERE name = $1", name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.New(errs.Conflict, "an organisation named %q already exists", name)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO orgs(id, name, short_name, kind, created_at) VALUES ($1, $2, $3, $4, $5)",
			o.ID, o.Name, o.ShortName, string(o.Kind), store.Now()); err != nil {
			if store.IsUniqueViolation(err) {
				return errs.New(errs.Conflict, "an organisation named %q already exists", name)
			}
			return err
		}
		// The new organisation and the administering organisations learn of
		// it; nobody else needs the event.
		aud, err := adminOrgs(ctx, tx)
		if err != nil {
			return err
		}
		aud = access.Of(append(aud, o.ID)...)
		_, err = event(ctx, rec, actor, "org.added", "", "org", o.ID, aud, orgContent(o))
		return err
	})
	if err != nil {
		return Org{}, err
	}
	return o, nil
}

// adminOrgs lists the host and mediation organisations: the audience of
// administrative events that belong to no round.
func adminOrgs(ctx context.Context, q access.Querier) (access.Audience, error) {
	rows, err := q.QueryContext(ctx, "SELECT id FROM orgs WHERE kind IN ('host', 'mediation') ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var aud access.Audience
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		aud = append(aud, id)
	}
	return aud, rows.Err()
}

const orgColumns = "o.id, o.name, o.short_name, o.kind"

func scanOrg(sc interface{ Scan(...any) error }) (Org, error) {
	var o Org
	var kind string
	err := sc.Scan(&o.ID, &o.Name, &o.ShortName, &kind)
	o.Kind = access.OrgKind(kind)
	return o, err
}

// Orgs lists every organisation by name, for any logged-in actor or the
// operator.
func (s *Service) Orgs(ctx context.Context, actor access.Actor) (orgs []Org, err error) {
	defer errs.Wrap(&err, "talks.Orgs")
	if actor.Anonymous() && !actor.System {
		return nil, errs.New(errs.Unauthorized, "log in first")
	}
	rows, err := s.db.R.QueryContext(ctx, "SELECT "+orgColumns+" FROM orgs o ORDER BY o.name, o.id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		orgs = append(orgs, o)
	}
	return orgs, rows.Err()
}

// Org returns one organisation; a malformed or unknown id is not found.
func (s *Service) Org(ctx context.Context, id string) (o Org, err error) {
	defer errs.Wrap(&err, "talks.Org")
	return orgByID(ctx, s.db.R, id)
}

func orgByID(ctx context.Context, q access.Querier, id string) (Org, error) {
	if !store.ValidID(id) {
		return Org{}, errs.NotFoundf("organisation")
	}
	o, err := scanOrg(q.QueryRowContext(ctx, "SELECT "+orgColumns+" FROM orgs o WHERE o.id = $1", id))
	if err == sql.ErrNoRows {
		return Org{}, errs.NotFoundf("organisation")
	}
	return o, err
}

// Process is a peace process: a series of rounds.
type Process struct {
	ID, Name  string
	CreatedAt time.Time
}

// AddProcess starts a process. Only administrators start processes, and only
// once a host or mediation organisation exists to administer it.
func (s *Service) AddProcess(ctx context.Context, actor access.Actor, name string) (p Process, err error) {
	defer errs.Wrap(&err, "talks.AddProcess")
	if err := requireAdmin(actor, "start processes"); err != nil {
		return Process{}, err
	}
	if name, err = text("name", name, 1, MaxName, false); err != nil {
		return Process{}, err
	}
	now := store.Now()
	p = Process{ID: store.NewID(), Name: name, CreatedAt: store.Time(now)}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		aud, err := adminOrgs(ctx, tx)
		if err != nil {
			return err
		}
		if actor.Org != "" {
			aud = access.Of(append(aud, actor.Org)...)
		}
		if len(aud) == 0 {
			return errs.New(errs.Conflict, "add the host or mediation organisation before the first process")
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO processes(id, name, created_at, created_by) VALUES ($1, $2, $3, $4)",
			p.ID, p.Name, now, actor.User); err != nil {
			return err
		}
		_, err = event(ctx, rec, actor, "process.added", "", "process", p.ID, aud, map[string]any{
			"id": p.ID, "name": p.Name, "created_at": stamp(p.CreatedAt),
		})
		return err
	})
	if err != nil {
		return Process{}, err
	}
	return p, nil
}

// Processes lists processes: every one for an administrator (who needs them
// to create rounds), otherwise those with a round the actor takes part in,
// decided by the rounds' audience in SQL.
func (s *Service) Processes(ctx context.Context, actor access.Actor) (ps []Process, err error) {
	defer errs.Wrap(&err, "talks.Processes")
	if actor.Anonymous() && !actor.System {
		return nil, errs.New(errs.Unauthorized, "log in first")
	}
	q := "SELECT p.id, p.name, p.created_at FROM processes p"
	var args []any
	if !actor.IsAdmin() {
		cond, arg := access.ReadableBy(actor, "r.id", 1)
		q += " WHERE EXISTS (SELECT 1 FROM rounds r WHERE r.process_id = p.id AND " + cond + ")"
		args = append(args, arg)
	}
	rows, err := s.db.R.QueryContext(ctx, q+" ORDER BY p.created_at, p.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p Process
		var at int64
		if err := rows.Scan(&p.ID, &p.Name, &at); err != nil {
			return nil, err
		}
		p.CreatedAt = store.Time(at)
		ps = append(ps, p)
	}
	return ps, rows.Err()
}
