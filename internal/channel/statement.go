package channel

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Statement is an organisation's public statement.
type Statement struct {
	ID         string
	Org        OrgRef
	AuthorUser string
	Title      string
	Body       string
	// EmbargoUntil is zero when there is no embargo.
	EmbargoUntil time.Time
	// ReleasedAt is when the statement is (or becomes) public: the later
	// of its release and its embargo; zero until released.
	ReleasedAt  time.Time
	CreatedAt   time.Time
	LedgerIndex int64
	// Damaged: the sealed title or text did not open; both are empty
	// (damage.go).
	Damaged bool
	// Round is the round the statement is about; zero when it names none.
	Round RoundRef
}

// Public reports whether the statement is public at now.
func (st Statement) Public(now time.Time) bool {
	return !st.ReleasedAt.IsZero() && !st.ReleasedAt.After(now)
}

// NewStatement is the input of CreateStatement.
type NewStatement struct {
	Title, Body  string
	EmbargoUntil time.Time // zero: none
	// RoundID, when set, is the round the statement is about: the
	// author's organisation must take part in it, and only that round's
	// mediation reads the draft.
	RoundID string
}

// statementAudience is who reads a statement before it is public: its
// organisation and the mediation of the statement's round; for a statement
// about no round, the mediation of the rounds the organisation takes part
// in. A mediation organisation that shares no round with the author never
// reads its drafts.
func statementAudience(ctx context.Context, q access.Querier, actor access.Actor, roundID string) (access.Audience, error) {
	var med access.Audience
	var err error
	if roundID == "" {
		med, err = access.PeerOrgs(ctx, q, actor.Org, access.Mediation)
	} else {
		c, cerr := access.RoundCapacity(ctx, q, actor, roundID)
		if cerr != nil {
			return nil, cerr
		}
		if !c.Participates() {
			return nil, errs.NotFoundf("round")
		}
		med, err = access.RoundOrgs(ctx, q, roundID, access.Mediation)
	}
	return access.Of(append(med, actor.Org)...), err
}

// CreateStatement drafts a statement of the actor's organisation. Until it
// is released (and past its embargo) only the organisation and the
// mediation read it.
func (s *Service) CreateStatement(ctx context.Context, actor access.Actor, in NewStatement) (st Statement, err error) {
	defer errs.Wrap(&err, "channel.CreateStatement")
	if actor.Anonymous() || actor.Org == "" {
		return Statement{}, errs.New(errs.Unauthorized, "log in first")
	}
	title, err := checkStatement(in)
	if err != nil {
		return Statement{}, err
	}
	id := store.NewID()
	now := store.Now()
	var embargo int64
	if !in.EmbargoUntil.IsZero() {
		embargo = store.Stamp(in.EmbargoUntil)
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		aud, err := statementAudience(ctx, tx, actor, in.RoundID)
		if err != nil {
			return err
		}
		content := statementContent(id, actor.Org, title, in.Body, embargo)
		ev, err := rec.Append(ctx, ledger.Event{Type: "statement.created", Actor: actor, ObjectType: "statement", ObjectID: id, Audience: aud, Content: content, At: store.Time(now)})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO statements(id, author_user, author_org, title_enc, body_enc, embargo_until, released_at, created_at, ledger_idx, round_id)
			VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9)`, id, actor.User, actor.Org,
			s.keys.seal("statement-title", id, []byte(title)), s.keys.seal("statement", id, []byte(in.Body)), embargo, now, ev.Index, in.RoundID); err != nil {
			return err
		}
		if err := access.Grant(ctx, tx, id, aud); err != nil {
			return err
		}
		s.indexTerms(rec, id, title+"\n"+in.Body)
		return nil
	})
	if err != nil {
		return Statement{}, err
	}
	return s.Statement(ctx, actor, id)
}

// statementContent is the content a statement's creating event hashes;
// parley verify rebuilds it from the stored row (verify.go).
func statementContent(id, org, title, body string, embargo int64) []byte {
	sum := sha256.Sum256([]byte(title + "\n" + body))
	content, _ := json.Marshal(map[string]any{"id": id, "org_id": org, "sha256": hex.EncodeToString(sum[:]), "embargo_until": embargo})
	return content
}

// ReleaseStatement makes a statement of the actor's organisation public:
// at once, or when its embargo ends. Only its organisation releases it.
func (s *Service) ReleaseStatement(ctx context.Context, actor access.Actor, id string) (st Statement, err error) {
	defer errs.Wrap(&err, "channel.ReleaseStatement")
	if actor.Anonymous() || actor.Org == "" {
		return Statement{}, errs.New(errs.Unauthorized, "log in first")
	}
	if !store.ValidID(id) {
		return Statement{}, errs.NotFoundf("statement")
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		cur, err := s.statementIn(ctx, tx, actor, id, time.Now())
		if err != nil {
			return err
		}
		if cur.Org.ID != actor.Org {
			return errs.New(errs.Forbidden, "only the organisation that wrote a statement releases it")
		}
		if !cur.ReleasedAt.IsZero() {
			return errs.New(errs.Conflict, "the statement is already released")
		}
		at := store.Now()
		if e := store.Stamp(cur.EmbargoUntil); !cur.EmbargoUntil.IsZero() && e > at {
			at = e
		}
		if _, err := tx.ExecContext(ctx, "UPDATE statements SET released_at = $1 WHERE id = $2", at, id); err != nil {
			return err
		}
		if err := access.Grant(ctx, tx, "public:"+id, access.Of(access.Public)); err != nil {
			return err
		}
		aud, err := access.AudienceOf(ctx, tx, id)
		if err != nil {
			return err
		}
		content, _ := json.Marshal(map[string]any{"id": id, "released_at": at})
		_, err = rec.Append(ctx, ledger.Event{Type: "statement.released", Actor: actor, ObjectType: "statement", ObjectID: id, Audience: aud, Content: content})
		return err
	})
	if err != nil {
		return Statement{}, err
	}
	return s.Statement(ctx, actor, id)
}

// statementFrom is what every statement read selects, in the order
// scanStatements reads it.
const statementFrom = `SELECT s.id, s.author_org, o.name, s.author_user, s.title_enc, s.body_enc, s.embargo_until, s.released_at, s.created_at, s.ledger_idx,
		s.round_id, COALESCE(r.name, '')
		FROM statements s JOIN orgs o ON o.id = s.author_org LEFT JOIN rounds r ON r.id = s.round_id`

// statementSelect is the one query shape of statement reads: the reader's
// organisation is in the draft audience, or the statement is public and
// its release time (embargo included) has passed. $1 is the reader's
// organisation, $2 the time now.
func statementSelect(actor access.Actor) (string, any) {
	draft, arg := access.ReadableBy(actor, "s.id", 1)
	public, _ := access.ReadableBy(actor, "('public:' || s.id)", 1)
	return statementFrom + `
		WHERE (` + draft + ` OR (` + public + ` AND s.released_at > 0 AND s.released_at <= $2))`, arg
}

func (s *Service) scanStatements(rows *sql.Rows) ([]Statement, error) {
	defer rows.Close()
	out := []Statement{}
	for rows.Next() {
		var st Statement
		var title, body []byte
		var embargo, released, created int64
		if err := rows.Scan(&st.ID, &st.Org.ID, &st.Org.Name, &st.AuthorUser, &title, &body, &embargo, &released, &created, &st.LedgerIndex,
			&st.Round.ID, &st.Round.Name); err != nil {
			return nil, err
		}
		t, err := s.keys.open("statement-title", st.ID, title)
		var b []byte
		if err == nil {
			b, err = s.keys.open("statement", st.ID, body)
		}
		if err != nil {
			st.Damaged = true
			s.damaged(Damage{Kind: "statement", ID: st.ID, LedgerIndex: st.LedgerIndex, Err: err})
			t, b = nil, nil
		}
		st.Title, st.Body = string(t), string(b)
		if embargo != 0 {
			st.EmbargoUntil = store.Time(embargo)
		}
		if released != 0 {
			st.ReleasedAt = store.Time(released)
		}
		st.CreatedAt = store.Time(created)
		out = append(out, st)
	}
	return out, rows.Err()
}

func (s *Service) statementIn(ctx context.Context, q access.Querier, actor access.Actor, id string, now time.Time) (Statement, error) {
	if !store.ValidID(id) {
		return Statement{}, errs.NotFoundf("statement")
	}
	sel, arg := statementSelect(actor)
	rows, err := q.QueryContext(ctx, sel+" AND s.id = $3", arg, store.Stamp(now), id)
	if err != nil {
		return Statement{}, err
	}
	sts, err := s.scanStatements(rows)
	if err != nil {
		return Statement{}, err
	}
	if len(sts) == 0 {
		return Statement{}, errs.NotFoundf("statement")
	}
	return sts[0], nil
}

// Statement returns one statement the actor reads (anyone, logged in or
// not, reads a public one).
func (s *Service) Statement(ctx context.Context, actor access.Actor, id string) (st Statement, err error) {
	defer errs.Wrap(&err, "channel.Statement")
	return s.statementIn(ctx, s.db.R, actor, id, time.Now())
}

// Statements lists the statements the actor reads, newest first: the
// public ones and, for an organisation, its own drafts (and, for the
// mediation, everyone's). The zero Actor gets the public ones.
func (s *Service) Statements(ctx context.Context, actor access.Actor, limit int) (sts []Statement, err error) {
	defer errs.Wrap(&err, "channel.Statements")
	if limit <= 0 || limit > MaxLimit {
		limit = DefaultLimit
	}
	sel, arg := statementSelect(actor)
	rows, err := s.db.R.QueryContext(ctx, sel+" ORDER BY CASE WHEN s.released_at = 0 THEN s.created_at ELSE s.released_at END DESC, s.id LIMIT $3",
		arg, store.Now(), limit)
	if err != nil {
		return nil, err
	}
	return s.scanStatements(rows)
}

// ReadsOthersDrafts reports whether the actor's organisation is the
// mediation of some round it takes part in: the one capacity in which it
// reads other organisations' statement drafts (those about that round, or
// about no round, of the organisations taking part in it). A mediation
// organisation taking part in no round reads none, whatever its kind.
func (s *Service) ReadsOthersDrafts(ctx context.Context, actor access.Actor) (ok bool, err error) {
	defer errs.Wrap(&err, "channel.ReadsOthersDrafts")
	if actor.Anonymous() || actor.Org == "" {
		return false, nil
	}
	med, err := access.PeerOrgs(ctx, s.db.R, actor.Org, access.Mediation)
	return slices.Contains(med, actor.Org), err
}

// StatementDrafts lists the statements the actor reads that are not public
// yet, newest first: drafts, and released statements waiting for their
// embargo. Only the draft audience counts (the organisation that wrote it
// and the mediation), so a party sees its own and the mediation sees
// everyone's; the public grant plays no part until the statement is out.
func (s *Service) StatementDrafts(ctx context.Context, actor access.Actor, limit int) (sts []Statement, err error) {
	defer errs.Wrap(&err, "channel.StatementDrafts")
	if actor.Anonymous() || actor.Org == "" {
		return []Statement{}, nil
	}
	if limit <= 0 || limit > MaxLimit {
		limit = DefaultLimit
	}
	draft, arg := access.ReadableBy(actor, "s.id", 1)
	rows, err := s.db.R.QueryContext(ctx, statementFrom+`
		WHERE `+draft+` AND (s.released_at = 0 OR s.released_at > $2)
		ORDER BY s.created_at DESC, s.id DESC LIMIT $3`, arg, store.Now(), limit)
	if err != nil {
		return nil, err
	}
	return s.scanStatements(rows)
}
