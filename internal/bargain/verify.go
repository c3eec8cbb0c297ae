package bargain

import (
	"database/sql"

	"parley/internal/ledger"
	"parley/internal/talks"
)

// profileContent is the content of a profile's bargain.profile.saved
// event: the event names the profile and carries its document's hash, so
// the party can later prove what it entered and nobody learns a weight
// from the ledger. parley verify rebuilds it from the row.
func profileContent(roundID, orgID string, domainVersion int, shared bool, document string) map[string]any {
	return map[string]any{"round": roundID, "org": orgID, "domain_version": domainVersion, "shared": shared, "sha256": hashHex([]byte(document))}
}

// ItemKinds describes the package analysis's items for parley verify
// (ledger.ItemKind): the parties' profiles, whose audience rows are checked
// against the events that saved them (a join widens no profile: Joined),
// and, with content, whose row (round, party, domain version, shared, the
// document's hash) against the event that last saved it. A profile saved
// before the row kept its domain version (migration 00039) is checked for
// its audience only.
func ItemKinds(content bool) []ledger.ItemKind {
	k := ledger.ItemKind{Name: "profile", ObjectType: "bargain_profile",
		Items: "SELECT id, id AS object_id, ledger_idx AS idx, round_id FROM bargain_profiles",
		// Its party let a later mediation read it (PastShared).
		WidenedBy: talks.PastShareWidens + `p.id AS id FROM bargain_profiles p
			JOIN past_shares ps ON ps.round_id = p.round_id AND ps.org_id = p.org_id WHERE ps.capacity = 'party'`}
	if content {
		k.Contents = ledger.RowContents("SELECT id, round_id, org_id, domain_version, shared, document FROM bargain_profiles WHERE domain_version IS NOT NULL",
			func(r ledger.Scanner) (string, any, error) {
				var id, round, org, doc string
				var version sql.NullInt64
				var shared bool
				err := r.Scan(&id, &round, &org, &version, &shared, &doc)
				return id, profileContent(round, org, int(version.Int64), shared, doc), err
			})
	}
	return []ledger.ItemKind{k}
}
