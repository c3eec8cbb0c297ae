package detainees

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Kinds of exchange.
const (
	Swap       = "swap"       // both sides release people
	Unilateral = "unilateral" // one side releases people
)

// Limits of an exchange.
const (
	MaxPeople          = 5000 // people in one exchange
	maxRecordsOfPerson = 10   // records tied to one person
	maxPlace           = 200  // characters of a release's place
)

// Exchange is an agreement between two parties to release people, as the
// mediation recorded it.
type Exchange struct {
	ID, ProcessID string
	Kind          string
	Title         string
	Sides         []Side // the two parties to the agreement
	People        []Person
	CreatedAt     time.Time
	CreatedBy     string
	LedgerIndex   int64
}

// Side is a party to an exchange.
type Side struct{ OrgID, Name string }

// Person is someone an exchange promises to release.
type Person struct {
	ID            string
	Seq           int
	ReleasedBy    string // the organisation that releases them
	ReleasedByOrg string // its name
	Identity      Identity
	// Records are the ids of the list records that name the person: only
	// the mediation and the neutral agency see them.
	Records []string
	// Release is the verified release, nil until the neutral agency
	// confirms it.
	Release *Release
}

// Release is a release the neutral agency verified.
type Release struct {
	At          time.Time // when the person was released
	Place       string
	VerifiedBy  string
	VerifiedAt  time.Time
	LedgerIndex int64
}

// Promised counts the people of the exchange; Verified those released.
func (e Exchange) Promised() int { return len(e.People) }

// Verified counts the people whose release is verified.
func (e Exchange) Verified() int {
	n := 0
	for _, p := range e.People {
		if p.Release != nil {
			n++
		}
	}
	return n
}

// NewExchange is an agreement the mediation records.
type NewExchange struct {
	Kind   string
	Title  string
	Sides  []string // the two parties' organisation ids
	People []NewPerson
}

// NewPerson is one person of a new exchange: the records that name them
// (on any list of the process) and, when it cannot be told from a held
// list of one of the sides, the side that releases them.
type NewPerson struct {
	Records    []string
	ReleasedBy string
}

var (
	exchangeColumns = store.Columns("id text", "process_id text", "kind text", "sides text", "title_enc bytea", "created_by text", "created_at bigint", "ledger_idx bigint", "digest text")
	personColumns   = store.Columns("id text", "exchange_id text", "seq bigint", "released_by text", "data_enc bytea")
	personRecCols   = store.Columns("person_id text", "record_id text")
)

// sealedPerson is what a person's sealed data holds.
type sealedPerson struct {
	Identity Identity `json:"identity"`
}

// RecordExchange records an agreement to release people: the mediation
// only. The exchange and its people are read by the two sides, the
// mediation and the neutral agency; the sides read each person's
// identifying fields only, never the lists behind them.
func (s *Service) RecordExchange(ctx context.Context, actor access.Actor, processID string, in NewExchange) (ex Exchange, err error) {
	defer errs.Wrap(&err, "detainees.RecordExchange")
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		r, err := enter(ctx, tx, actor, processID)
		if err != nil {
			return err
		}
		if !r.cap.Mediates() {
			return errs.New(errs.Forbidden, "only the mediation records an exchange")
		}
		if in.Kind != Swap && in.Kind != Unilateral {
			return errs.Field("kind", "an exchange is %q or %q", Swap, Unilateral)
		}
		if err := checkName("title", in.Title); err != nil {
			return err
		}
		parties, err := access.ProcessOrgs(ctx, tx, processID, access.Party)
		if err != nil {
			return err
		}
		if len(in.Sides) != 2 || in.Sides[0] == in.Sides[1] || !parties.Contains(in.Sides[0]) || !parties.Contains(in.Sides[1]) {
			return errs.Field("sides", "an exchange has two sides, two different parties of the process")
		}
		if len(in.People) == 0 || len(in.People) > MaxPeople {
			return errs.Field("people", "an exchange lists between 1 and %d people", MaxPeople)
		}
		ex = Exchange{ID: store.NewID(), ProcessID: processID, Kind: in.Kind, Title: strings.TrimSpace(in.Title),
			CreatedAt: store.Time(store.Stamp(s.now())), CreatedBy: actor.User}
		for _, o := range in.Sides {
			name, err := orgName(ctx, tx, o)
			if err != nil {
				return err
			}
			ex.Sides = append(ex.Sides, Side{OrgID: o, Name: name})
		}
		used := map[string]int{}
		releasers := map[string]bool{}
		for i, np := range in.People {
			field := fmt.Sprintf("people[%d]", i)
			p, err := s.person(ctx, tx, actor, processID, in, np, field)
			if err != nil {
				return err
			}
			for _, id := range p.Records {
				if j, ok := used[id]; ok {
					return errs.Field(field+".records", "record %s already names person %d of this exchange", id, j)
				}
				used[id] = i
			}
			p.ID, p.Seq = store.NewID(), i+1
			releasers[p.ReleasedBy] = true
			ex.People = append(ex.People, p)
		}
		if in.Kind == Swap && len(releasers) != 2 {
			return errs.Field("people", "in a swap both sides release people")
		}
		if in.Kind == Unilateral && len(releasers) != 1 {
			return errs.Field("people", "in a unilateral release one side releases everyone")
		}
		aud, err := overseers(ctx, tx, processID, r.agency)
		if err != nil {
			return err
		}
		aud = append(aud, in.Sides...).Normalize()
		lines := make([]personLine, len(ex.People))
		for i, p := range ex.People {
			lines[i] = personLine{ID: p.ID, Seq: p.Seq, ReleasedBy: p.ReleasedBy, Identity: p.Identity, Records: p.Records}
		}
		sealed, err := exchangeDigest(ex.Title, lines)
		if err != nil {
			return err
		}
		ev, err := event(ctx, rec, actor, "detainees.exchange.recorded", "detainee_exchange", ex.ID, aud,
			exchangeContent(processID, ex.Kind, len(ex.People), in.Sides, sealed))
		if err != nil {
			return err
		}
		ex.LedgerIndex = ev.Index
		rec.Insert("detainee_exchanges", exchangeColumns, "", ex.ID, processID, ex.Kind, strings.Join(in.Sides, " "),
			s.seal("detainee_exchange", ex.ID, []byte(ex.Title)), actor.User, store.Stamp(ex.CreatedAt), ex.LedgerIndex, sealed)
		for _, p := range ex.People {
			data, err := s.sealJSON("detainee_person", p.ID, sealedPerson{Identity: p.Identity})
			if err != nil {
				return err
			}
			rec.Insert("detainee_people", personColumns, "", p.ID, ex.ID, int64(p.Seq), p.ReleasedBy, data)
		}
		for _, p := range ex.People {
			for _, id := range p.Records {
				rec.Insert("detainee_person_records", personRecCols, "", p.ID, id)
			}
		}
		return rec.Grant(ex.ID, aud)
	})
	return ex, err
}

// person checks one person of a new exchange and returns them with their
// identity (from a held list's record when there is one) and the side that
// releases them.
func (s *Service) person(ctx context.Context, tx *sql.Tx, actor access.Actor, processID string, in NewExchange, np NewPerson, field string) (Person, error) {
	if len(np.Records) == 0 || len(np.Records) > maxRecordsOfPerson {
		return Person{}, errs.Field(field+".records", "a person is named by between 1 and %d records", maxRecordsOfPerson)
	}
	p := Person{ReleasedBy: np.ReleasedBy}
	var identity *Identity
	held := ""
	for _, id := range np.Records {
		if !store.ValidID(id) || slices.Contains(p.Records, id) {
			return Person{}, errs.Field(field+".records", "no such record %q in this process", id)
		}
		recs, err := s.records(ctx, tx, actor, "r.id = $1", id)
		if err != nil {
			return Person{}, err
		}
		var kind, org, proc string
		if len(recs) == 1 {
			err = tx.QueryRowContext(ctx, "SELECT kind, org_id, process_id FROM detainee_lists WHERE id = $1", recs[0].ListID).Scan(&kind, &org, &proc)
			if err != nil {
				return Person{}, err
			}
		}
		if len(recs) != 1 || proc != processID {
			return Person{}, errs.Field(field+".records", "no such record %q in this process", id)
		}
		p.Records = append(p.Records, id)
		if kind == Held && slices.Contains(in.Sides, org) && held == "" {
			held = org
			id := recs[0].Identity()
			identity = &id
		}
		if identity == nil {
			id := recs[0].Identity()
			identity = &id
		}
	}
	p.Identity = *identity
	switch {
	case p.ReleasedBy == "" && held != "":
		p.ReleasedBy = held
	case p.ReleasedBy == "" && in.Kind == Unilateral:
		p.ReleasedBy = in.Sides[0]
	case p.ReleasedBy == "":
		return Person{}, errs.Field(field+".released_by", "no held list of a side names this person: say which side releases them")
	case !slices.Contains(in.Sides, p.ReleasedBy):
		return Person{}, errs.Field(field+".released_by", "the releasing side is one of the exchange's two sides")
	}
	return p, nil
}
