package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"

	"parley/internal/access"
	"parley/internal/store"
)

// The events are the source of truth for the state they describe: each
// content item (a message, a statement, a text...) was created by an event
// whose record names its audience and hashes its content, and later events
// about it (a share, a relay shown to its origin) widened it. Verify checks
// the items' audience rows and content against those events, for every
// kind of item the domains describe with an ItemKind (docs/ledger.md §7,
// "The state").

// ItemKind tells Verify how to find one kind of content item and rebuild
// what its creating event hashed. Each domain package exports the kinds of
// its tables (channel.ItemKinds, ...); internal/app gathers them.
type ItemKind struct {
	// Name names the kind in reports ("message").
	Name string
	// ObjectType is the object-type of the events about an item.
	ObjectType string
	// Items is an SQL query selecting every item of the kind, with four
	// columns named id (the item's id, its audience item), object_id (the
	// object-id of the events about it), idx (the index of the event that
	// created it) and round_id ('' when none).
	Items string
	// JoinType, when set, is the type of the event after which an
	// organisation joining the item's round reads it (access.WidenAll at
	// join): such an event's round is the item's round and its object-id
	// ends with ":" and the organisation's id.
	JoinType string
	// WidenedBy, when set, is an SQL query naming events about other
	// objects that widen an item, with three columns named id (the
	// item's), object_type and object_id (of those events): a text is
	// read by the audience of its issued revisions, say.
	WidenedBy string
	// Contents, when set (with the master key), calls each for every item
	// with the content its creating event hashed, rebuilt from the stored
	// rows: decrypted and encoded exactly as the domain encoded it when it
	// appended the event. An item that does not decrypt or parse is
	// reported through err (content nil); each's error stops the walk.
	Contents func(ctx context.Context, q access.Querier, each func(id string, content []byte, err error) error) error
}

// eventFacts is what the events say about one object.
type eventFacts struct {
	audience access.Audience  // the union of the events' audiences
	hashes   map[int64][]byte // content hash by event index
	types    map[int64]string // event type by index
}

type joinRef struct {
	idx int64
	org string
}

// verifyState checks the items of each kind against the events.
func verifyState(ctx context.Context, db *store.DB, kinds []ItemKind, rep *Report) error {
	for _, k := range kinds {
		if err := verifyKind(ctx, db, k, rep); err != nil {
			return fmt.Errorf("verify %s items: %w", k.Name, err)
		}
	}
	return nil
}

func verifyKind(ctx context.Context, db *store.DB, k ItemKind, rep *Report) error {
	facts, err := objectFacts(ctx, db, k.ObjectType)
	if err != nil {
		return err
	}
	if k.WidenedBy != "" {
		if err := widenFacts(ctx, db, k.WidenedBy, facts); err != nil {
			return err
		}
	}
	joins := map[string][]joinRef{}
	if k.JoinType != "" {
		if joins, err = roundJoins(ctx, db, k.JoinType); err != nil {
			return err
		}
	}
	rows, err := db.R.QueryContext(ctx, "SELECT i.id, i.object_id, i.idx, i.round_id, "+access.AudienceColumn(db.Dialect, "i.id")+
		" FROM ("+k.Items+") i")
	if err != nil {
		return err
	}
	type item struct {
		object string
		idx    int64
	}
	items := map[string]item{}
	for rows.Next() {
		var id, object, round, aud string
		var idx int64
		if err := rows.Scan(&id, &object, &idx, &round, &aud); err != nil {
			rows.Close()
			return err
		}
		rep.Items++
		items[id] = item{object, idx}
		f := facts[object]
		if f == nil || f.types[idx] == "" {
			rep.addItem(idx, k.Name, id, "event %d, which it says created it, is not an event about it", idx)
			continue
		}
		allowed := f.audience
		for _, j := range joins[round] {
			if j.idx > idx {
				allowed = append(allowed, j.org)
			}
		}
		var extra []string
		for _, org := range access.ParseAudience(aud) {
			if !slices.Contains(allowed, org) {
				extra = append(extra, org)
			}
		}
		if len(extra) > 0 {
			rep.addItem(idx, k.Name, id, "its audience has %s, which no event gave it (created by event %d, %s)",
				strings.Join(extra, ", "), idx, f.types[idx])
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if k.Contents == nil {
		return nil
	}
	return k.Contents(ctx, db.R, func(id string, content []byte, cerr error) error {
		it, ok := items[id]
		if !ok {
			return nil
		}
		if cerr != nil {
			rep.addItem(it.idx, k.Name, id, "damaged: %v", cerr)
			return nil
		}
		f := facts[it.object]
		if f == nil {
			return nil
		}
		sum := sha256.Sum256(content)
		if !bytes.Equal(sum[:], f.hashes[it.idx]) {
			rep.addItem(it.idx, k.Name, id, "its content differs from what event %d (%s) recorded", it.idx, f.types[it.idx])
		}
		return nil
	})
}

// objectFacts reads the events about objects of one type.
func objectFacts(ctx context.Context, db *store.DB, objectType string) (map[string]*eventFacts, error) {
	rows, err := db.R.QueryContext(ctx, "SELECT e.object_id, e.idx, e.type, e.content_hash, "+access.AudienceColumn(db.Dialect, "e.id")+
		" FROM events e WHERE e.object_type = $1", objectType)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*eventFacts{}
	for rows.Next() {
		var obj, typ, aud string
		var idx int64
		var hash []byte
		if err := rows.Scan(&obj, &idx, &typ, &hash, &aud); err != nil {
			return nil, err
		}
		f := out[obj]
		if f == nil {
			f = &eventFacts{hashes: map[int64][]byte{}, types: map[int64]string{}}
			out[obj] = f
		}
		f.audience = append(f.audience, access.ParseAudience(aud)...)
		f.hashes[idx], f.types[idx] = hash, typ
	}
	return out, rows.Err()
}

// widenFacts adds to each item's allowed audience the audiences of the
// events query names.
func widenFacts(ctx context.Context, db *store.DB, query string, facts map[string]*eventFacts) error {
	rows, err := db.R.QueryContext(ctx, "SELECT w.id, "+access.AudienceColumn(db.Dialect, "e.id")+
		" FROM ("+query+") w JOIN events e ON e.object_type = w.object_type AND e.object_id = w.object_id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, aud string
		if err := rows.Scan(&id, &aud); err != nil {
			return err
		}
		if f := facts[id]; f != nil {
			f.audience = append(f.audience, access.ParseAudience(aud)...)
		}
	}
	return rows.Err()
}

// roundJoins reads the join events of each round.
func roundJoins(ctx context.Context, db *store.DB, typ string) (map[string][]joinRef, error) {
	rows, err := db.R.QueryContext(ctx, "SELECT round_id, idx, object_id FROM events WHERE type = $1", typ)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]joinRef{}
	for rows.Next() {
		var round, obj string
		var idx int64
		if err := rows.Scan(&round, &idx, &obj); err != nil {
			return nil, err
		}
		if i := strings.LastIndexByte(obj, ':'); i >= 0 {
			out[round] = append(out[round], joinRef{idx, obj[i+1:]})
		}
	}
	return out, rows.Err()
}
