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

// Capacity is the capacity in which an organisation takes part in a round;
// normally its kind.
type Capacity = access.OrgKind

// Participant is an organisation taking part in a round.
type Participant struct {
	Org      Org
	Capacity access.OrgKind
}

// NewRound is the input of CreateRound.
type NewRound struct {
	ProcessID, Name, Location string
	StartsOn, EndsOn          string   // YYYY-MM-DD, optional
	Participants              []string // organisation ids; each takes part in the capacity of its kind
}

// Round is a round of talks. Rounds returns it without sessions, agenda and
// consents; Round fills in everything the actor may read.
type Round struct {
	ID, ProcessID, ProcessName, Name, Location, StartsOn, EndsOn string
	// LedgerIndex is the index of the "round.created" event.
	LedgerIndex  int64
	Participants []Participant
	Sessions     []Session
	Agenda       []AgendaItem
	Consents     []Consent
	// Proposals are the participants proposed and waiting for the
	// parties' acceptance.
	Proposals []Proposal
	// PastShares are the grants of past material to a later mediation
	// the reader may read (SharePast).
	PastShares []PastShare
	// PastShareOffers are the mediation organisations that joined later
	// and that the reader, a head, may still let read what its
	// organisation sent the mediation before (SharePast).
	PastShareOffers []Org
	// As is the capacity in which the reader takes part (Round fills it):
	// the pages ask it what the reader may do instead of re-deriving it
	// from the participants.
	As access.Capacity
}

const dateLayout = "2006-01-02"

// CreateRound opens a round of a process. Only the heads of host and
// mediation organisations create rounds, and once the process has a round,
// only those who administer it in one of its rounds (ProcessCapacity).
// The creating actor's organisation takes part at once; every other
// organisation named is only proposed (an invitation, Round.Proposals): it
// joins when its own head accepts and, once parties take part, when every
// party of the round has accepted too (AcceptParticipant). Nobody is put
// into talks without its consent. The operator (System) belongs to no
// organisation: the organisations it names join at once (seeding,
// recovery), and it must name at least one. The round's audience is its
// participants.
func (s *Service) CreateRound(ctx context.Context, actor access.Actor, in NewRound) (r Round, err error) {
	defer errs.Wrap(&err, "talks.CreateRound")
	if err := requireAdmin(actor, "create rounds"); err != nil {
		return Round{}, err
	}
	if in.ProcessID == "" {
		return Round{}, errs.Field("process_id", "process_id is required")
	}
	if r.Name, err = text("name", in.Name, 1, MaxName, false); err != nil {
		return Round{}, err
	}
	if r.Location, err = text("location", in.Location, 0, MaxLocation, false); err != nil {
		return Round{}, err
	}
	var starts, ends time.Time
	if in.StartsOn != "" {
		if starts, err = time.Parse(dateLayout, in.StartsOn); err != nil {
			return Round{}, errs.Field("starts_on", "starts_on must be a date YYYY-MM-DD")
		}
	}
	if in.EndsOn != "" {
		if ends, err = time.Parse(dateLayout, in.EndsOn); err != nil {
			return Round{}, errs.Field("ends_on", "ends_on must be a date YYYY-MM-DD")
		}
		if !starts.IsZero() && ends.Before(starts) {
			return Round{}, errs.Field("ends_on", "ends_on is before starts_on")
		}
	}
	r.StartsOn, r.EndsOn = in.StartsOn, in.EndsOn
	named := slices.Clone(in.Participants)
	slices.Sort(named)
	named = slices.Compact(named)
	if len(named) > 500 {
		return Round{}, errs.Field("participants", "too many participants")
	}
	// Who takes part at once, and who is invited.
	ids, invited := named, []string{}
	if !actor.System {
		ids = []string{actor.Org}
		invited = slices.DeleteFunc(named, func(id string) bool { return id == actor.Org })
	}
	if len(ids) == 0 {
		return Round{}, errs.Field("participants", "name at least one participating organisation")
	}
	r.ID = store.NewID()
	r.ProcessID = in.ProcessID
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		if !store.ValidID(in.ProcessID) {
			return errs.NotFoundf("process")
		}
		if err := tx.QueryRowContext(ctx, "SELECT name FROM processes WHERE id = $1", in.ProcessID).Scan(&r.ProcessName); err == sql.ErrNoRows {
			return errs.NotFoundf("process")
		} else if err != nil {
			return err
		}
		// Once a process has rounds, only those who administer one of
		// them (or the operator) open the next: a host or mediation head
		// elsewhere in the installation does not.
		var rounds int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM rounds WHERE process_id = $1", in.ProcessID).Scan(&rounds); err != nil {
			return err
		}
		if rounds > 0 {
			c, err := access.ProcessCapacity(ctx, tx, actor, in.ProcessID)
			if err != nil {
				return err
			}
			if !c.Administers() {
				return errs.New(errs.Forbidden, "only the heads of the host and mediation taking part in this process open its rounds")
			}
		}
		r.Participants = r.Participants[:0]
		for _, id := range ids {
			o, err := orgByID(ctx, tx, id)
			if err != nil {
				return err
			}
			r.Participants = append(r.Participants, Participant{Org: o, Capacity: o.Kind})
		}
		sortParticipants(r.Participants)
		invitees := make([]Org, len(invited))
		for i, id := range invited {
			if invitees[i], err = orgByID(ctx, tx, id); err != nil {
				return err
			}
		}
		aud := access.Of(ids...)
		parts := make([]map[string]string, len(r.Participants))
		for i, p := range r.Participants {
			parts[i] = map[string]string{"org_id": p.Org.ID, "capacity": string(p.Capacity)}
		}
		ev, err := event(ctx, rec, actor, "round.created", r.ID, "round", r.ID, aud, map[string]any{
			"id": r.ID, "process_id": r.ProcessID, "name": r.Name, "location": r.Location,
			"starts_on": r.StartsOn, "ends_on": r.EndsOn, "participants": parts, "invited": invited,
		})
		if err != nil {
			return err
		}
		r.LedgerIndex = ev.Index
		if _, err := tx.ExecContext(ctx, `INSERT INTO rounds(id, process_id, name, location, starts_on, ends_on, created_at, created_by, ledger_idx)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			r.ID, r.ProcessID, r.Name, r.Location, r.StartsOn, r.EndsOn, store.Now(), actor.User, ev.Index); err != nil {
			return err
		}
		var inProcess access.Audience
		if rounds > 0 {
			if inProcess, err = access.ProcessOrgs(ctx, tx, in.ProcessID); err != nil {
				return err
			}
		}
		for _, p := range r.Participants {
			if _, err := tx.ExecContext(ctx, "INSERT INTO participation(round_id, org_id, capacity) VALUES ($1, $2, $3)",
				r.ID, p.Org.ID, string(p.Capacity)); err != nil {
				return err
			}
		}
		if err := access.Grant(ctx, tx, r.ID, aud); err != nil {
			return err
		}
		// An organisation that takes part in the process for the first
		// time, in a later round the operator opens, joins the process as
		// one joining a round does: the hooks widen to it what they widen
		// to newcomers (the published ceasefire findings to an observer,
		// every report to a monitor), and its participant.added event is
		// what parley verify reads those grants from.
		for _, p := range r.Participants {
			if rounds == 0 || slices.Contains(inProcess, p.Org.ID) {
				continue
			}
			for _, h := range s.joinHooks() {
				if err := h(ctx, tx, r.ID, p); err != nil {
					return err
				}
			}
			if _, err := event(ctx, rec, actor, "participant.added", r.ID, "participation", r.ID+":"+p.Org.ID, aud, map[string]any{
				"round_id": r.ID, "org_id": p.Org.ID, "capacity": string(p.Capacity),
			}); err != nil {
				return err
			}
		}
		for _, o := range invitees {
			if err := propose(ctx, tx, rec, actor, r.ID, o); err != nil {
				return err
			}
			r.Proposals = append(r.Proposals, Proposal{Org: o})
		}
		return nil
	})
	if err != nil {
		return Round{}, err
	}
	return r, nil
}

// AddParticipant adds an organisation to a round at once, in the capacity
// of its kind. It is the operator's act (the command line on the server);
// a round administrator proposes a participant instead, which joins when
// every party of the round has accepted (ProposeParticipant).
func (s *Service) AddParticipant(ctx context.Context, actor access.Actor, roundID, orgID string) (err error) {
	defer errs.Wrap(&err, "talks.AddParticipant")
	if err := requireOperator(actor, "add a participant without the parties' acceptance"); err != nil {
		return err
	}
	return s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		if err := s.adminRound(ctx, tx, actor, roundID, "add participants"); err != nil {
			return err
		}
		o, err := orgByID(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if ok, err := s.Participates(ctx, tx, roundID, orgID); err != nil {
			return err
		} else if ok {
			return errs.New(errs.Conflict, "%s already takes part in this round", o.Name)
		}
		return s.join(ctx, tx, rec, actor, roundID, o)
	})
}

// join makes o a participant of the round, in the capacity of its kind,
// inside the caller's write. The newcomer reads the round's shared
// material: the round, its sessions, its agenda items and the stances on
// them, and what the hooks registered with OnJoin widen (issued texts).
// It does not read what was confidential before it came: consent records,
// what the parties sent to the mediation, the mediation's drafts and
// analysis.
func (s *Service) join(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, actor access.Actor, roundID string, o Org) error {
	if err := withdraw(ctx, tx, roundID, o.ID); err != nil {
		return err
	}
	p := Participant{Org: o, Capacity: o.Kind}
	if _, err := tx.ExecContext(ctx, "INSERT INTO participation(round_id, org_id, capacity) VALUES ($1, $2, $3)",
		roundID, o.ID, string(p.Capacity)); err != nil {
		return err
	}
	// Widen what every participant reads to the newcomer: the round,
	// then its items, one statement per kind of item.
	if err := access.Grant(ctx, tx, roundID, access.Of(o.ID)); err != nil {
		return err
	}
	queries := []string{
		"SELECT id FROM round_sessions WHERE round_id = $1",
		"SELECT id FROM agenda_items WHERE round_id = $1",
		"SELECT " + stanceIDSQL + " AS id FROM agenda_stances st JOIN agenda_items a ON a.id = st.item_id WHERE a.round_id = $1",
		// The pending proposals, which a participant answers.
		"SELECT " + proposalIDSQL + " AS id FROM participant_proposals pp WHERE pp.round_id = $1",
	}
	for _, q := range queries {
		if err := access.WidenAll(ctx, tx, o.ID, q, roundID); err != nil {
			return err
		}
	}
	for _, h := range s.joinHooks() {
		if err := h(ctx, tx, roundID, p); err != nil {
			return err
		}
	}
	aud, err := access.RoundOrgs(ctx, tx, roundID)
	if err != nil {
		return err
	}
	_, err = event(ctx, rec, actor, "participant.added", roundID, "participation", roundID+":"+o.ID, aud, map[string]any{
		"round_id": roundID, "org_id": o.ID, "capacity": string(p.Capacity),
	})
	return err
}

// Participates reports whether org takes part in the round. It reads no
// content, so it is not audience-filtered; callers inside a transaction pass
// the *sql.Tx.
func (s *Service) Participates(ctx context.Context, q access.Querier, roundID, orgID string) (bool, error) {
	c, err := access.CapacityOf(ctx, q, roundID, orgID)
	return c != "", err
}

// sortParticipants orders participants by kind (host first, as in
// access.OrgKinds), then by name.
func sortParticipants(ps []Participant) {
	slices.SortFunc(ps, func(a, b Participant) int {
		if d := slices.Index(access.OrgKinds, a.Capacity) - slices.Index(access.OrgKinds, b.Capacity); d != 0 {
			return d
		}
		if a.Org.Name != b.Org.Name {
			if a.Org.Name < b.Org.Name {
				return -1
			}
			return 1
		}
		return 0
	})
}

const roundColumns = "r.id, r.process_id, p.name, r.name, r.location, r.starts_on, r.ends_on, r.ledger_idx"

func scanRound(sc interface{ Scan(...any) error }) (Round, error) {
	var r Round
	err := sc.Scan(&r.ID, &r.ProcessID, &r.ProcessName, &r.Name, &r.Location, &r.StartsOn, &r.EndsOn, &r.LedgerIndex)
	return r, err
}

// Rounds lists the rounds the actor's organisation takes part in, with their
// participants (no sessions, agenda or consents).
func (s *Service) Rounds(ctx context.Context, actor access.Actor) (rounds []Round, err error) {
	defer errs.Wrap(&err, "talks.Rounds")
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		cond, arg := access.ReadableBy(actor, "r.id", 1)
		rows, err := tx.QueryContext(ctx, "SELECT "+roundColumns+" FROM rounds r JOIN processes p ON p.id = r.process_id WHERE "+cond+
			" ORDER BY r.starts_on, r.created_at, r.id", arg)
		if err != nil {
			return err
		}
		defer rows.Close()
		byID := map[string]int{}
		for rows.Next() {
			r, err := scanRound(rows)
			if err != nil {
				return err
			}
			byID[r.ID] = len(rounds)
			rounds = append(rounds, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(rounds) == 0 {
			return nil
		}
		cond, arg = access.ReadableBy(actor, "pa.round_id", 1)
		parts, err := tx.QueryContext(ctx, "SELECT pa.round_id, pa.capacity, "+orgColumns+
			" FROM participation pa JOIN orgs o ON o.id = pa.org_id WHERE "+cond, arg)
		if err != nil {
			return err
		}
		defer parts.Close()
		for parts.Next() {
			var roundID string
			p, err := scanParticipant(parts, &roundID)
			if err != nil {
				return err
			}
			if i, ok := byID[roundID]; ok {
				rounds[i].Participants = append(rounds[i].Participants, p)
			}
		}
		return parts.Err()
	})
	for i := range rounds {
		sortParticipants(rounds[i].Participants)
	}
	return rounds, err
}

func scanParticipant(rows *sql.Rows, roundID *string) (Participant, error) {
	var p Participant
	var capacity, kind string
	err := rows.Scan(roundID, &capacity, &p.Org.ID, &p.Org.Name, &p.Org.ShortName, &kind)
	p.Capacity, p.Org.Kind = access.OrgKind(capacity), access.OrgKind(kind)
	return p, err
}

// Round returns one round with its participants, sessions, agenda (with
// each party's stance) and the consent records the actor may read. A round
// that is malformed, unknown or not readable is not found.
func (s *Service) Round(ctx context.Context, actor access.Actor, id string) (r Round, err error) {
	defer errs.Wrap(&err, "talks.Round")
	if !store.ValidID(id) {
		return Round{}, errs.NotFoundf("round")
	}
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		var err error
		r, err = roundIn(ctx, tx, actor, id)
		return err
	})
	if err != nil {
		return Round{}, err
	}
	return r, nil
}

// roundIn reads a full round within q, every part filtered by its audience.
func roundIn(ctx context.Context, q access.Querier, actor access.Actor, id string) (Round, error) {
	cond, arg := access.ReadableBy(actor, "r.id", 2)
	r, err := scanRound(q.QueryRowContext(ctx, "SELECT "+roundColumns+" FROM rounds r JOIN processes p ON p.id = r.process_id WHERE r.id = $1 AND "+cond, id, arg))
	if err == sql.ErrNoRows {
		return Round{}, errs.NotFoundf("round")
	}
	if err != nil {
		return Round{}, err
	}
	cond, arg = access.ReadableBy(actor, "pa.round_id", 2)
	rows, err := q.QueryContext(ctx, "SELECT pa.round_id, pa.capacity, "+orgColumns+
		" FROM participation pa JOIN orgs o ON o.id = pa.org_id WHERE pa.round_id = $1 AND "+cond, id, arg)
	if err != nil {
		return Round{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var roundID string
		p, err := scanParticipant(rows, &roundID)
		if err != nil {
			return Round{}, err
		}
		r.Participants = append(r.Participants, p)
	}
	if err := rows.Err(); err != nil {
		return Round{}, err
	}
	rows.Close()
	sortParticipants(r.Participants)
	if r.Sessions, err = sessionsIn(ctx, q, actor, id); err != nil {
		return Round{}, err
	}
	if r.Agenda, err = agendaIn(ctx, q, actor, id, ""); err != nil {
		return Round{}, err
	}
	if r.Consents, err = consentsIn(ctx, q, actor, id); err != nil {
		return Round{}, err
	}
	if r.Proposals, err = proposalsIn(ctx, q, actor, id); err != nil {
		return Round{}, err
	}
	if r.PastShares, err = pastSharesIn(ctx, q, actor, id); err != nil {
		return Round{}, err
	}
	if r.As, err = access.RoundCapacity(ctx, q, actor, id); err != nil {
		return Round{}, err
	}
	if r.PastShareOffers, err = pastShareOffers(ctx, q, r.As, r); err != nil {
		return Round{}, err
	}
	return r, nil
}
