package bargain

import (
	"parley/internal/ledger"
	"parley/internal/talks"
)

// ItemKinds describes the package analysis's items for parley verify
// (ledger.ItemKind): the parties' profiles, whose audience rows are checked
// against the events that saved them and the joins that widened the shared
// ones to a newcomer mediation (Joined). Their content is not checked yet:
// the event hashes the domain version the profile was saved against, which
// the row does not keep.
func ItemKinds() []ledger.ItemKind {
	return []ledger.ItemKind{
		{Name: "profile", ObjectType: "bargain_profile", JoinType: "participant.added",
			Items: "SELECT id, id AS object_id, ledger_idx AS idx, round_id FROM bargain_profiles",
			// Its party let a later mediation read it (PastShared).
			WidenedBy: talks.PastShareWidens + `p.id AS id FROM bargain_profiles p
				JOIN past_shares ps ON ps.round_id = p.round_id AND ps.org_id = p.org_id WHERE ps.capacity = 'party'`},
	}
}
