package detainees

import (
	"context"
	"database/sql"
	"math"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Review decisions.
const (
	Match   = "match"
	NoMatch = "no_match"
)

// Bands of a stored pair.
const (
	BandMatch  = "match"  // accepted, by the model or by a person
	BandReview = "review" // uncertain: for a person to settle
)

// Run is one matching run over a process's lists.
type Run struct {
	ID, ProcessID string
	Records       int // records matched
	Pairs         int // accepted pairs
	Review        int // pairs in the review band
	Decided       int // pairs settled by a reviewer's decision
	CreatedAt     time.Time
	CreatedBy     string
	LedgerIndex   int64
}

// Pair is a stored pair of records of a run, with both records and the
// latest decision on it.
type Pair struct {
	ID          string
	RunID       string
	Probability float64
	Band        string
	A, B        PairRecord
	// Decision is the latest reviewer's decision on the two records, ""
	// when none.
	Decision string
}

// PairRecord is one side of a pair: the record and the list it is on.
type PairRecord struct {
	StoredRecord
	ListName, ListKind, OrgName string
}

// Decision is a reviewer's decision on a pair of records.
type Decision struct {
	ID, PairID  string
	ProcessID   string
	Decision    string
	DecidedAt   time.Time
	DecidedBy   string
	LedgerIndex int64
}

var (
	runColumns = store.Columns("id text", "process_id text", "records bigint", "pairs bigint", "review bigint",
		"decided bigint", "created_by text", "created_at bigint", "ledger_idx bigint", "digest text")
	pairColumns = store.Columns("id text", "run_id text", "record_a text", "record_b text", "probability bigint", "band text")
)

// RunMatching matches every record of the process's lists, across lists
// and within each, and stores the accepted pairs and the review band: the
// mediation or the neutral agency runs it. Reviewers' decisions win over
// the model: a pair decided a match is accepted, one decided no match is
// left out.
func (s *Service) RunMatching(ctx context.Context, actor access.Actor, processID string) (run Run, err error) {
	defer errs.Wrap(&err, "detainees.RunMatching")
	overseer := func(q access.Querier) (role, error) {
		r, err := enter(ctx, q, actor, processID)
		if err == nil && !r.overseer() {
			err = errs.New(errs.Forbidden, "only the mediation or the neutral agency runs the matching")
		}
		return r, err
	}
	// The records and decisions are read, and the model run, outside the
	// write transaction, which would otherwise hold the writer for as long
	// as the model takes. Records are never deleted, so the pairs stored
	// after it still name records that exist; the run counts the records it
	// matched.
	var recs []StoredRecord
	var decided map[[2]string]bool
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		if _, err := overseer(tx); err != nil {
			return err
		}
		if recs, err = s.records(ctx, tx, actor, "r.list_id IN (SELECT id FROM detainee_lists WHERE process_id = $1)", processID); err != nil {
			return err
		}
		decided, err = decisions(ctx, tx, actor, processID)
		return err
	})
	if err != nil {
		return run, err
	}
	pairs := withDecisions(s.link(recs, decided), recs, decided)
	run = Run{ID: store.NewID(), ProcessID: processID, Records: len(recs), Decided: len(decided), CreatedBy: actor.User}
	for _, p := range pairs {
		if p.Review {
			run.Review++
		} else {
			run.Pairs++
		}
	}
	lines := make([]pairLine, len(pairs))
	for i, p := range pairs {
		band := BandMatch
		if p.Review {
			band = BandReview
		}
		lines[i] = pairLine{ID: store.NewID(), A: p.A, B: p.B, Probability: int64(math.Round(p.Probability * 1e6)), Band: band}
	}
	sealed, err := runDigest(lines)
	if err != nil {
		return run, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		r, err := overseer(tx)
		if err != nil {
			return err
		}
		aud, err := overseers(ctx, tx, processID, r.agency)
		if err != nil {
			return err
		}
		run.CreatedAt = store.Time(store.Stamp(s.now()))
		ev, err := event(ctx, rec, actor, "detainees.matching.run", "detainee_run", run.ID, aud,
			runContent(processID, run.Records, run.Pairs, run.Review, run.Decided, sealed))
		if err != nil {
			return err
		}
		run.LedgerIndex = ev.Index
		rec.Insert("detainee_runs", runColumns, "", run.ID, processID, int64(run.Records), int64(run.Pairs), int64(run.Review),
			int64(run.Decided), actor.User, store.Stamp(run.CreatedAt), run.LedgerIndex, sealed)
		for _, p := range lines {
			rec.Insert("detainee_pairs", pairColumns, "", p.ID, run.ID, p.A, p.B, p.Probability, p.Band)
		}
		return rec.Grant(run.ID, aud)
	})
	if err != nil {
		return Run{}, err
	}
	return run, nil
}

// withDecisions makes the reviewers' decisions win over the model's pairs:
// a pair decided a match is accepted with probability 1 (added when the
// model did not propose it), one decided no match is left out, and each
// pair appears once.
func withDecisions(pairs []scored, recs []StoredRecord, decided map[[2]string]bool) []scored {
	seen := map[[2]string]bool{}
	kept := pairs[:0]
	for _, p := range pairs {
		k := ordered(p.A, p.B)
		m, ok := decided[k]
		if seen[k] || ok && !m {
			continue
		}
		seen[k] = true
		if ok {
			p.Probability, p.Review = 1, false
		}
		kept = append(kept, p)
	}
	known := map[string]bool{}
	for _, r := range recs {
		known[r.ID] = true
	}
	for _, k := range decidedPairs(decided) {
		if decided[k] && !seen[k] && known[k[0]] && known[k[1]] {
			kept = append(kept, scored{A: k[0], B: k[1], Probability: 1})
		}
	}
	return kept
}

// decisions returns the latest decision on each pair of records of the
// process that actor may read: true for a match.
func decisions(ctx context.Context, q access.Querier, actor access.Actor, processID string) (map[[2]string]bool, error) {
	cond, arg := access.ReadableBy(actor, "d.id", 2)
	rows, err := q.QueryContext(ctx, `SELECT d.record_a, d.record_b, d.decision FROM detainee_decisions d
		WHERE d.process_id = $1 AND `+cond+` ORDER BY d.decided_at, d.id`, processID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[2]string]bool{}
	for rows.Next() {
		var a, b, d string
		if err := rows.Scan(&a, &b, &d); err != nil {
			return nil, err
		}
		out[ordered(a, b)] = d == Match
	}
	return out, rows.Err()
}

const runSelect = "SELECT u.id, u.process_id, u.records, u.pairs, u.review, u.decided, u.created_at, u.created_by, u.ledger_idx FROM detainee_runs u"

func scanRun(sc interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var at int64
	err := sc.Scan(&r.ID, &r.ProcessID, &r.Records, &r.Pairs, &r.Review, &r.Decided, &at, &r.CreatedBy, &r.LedgerIndex)
	r.CreatedAt = store.Time(at)
	return r, err
}

// Pairs returns the pairs of the process's latest matching run in band
// (BandMatch, BandReview, or "" for both), with both records and the
// latest decision: for the mediation and the neutral agency. Without a run
// yet, the run is zero and there are no pairs.
func (s *Service) Pairs(ctx context.Context, actor access.Actor, processID, band string) (run Run, pairs []Pair, err error) {
	defer errs.Wrap(&err, "detainees.Pairs")
	if band != "" && band != BandMatch && band != BandReview {
		return run, nil, errs.Field("band", "a band is %q or %q", BandMatch, BandReview)
	}
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		r, err := enter(ctx, tx, actor, processID)
		if err != nil {
			return err
		}
		if !r.overseer() {
			return errs.NotFoundf("matching")
		}
		cond, arg := access.ReadableBy(actor, "u.id", 2)
		run, err = scanRun(tx.QueryRowContext(ctx, runSelect+" WHERE u.process_id = $1 AND "+cond+" ORDER BY u.created_at DESC, u.id DESC LIMIT 1", processID, arg))
		if err == sql.ErrNoRows {
			run = Run{}
			return nil
		}
		if err != nil {
			return err
		}
		pairs, err = s.pairs(ctx, tx, actor, "p.run_id = $1 AND ($2 = '' OR p.band = $2)", run.ID, band)
		return err
	})
	return run, pairs, err
}

// pairs reads the pairs matching where (over detainee_pairs p, with the
// arguments $1 and $2) that actor may read, both records included.
func (s *Service) pairs(ctx context.Context, q access.Querier, actor access.Actor, where string, arg1, arg2 any) ([]Pair, error) {
	cp, arg := access.ReadableBy(actor, "p.run_id", 3)
	ca, _ := access.ReadableBy(actor, "ra.list_id", 3)
	cb, _ := access.ReadableBy(actor, "rb.list_id", 3)
	cd, _ := access.ReadableBy(actor, "d.id", 3)
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.run_id, p.probability, p.band,
			ra.id, ra.list_id, ra.row_no, ra.data_enc, la.kind, la.name_enc, oa.name,
			rb.id, rb.list_id, rb.row_no, rb.data_enc, lb.kind, lb.name_enc, ob.name,
			COALESCE((SELECT d.decision FROM detainee_decisions d WHERE d.record_a = p.record_a AND d.record_b = p.record_b AND `+cd+`
				ORDER BY d.decided_at DESC, d.id DESC LIMIT 1), '')
		FROM detainee_pairs p
		JOIN detainee_records ra ON ra.id = p.record_a JOIN detainee_lists la ON la.id = ra.list_id JOIN orgs oa ON oa.id = la.org_id
		JOIN detainee_records rb ON rb.id = p.record_b JOIN detainee_lists lb ON lb.id = rb.list_id JOIN orgs ob ON ob.id = lb.org_id
		WHERE `+where+` AND `+cp+` AND `+ca+` AND `+cb+`
		ORDER BY p.probability, p.id`, arg1, arg2, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Pair
	for rows.Next() {
		var p Pair
		var prob int64
		var da, db, na, nb []byte
		if err := rows.Scan(&p.ID, &p.RunID, &prob, &p.Band,
			&p.A.ID, &p.A.ListID, &p.A.Row, &da, &p.A.ListKind, &na, &p.A.OrgName,
			&p.B.ID, &p.B.ListID, &p.B.Row, &db, &p.B.ListKind, &nb, &p.B.OrgName, &p.Decision); err != nil {
			return nil, err
		}
		p.Probability = float64(prob) / 1e6
		for _, side := range []struct {
			r          *PairRecord
			data, name []byte
		}{{&p.A, da, na}, {&p.B, db, nb}} {
			if err := s.openJSON("detainee_record", side.r.ID, side.data, &side.r.Record); err != nil {
				return nil, err
			}
			name, err := s.open("detainee_list", side.r.ListID, side.name)
			if err != nil {
				return nil, err
			}
			side.r.ListName = string(name)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Decide records a reviewer's decision on a pair (Match or NoMatch): the
// mediation or the neutral agency. The decision is kept and wins over the
// model in every later run.
func (s *Service) Decide(ctx context.Context, actor access.Actor, pairID, decision string) (d Decision, err error) {
	defer errs.Wrap(&err, "detainees.Decide")
	if actor.Anonymous() {
		return d, errs.New(errs.Unauthorized, "log in first")
	}
	if !store.ValidID(pairID) {
		return d, errs.NotFoundf("pair")
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		cond, arg := access.ReadableBy(actor, "p.run_id", 2)
		var processID, a, b string
		err := tx.QueryRowContext(ctx, `SELECT u.process_id, p.record_a, p.record_b FROM detainee_pairs p
			JOIN detainee_runs u ON u.id = p.run_id WHERE p.id = $1 AND `+cond, pairID, arg).Scan(&processID, &a, &b)
		if err == sql.ErrNoRows {
			return errs.NotFoundf("pair")
		}
		if err != nil {
			return err
		}
		d, err = s.decide(ctx, tx, rec, actor, processID, a, b, decision)
		if errs.Code(err) == errs.NotFound {
			return errs.NotFoundf("pair")
		}
		d.PairID = pairID
		return err
	})
	return d, err
}

// LinkRecords records a reviewer's decision on two records of the process
// that no run paired (or any two): a person who knows that two records name
// the same person (or do not) says so, and the next run follows them. Like
// Decide, for the mediation and the neutral agency.
func (s *Service) LinkRecords(ctx context.Context, actor access.Actor, processID, recordA, recordB, decision string) (d Decision, err error) {
	defer errs.Wrap(&err, "detainees.LinkRecords")
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		r, err := enter(ctx, tx, actor, processID)
		if err != nil {
			return err
		}
		if !r.overseer() {
			return errs.New(errs.Forbidden, "only the mediation or the neutral agency reviews records")
		}
		for _, f := range []struct{ field, id string }{{"a", recordA}, {"b", recordB}} {
			var n int
			if store.ValidID(f.id) {
				cond, arg := access.ReadableBy(actor, "r.list_id", 3)
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM detainee_records r JOIN detainee_lists l ON l.id = r.list_id
					WHERE r.id = $1 AND l.process_id = $2 AND `+cond, f.id, processID, arg).Scan(&n); err != nil {
					return err
				}
			}
			if n == 0 {
				return errs.Field(f.field, "no such record in this process")
			}
		}
		if recordA == recordB {
			return errs.Field("b", "a record is not paired with itself")
		}
		k := ordered(recordA, recordB)
		d, err = s.decide(ctx, tx, rec, actor, processID, k[0], k[1], decision)
		return err
	})
	return d, err
}

// decide writes a decision on records a and b (in canonical order) of the
// process, after checking that actor reviews there.
func (s *Service) decide(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, actor access.Actor, processID, a, b, decision string) (Decision, error) {
	r, err := enter(ctx, tx, actor, processID)
	if err != nil {
		return Decision{}, err
	}
	if !r.overseer() {
		return Decision{}, errs.New(errs.Forbidden, "only the mediation or the neutral agency reviews pairs")
	}
	if decision != Match && decision != NoMatch {
		return Decision{}, errs.Field("decision", "a decision is %q or %q", Match, NoMatch)
	}
	aud, err := overseers(ctx, tx, processID, r.agency)
	if err != nil {
		return Decision{}, err
	}
	d := Decision{ID: store.NewID(), ProcessID: processID, Decision: decision, DecidedAt: store.Time(store.Stamp(s.now())), DecidedBy: actor.User}
	ev, err := event(ctx, rec, actor, "detainees.pair.decided", "detainee_decision", d.ID, aud,
		decisionContent(processID, a, b, decision))
	if err != nil {
		return Decision{}, err
	}
	d.LedgerIndex = ev.Index
	if _, err := tx.ExecContext(ctx, `INSERT INTO detainee_decisions(id, process_id, record_a, record_b, decision, decided_by, decided_at, ledger_idx)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, d.ID, processID, a, b, decision, actor.User, store.Stamp(d.DecidedAt), d.LedgerIndex); err != nil {
		return Decision{}, err
	}
	return d, rec.Grant(d.ID, aud)
}
