package detainees

import (
	"context"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
)

// The contents of the track's events, built by the write paths and
// rebuilt from the rows by parley verify (ItemKinds).

func listContent(processID, kind string, records int, sha string) map[string]any {
	return map[string]any{"process": processID, "kind": kind, "records": records, "sha256": sha}
}

func runContent(processID string, records, pairs, review, decided int) map[string]any {
	return map[string]any{"process": processID, "records": records, "pairs": pairs, "review": review, "decided": decided}
}

func decisionContent(processID, a, b, decision string) map[string]any {
	return map[string]any{"process": processID, "record_a": a, "record_b": b, "decision": decision}
}

func exchangeContent(processID, kind string, people int, sides []string) map[string]any {
	return map[string]any{"process": processID, "kind": kind, "people": people, "sides": sides}
}

func releaseContent(processID, exchangeID, personID string, at time.Time) map[string]any {
	return map[string]any{"process": processID, "exchange": exchangeID, "person": personID, "released_at": at.Format(time.RFC3339)}
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
// rows of their own (they are read through their list, run or exchange);
// a verified release is checked as an item of its own. With content (the
// operator has the master key) the content of each item's event is
// rebuilt from its row: a list's kind, record count and file SHA-256
// (the file itself is not kept), a run's counts, a decision's records and
// decision, an exchange's kind, sides and number of people, a release's
// time.
func ItemKinds(content bool) []ledger.ItemKind {
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
	if content {
		kinds[0].Contents = rowContents(`SELECT id, process_id, kind, records, file_sha256 FROM detainee_lists`, func(s ledger.Scanner) (string, map[string]any, error) {
			var id, p, kind, sum string
			var n int
			err := s.Scan(&id, &p, &kind, &n, &sum)
			return id, listContent(p, kind, n, sum), err
		})
		kinds[1].Contents = rowContents(`SELECT id, process_id, records, pairs, review, decided FROM detainee_runs`, func(s ledger.Scanner) (string, map[string]any, error) {
			var id, p string
			var records, pairs, review, decided int
			err := s.Scan(&id, &p, &records, &pairs, &review, &decided)
			return id, runContent(p, records, pairs, review, decided), err
		})
		kinds[2].Contents = rowContents(`SELECT id, process_id, record_a, record_b, decision FROM detainee_decisions`, func(s ledger.Scanner) (string, map[string]any, error) {
			var id, p, a, b, d string
			err := s.Scan(&id, &p, &a, &b, &d)
			return id, decisionContent(p, a, b, d), err
		})
		kinds[3].Contents = rowContents(`SELECT x.id, x.process_id, x.kind, x.sides, (SELECT COUNT(*) FROM detainee_people p WHERE p.exchange_id = x.id)
			FROM detainee_exchanges x`, func(s ledger.Scanner) (string, map[string]any, error) {
			var id, p, kind, sides string
			var people int
			err := s.Scan(&id, &p, &kind, &sides, &people)
			return id, exchangeContent(p, kind, people, strings.Fields(sides)), err
		})
		kinds[5].Contents = rowContents(`SELECT 'agency:' || process_id, process_id, org_id FROM detainee_agencies`, func(s ledger.Scanner) (string, map[string]any, error) {
			var id, p, org string
			err := s.Scan(&id, &p, &org)
			return id, agencyContent(p, org), err
		})
		kinds[4].Contents = rowContents(`SELECT p.id, x.process_id, x.id, p.released_at FROM detainee_people p JOIN detainee_exchanges x ON x.id = p.exchange_id
			WHERE p.release_idx IS NOT NULL`, func(s ledger.Scanner) (string, map[string]any, error) {
			var id, p, x string
			var at int64
			err := s.Scan(&id, &p, &x, &at)
			return id, releaseContent(p, x, id, store.Time(at)), err
		})
	}
	return kinds
}

// rowContents is ledger.RowContents for the track's map contents.
func rowContents(query string, scan func(ledger.Scanner) (string, map[string]any, error)) func(context.Context, access.Querier, func(string, []byte, error) error) error {
	return ledger.RowContents(query, func(r ledger.Scanner) (string, any, error) { return scan(r) })
}
