package bargain

import "parley/internal/ledger"

// ItemKinds describes the package analysis's items for parley verify
// (ledger.ItemKind): the parties' profiles, whose audience rows are checked
// against the events that saved them; a join widens no profile (Joined), so
// none is accepted from one. Their content is not checked yet:
// the event hashes the domain version the profile was saved against, which
// the row does not keep.
func ItemKinds() []ledger.ItemKind {
	return []ledger.ItemKind{
		{Name: "profile", ObjectType: "bargain_profile",
			Items: "SELECT id, id AS object_id, ledger_idx AS idx, round_id FROM bargain_profiles"},
	}
}
