package detainees

import (
	"context"
	"database/sql"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/talks"
)

// The neutral agency of a process is the one organisation whose word makes
// a release count. The head of the process's mediation names it, once,
// among the agencies taking part in the process (the demo names the ICRC).
// Naming it widens to it every list, matching run, decision and exchange
// of the process: it reads what it would have read had it been named
// first. It cannot be changed afterwards (a conflict), so that no one can
// move the verification of releases to another organisation mid-way.

// Agency returns the process's neutral agency (zero when none is named),
// for anyone taking part in the process.
func (s *Service) Agency(ctx context.Context, actor access.Actor, processID string) (a Side, err error) {
	defer errs.Wrap(&err, "detainees.Agency")
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		r, err := enter(ctx, tx, actor, processID)
		if err != nil || r.agency == "" {
			return err
		}
		a.OrgID = r.agency
		a.Name, err = orgName(ctx, tx, r.agency)
		return err
	})
	return a, err
}

// SetAgency names the process's neutral agency: the head of its mediation,
// once. Naming the same agency again changes nothing.
func (s *Service) SetAgency(ctx context.Context, actor access.Actor, processID, orgID string) (a Side, err error) {
	defer errs.Wrap(&err, "detainees.SetAgency")
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		r, err := enter(ctx, tx, actor, processID)
		if err != nil {
			return err
		}
		if !r.cap.Mediates() || !r.cap.Head() {
			return errs.New(errs.Forbidden, "only the head of the mediation names the neutral agency")
		}
		if r.agency == orgID {
			a = Side{OrgID: orgID}
			a.Name, err = orgName(ctx, tx, orgID)
			return err
		}
		if r.agency != "" {
			return errs.New(errs.Conflict, "the process already has a neutral agency")
		}
		agencies, err := access.ProcessOrgs(ctx, tx, processID, access.Agency)
		if err != nil {
			return err
		}
		if !store.ValidID(orgID) || !agencies.Contains(orgID) {
			return errs.Field("org", "the neutral agency is an agency taking part in the process")
		}
		aud, err := access.ProcessOrgs(ctx, tx, processID)
		if err != nil {
			return err
		}
		ev, err := event(ctx, rec, actor, "detainees.agency.named", "process", processID, aud, agencyContent(processID, orgID))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO detainee_agencies(process_id, org_id, set_by, set_at, ledger_idx) VALUES ($1, $2, $3, $4, $5)",
			processID, orgID, actor.User, store.Stamp(s.now()), ev.Index); err != nil {
			return err
		}
		if err := widenOverseen(ctx, tx, orgID, processID); err != nil {
			return err
		}
		a = Side{OrgID: orgID}
		a.Name, err = orgName(ctx, tx, orgID)
		return err
	})
	return a, err
}

// widenOverseen gives org every item of the process that the mediation and
// the neutral agency read.
func widenOverseen(ctx context.Context, tx *sql.Tx, org, processID string) error {
	for _, q := range []string{
		"SELECT id FROM detainee_lists WHERE process_id = $1",
		"SELECT id FROM detainee_runs WHERE process_id = $1",
		"SELECT id FROM detainee_decisions WHERE process_id = $1",
		"SELECT id FROM detainee_exchanges WHERE process_id = $1",
	} {
		if err := access.WidenAll(ctx, tx, org, q, processID); err != nil {
			return err
		}
	}
	return nil
}

// Joined widens the detainee items of the round's process to a mediation
// organisation that joins one of its rounds: it reads what the mediation
// reads. Registered with talks.OnJoin.
func (s *Service) Joined(ctx context.Context, tx *sql.Tx, roundID string, p talks.Participant) error {
	if p.Capacity != access.Mediation {
		return nil
	}
	var processID string
	if err := tx.QueryRowContext(ctx, "SELECT process_id FROM rounds WHERE id = $1", roundID).Scan(&processID); err != nil {
		return err
	}
	return widenOverseen(ctx, tx, p.Org.ID, processID)
}

// Abilities are what an actor may do in a process's detainee track; the
// pages ask for them rather than re-derive the rules.
type Abilities struct {
	Submit     bool // submit lists: a party, the mediation, the neutral agency
	Oversee    bool // run the matching and review pairs: the mediation, the neutral agency
	Record     bool // record exchanges: the mediation
	Confirm    bool // confirm releases: the neutral agency
	NameAgency bool // name the neutral agency: the head of the mediation, while none is named
	Agency     Side // the neutral agency, zero while none is named
	// Parties and Agencies take part in the process: the sides an
	// exchange may name, the agencies the mediation may name.
	Parties, Agencies []Side
}

// Abilities returns what actor may do in the process's detainee track;
// the process is not found for those who take no part in it.
func (s *Service) Abilities(ctx context.Context, actor access.Actor, processID string) (ab Abilities, err error) {
	defer errs.Wrap(&err, "detainees.Abilities")
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		r, err := enter(ctx, tx, actor, processID)
		if err != nil {
			return err
		}
		ab = Abilities{Submit: r.cap.In(access.Party, access.Mediation) || r.neutral(), Oversee: r.overseer(),
			Record: r.cap.Mediates(), Confirm: r.neutral(), NameAgency: r.agency == "" && r.cap.Mediates() && r.cap.Head()}
		if r.agency != "" {
			ab.Agency.OrgID = r.agency
			if ab.Agency.Name, err = orgName(ctx, tx, r.agency); err != nil {
				return err
			}
		}
		for _, k := range []struct {
			kind access.OrgKind
			out  *[]Side
		}{{access.Party, &ab.Parties}, {access.Agency, &ab.Agencies}} {
			orgs, err := access.ProcessOrgs(ctx, tx, processID, k.kind)
			if err != nil {
				return err
			}
			for _, o := range orgs {
				name, err := orgName(ctx, tx, o)
				if err != nil {
					return err
				}
				*k.out = append(*k.out, Side{OrgID: o, Name: name})
			}
		}
		return nil
	})
	return ab, err
}
