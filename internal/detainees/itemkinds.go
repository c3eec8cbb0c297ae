package detainees

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
)

// The contents of the track's events, built by the write paths and
// rebuilt from the rows by parley verify (ItemKinds). An item made since
// migration 00041 adds its digest: the SHA-256 of what its rows hold
// beyond its own columns (the sealed names and records, the pairs, the
// people, the place), which the event hashes with the rest; an item made
// before has none (digest "") and its event's content is what it was.

func listContent(processID, kind string, records int, sha, digest string) map[string]any {
	return withDigest(map[string]any{"process": processID, "kind": kind, "records": records, "sha256": sha}, digest)
}

func runContent(processID string, records, pairs, review, decided int, digest string) map[string]any {
	return withDigest(map[string]any{"process": processID, "records": records, "pairs": pairs, "review": review, "decided": decided}, digest)
}

func decisionContent(processID, a, b, decision string) map[string]any {
	return map[string]any{"process": processID, "record_a": a, "record_b": b, "decision": decision}
}

func exchangeContent(processID, kind string, people int, sides []string, digest string) map[string]any {
	return withDigest(map[string]any{"process": processID, "kind": kind, "people": people, "sides": sides}, digest)
}

func releaseContent(processID, exchangeID, personID string, at time.Time, digest string) map[string]any {
	return withDigest(map[string]any{"process": processID, "exchange": exchangeID, "person": personID, "released_at": at.Format(time.RFC3339)}, digest)
}

func withDigest(c map[string]any, digest string) map[string]any {
	if digest != "" {
		c["digest"] = digest
	}
	return c
}

// recordLine is a record of a list as its digest hashes it.
type recordLine struct {
	ID     string `json:"id"`
	Row    int64  `json:"row"`
	Record Record `json:"record"`
}

// pairLine is a pair of a matching run as its digest hashes it.
type pairLine struct {
	ID          string `json:"id"`
	A           string `json:"record_a"`
	B           string `json:"record_b"`
	Probability int64  `json:"probability"` // millionths
	Band        string `json:"band"`
}

// personLine is a person of an exchange as its digest hashes it.
type personLine struct {
	ID         string   `json:"id"`
	Seq        int      `json:"seq"`
	ReleasedBy string   `json:"released_by"`
	Identity   Identity `json:"identity"`
	Records    []string `json:"records"`
}

// digestOf is the SHA-256, in hex, of the JSON lines of head and then of
// each of lines.
func digestOf[T any](head any, lines []T) (string, error) {
	h := sha256.New()
	for i := -1; i < len(lines); i++ {
		var b []byte
		var err error
		if i < 0 {
			b, err = json.Marshal(head)
		} else {
			b, err = json.Marshal(lines[i])
		}
		if err != nil {
			return "", err
		}
		h.Write(append(b, '\n'))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// listDigest is the digest of a list: its name, then its records in row
// order.
func listDigest(name string, records []recordLine) (string, error) {
	slices.SortFunc(records, func(a, b recordLine) int { return cmp.Or(cmp.Compare(a.Row, b.Row), strings.Compare(a.ID, b.ID)) })
	return digestOf(map[string]string{"name": name}, records)
}

// runDigest is the digest of a matching run: its pairs, by their records.
func runDigest(pairs []pairLine) (string, error) {
	slices.SortFunc(pairs, func(a, b pairLine) int {
		return cmp.Or(strings.Compare(a.A, b.A), strings.Compare(a.B, b.B), strings.Compare(a.ID, b.ID))
	})
	return digestOf(map[string]string{}, pairs)
}

// exchangeDigest is the digest of an exchange: its title, then its people
// in order, each with the records that name them (sorted: their order is
// not kept).
func exchangeDigest(title string, people []personLine) (string, error) {
	slices.SortFunc(people, func(a, b personLine) int { return cmp.Compare(a.Seq, b.Seq) })
	for i := range people {
		people[i].Records = slices.Sorted(slices.Values(people[i].Records))
	}
	return digestOf(map[string]string{"title": title}, people)
}

// placeDigest is the digest of a verified release: its place.
func placeDigest(place string) (string, error) {
	return digestOf[string](map[string]string{"place": place}, nil)
}

// overseenGrants is the ItemKind.Grants of the rows of table (an item
// table with id, process_id and ledger_idx) widened after they were
// created (widenOverseen): to the neutral agency when it was named, and to
// a mediation organisation joining a round of the process. Who was named
// is read from detainee_agencies, whose row verify checks against the
// naming event (the "agency" kind).
func overseenGrants(table string) string {
	return `SELECT t.id AS id, a.org_id AS org_id, a.ledger_idx AS idx FROM ` + table + ` t
		JOIN detainee_agencies a ON a.process_id = t.process_id
		UNION ALL ` + ledger.JoinGrants("SELECT id, ledger_idx AS idx, process_id FROM "+table, "process", "o.kind = '"+string(access.Mediation)+"'")
}

// agencyContent is the content of the naming of the neutral agency
// (SetAgency).
func agencyContent(processID, orgID string) map[string]any {
	return map[string]any{"process": processID, "org": orgID}
}

// ItemKinds describes the detainee track's items for parley verify
// (ledger.ItemKind). Lists, matching runs, decisions and exchanges: their
// audience rows against the event that created them, the naming of the
// neutral agency after them and the joins of a mediation organisation
// after them (widenOverseen). Records, pairs and people have no audience
// rows of their own (they are read through their list, run or exchange)
// and are checked as their list's, run's and exchange's content; a
// verified release is checked as an item of its own. With key (the seal
// key derived from the master key, SealLabel; nil checks the audiences
// only) the content of each item's event is rebuilt from its rows: a
// list's kind, record count and file SHA-256 (the file itself is not
// kept), a run's counts, a decision's records and decision, an exchange's
// kind, sides and number of people, a release's time; and, for an item
// made since its digest came, the digest of its sealed name and records
// (opened with key), its pairs, its title and people (each person's
// releasing side, identity and records) or its place. A sealed row that
// does not open is reported as damage.
func ItemKinds(key []byte) ([]ledger.ItemKind, error) {
	kinds := []ledger.ItemKind{
		{Name: "detainee list", ObjectType: "detainee_list", Grants: overseenGrants("detainee_lists"),
			Items: "SELECT id, id AS object_id, ledger_idx AS idx, '' AS round_id FROM detainee_lists"},
		{Name: "matching run", ObjectType: "detainee_run", Grants: overseenGrants("detainee_runs"),
			Items: "SELECT id, id AS object_id, ledger_idx AS idx, '' AS round_id FROM detainee_runs"},
		{Name: "pair decision", ObjectType: "detainee_decision", Grants: overseenGrants("detainee_decisions"),
			Items: "SELECT id, id AS object_id, ledger_idx AS idx, '' AS round_id FROM detainee_decisions"},
		{Name: "exchange", ObjectType: "detainee_exchange", Grants: overseenGrants("detainee_exchanges"),
			Items: "SELECT id, id AS object_id, ledger_idx AS idx, '' AS round_id FROM detainee_exchanges"},
		{Name: "release", ObjectType: "detainee_person",
			Items: "SELECT id, id AS object_id, release_idx AS idx, '' AS round_id FROM detainee_people WHERE release_idx IS NOT NULL"},
		// The naming of the neutral agency: no audience rows of its own
		// (its id is not an item's); its row says whom the naming widened
		// the process's items to (overseenGrants), so it is checked
		// against the event.
		{Name: "agency", ObjectType: "process",
			Items: "SELECT 'agency:' || process_id AS id, process_id AS object_id, ledger_idx AS idx FROM detainee_agencies"},
	}
	if key == nil {
		return kinds, nil
	}
	s, err := New(nil, nil, key)
	if err != nil {
		return nil, err
	}
	kinds[0].Contents = itemContents(`SELECT id, process_id, kind, records, file_sha256, name_enc, digest FROM detainee_lists`,
		func(r ledger.Scanner) (l storedList, err error) {
			err = r.Scan(&l.id, &l.process, &l.kind, &l.records, &l.sha, &l.name, &l.digest)
			return l, err
		}, s.listContent)
	kinds[1].Contents = itemContents(`SELECT id, process_id, records, pairs, review, decided, digest FROM detainee_runs`,
		func(r ledger.Scanner) (u storedRun, err error) {
			err = r.Scan(&u.id, &u.process, &u.records, &u.pairs, &u.review, &u.decided, &u.digest)
			return u, err
		}, runContentOf)
	kinds[2].Contents = itemContents(`SELECT id, process_id, record_a, record_b, decision FROM detainee_decisions`,
		func(r ledger.Scanner) (built, error) {
			var id, p, a, b, d string
			err := r.Scan(&id, &p, &a, &b, &d)
			return built{id, decisionContent(p, a, b, d)}, err
		}, asBuilt)
	kinds[3].Contents = itemContents(`SELECT id, process_id, kind, sides, title_enc, digest FROM detainee_exchanges`,
		func(r ledger.Scanner) (x storedExchange, err error) {
			err = r.Scan(&x.id, &x.process, &x.kind, &x.sides, &x.title, &x.digest)
			return x, err
		}, s.exchangeContent)
	kinds[4].Contents = itemContents(`SELECT p.id, x.process_id, x.id, p.released_at, p.place_enc, p.release_digest
		FROM detainee_people p JOIN detainee_exchanges x ON x.id = p.exchange_id WHERE p.release_idx IS NOT NULL`,
		func(r ledger.Scanner) (u storedRelease, err error) {
			err = r.Scan(&u.id, &u.process, &u.exchange, &u.at, &u.place, &u.digest)
			return u, err
		}, s.releaseContent)
	kinds[5].Contents = itemContents(`SELECT 'agency:' || process_id, process_id, org_id FROM detainee_agencies`,
		func(r ledger.Scanner) (built, error) {
			var id, p, org string
			err := r.Scan(&id, &p, &org)
			return built{id, agencyContent(p, org)}, err
		}, asBuilt)
	return kinds, nil
}

// itemContents is an ItemKind.Contents over the rows of query, each read
// by scan and then rebuilt by build, which may read the item's other rows
// (its records, pairs or people) once query's rows are all read. build
// returns the item's id and content, or what is wrong with its content
// (bad: reported as damage), or an error that stops the walk.
func itemContents[T any](query string, scan func(ledger.Scanner) (T, error),
	build func(context.Context, access.Querier, T) (id string, content map[string]any, bad, err error)) func(context.Context, access.Querier, func(string, []byte, error) error) error {
	return func(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		var all []T
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				rows.Close()
				return err
			}
			all = append(all, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, v := range all {
			id, c, bad, err := build(ctx, q, v)
			if err != nil {
				return err
			}
			if bad != nil {
				err = each(id, nil, bad)
			} else {
				b, merr := json.Marshal(c)
				err = each(id, b, merr)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
}

// built is an item whose content its row holds whole.
type built struct {
	id      string
	content map[string]any
}

func asBuilt(_ context.Context, _ access.Querier, b built) (string, map[string]any, error, error) {
	return b.id, b.content, nil, nil
}

// sealedDigest checks an item's digest as rebuilt from its rows against
// the one its row keeps (empty for an item made before digests came:
// nothing to rebuild), and returns the one its event hashed.
func sealedDigest(stored sql.NullString, rebuild func() (string, error)) (digest string, bad error) {
	if !stored.Valid {
		return "", nil
	}
	d, err := rebuild()
	if err != nil {
		return "", err
	}
	if d != stored.String {
		return "", fmt.Errorf("what its rows hold beyond its own columns does not match its digest")
	}
	return d, nil
}

type storedList struct {
	id, process, kind, sha string
	records                int
	name                   []byte
	digest                 sql.NullString
}

// listContent rebuilds a list's event content, with its name and records
// opened for the digest.
func (s *Service) listContent(ctx context.Context, q access.Querier, l storedList) (string, map[string]any, error, error) {
	var qerr error
	d, bad := sealedDigest(l.digest, func() (string, error) {
		name, err := s.open("detainee_list", l.id, l.name)
		if err != nil {
			return "", err
		}
		var lines []recordLine
		var data [][]byte
		qerr = eachRow(ctx, q, "SELECT id, row_no, data_enc FROM detainee_records WHERE list_id = $1", []any{l.id}, func(r ledger.Scanner) error {
			var line recordLine
			var b []byte
			err := r.Scan(&line.ID, &line.Row, &b)
			lines, data = append(lines, line), append(data, b)
			return err
		})
		if qerr != nil {
			return "", nil
		}
		for i := range lines {
			if err := s.openJSON("detainee_record", lines[i].ID, data[i], &lines[i].Record); err != nil {
				return "", fmt.Errorf("record %s (row %d): %w", lines[i].ID, lines[i].Row, err)
			}
		}
		return listDigest(string(name), lines)
	})
	return l.id, listContent(l.process, l.kind, l.records, l.sha, d), bad, qerr
}

type storedRun struct {
	id, process                     string
	records, pairs, review, decided int
	digest                          sql.NullString
}

// runContentOf rebuilds a matching run's event content, with its pairs
// for the digest.
func runContentOf(ctx context.Context, q access.Querier, u storedRun) (string, map[string]any, error, error) {
	var qerr error
	d, bad := sealedDigest(u.digest, func() (string, error) {
		var lines []pairLine
		qerr = eachRow(ctx, q, "SELECT id, record_a, record_b, probability, band FROM detainee_pairs WHERE run_id = $1", []any{u.id}, func(r ledger.Scanner) error {
			var p pairLine
			err := r.Scan(&p.ID, &p.A, &p.B, &p.Probability, &p.Band)
			lines = append(lines, p)
			return err
		})
		if qerr != nil {
			return "", nil
		}
		return runDigest(lines)
	})
	return u.id, runContent(u.process, u.records, u.pairs, u.review, u.decided, d), bad, qerr
}

type storedExchange struct {
	id, process, kind, sides string
	title                    []byte
	digest                   sql.NullString
}

// exchangeContent rebuilds an exchange's event content: its number of
// people, and its title and people opened for the digest.
func (s *Service) exchangeContent(ctx context.Context, q access.Querier, x storedExchange) (string, map[string]any, error, error) {
	var lines []personLine
	var data [][]byte
	err := eachRow(ctx, q, "SELECT id, seq, released_by, data_enc FROM detainee_people WHERE exchange_id = $1", []any{x.id}, func(r ledger.Scanner) error {
		var p personLine
		var b []byte
		err := r.Scan(&p.ID, &p.Seq, &p.ReleasedBy, &b)
		lines, data = append(lines, p), append(data, b)
		return err
	})
	if err != nil {
		return x.id, nil, nil, err
	}
	var qerr error
	d, bad := sealedDigest(x.digest, func() (string, error) {
		title, err := s.open("detainee_exchange", x.id, x.title)
		if err != nil {
			return "", err
		}
		at := map[string]int{}
		for i := range lines {
			var sp sealedPerson
			if err := s.openJSON("detainee_person", lines[i].ID, data[i], &sp); err != nil {
				return "", fmt.Errorf("person %d: %w", lines[i].Seq, err)
			}
			lines[i].Identity, at[lines[i].ID] = sp.Identity, i
		}
		qerr = eachRow(ctx, q, `SELECT pr.person_id, pr.record_id FROM detainee_person_records pr JOIN detainee_people p ON p.id = pr.person_id
			WHERE p.exchange_id = $1`, []any{x.id}, func(r ledger.Scanner) error {
			var pid, rid string
			err := r.Scan(&pid, &rid)
			if i, ok := at[pid]; ok {
				lines[i].Records = append(lines[i].Records, rid)
			}
			return err
		})
		if qerr != nil {
			return "", nil
		}
		return exchangeDigest(string(title), lines)
	})
	return x.id, exchangeContent(x.process, x.kind, len(lines), strings.Fields(x.sides), d), bad, qerr
}

type storedRelease struct {
	id, process, exchange string
	at                    int64
	place                 []byte
	digest                sql.NullString
}

// releaseContent rebuilds a verified release's event content, with its
// place opened for the digest.
func (s *Service) releaseContent(_ context.Context, _ access.Querier, u storedRelease) (string, map[string]any, error, error) {
	d, bad := sealedDigest(u.digest, func() (string, error) {
		place, err := s.open("detainee_release", u.id, u.place)
		if err != nil {
			return "", err
		}
		return placeDigest(string(place))
	})
	return u.id, releaseContent(u.process, u.exchange, u.id, store.Time(u.at), d), bad, nil
}

// eachRow calls f for each row of query.
func eachRow(ctx context.Context, q access.Querier, query string, args []any, f func(ledger.Scanner) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
