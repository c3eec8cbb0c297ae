package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
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
	// Items is an SQL query selecting every item of the kind, with
	// columns named id (the item's id, its audience item), object_id (the
	// object-id of the events about it) and idx (the index of the event
	// that created it); other columns (the item's round_id, say, for
	// Grants) are ignored.
	Items string
	// Grants, when set, is an SQL query naming the organisations that
	// later events gave items of the kind without being events about them
	// (an organisation joining the item's round or process, the naming of
	// a neutral agency, a party showing its past material to a newcomer):
	// one row per item and organisation, with three columns named id (the
	// item's), org_id (the organisation given it) and idx (the index of
	// the event that gave it). Verify accepts a granted organisation only
	// from an event after the one that created the item. The query must
	// mirror exactly what the write path widened (the domain's Joined,
	// say), and read who was given what from the events, not from the
	// audience table it checks: JoinGrants builds it for joins. An event
	// that widens several kinds at once plugs in with AddGrants.
	Grants string
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
	// ContentAt, when set, is an SQL query naming for items whose row is
	// what a later event recorded (an edit, the latest step) that event,
	// with two columns named id (the item's) and idx (the event's): their
	// Contents are checked against it instead of the creating event, which
	// still gives the audience (and after which joins count). The event
	// may be about another object. Items it does not name are checked
	// against their creating event.
	ContentAt string
}

// Scanner reads one row (*sql.Rows).
type Scanner interface{ Scan(dest ...any) error }

// RowContents is an ItemKind.Contents for items whose content is rebuilt
// from one row each: query selects the rows, and scan reads one and returns
// the item's id and the content its event hashed as the domain built it
// (encoded as JSON, as the domains' event helpers do), or an error about
// the row's content (reported as damage); a scan error stops the walk.
func RowContents(query string, scan func(Scanner) (id string, content any, err error)) func(context.Context, access.Querier, func(string, []byte, error) error) error {
	return func(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			id, c, err := scan(rows)
			if err != nil {
				var bad badContent
				if !errors.As(err, &bad) {
					return err
				}
				if err := each(id, nil, bad.err); err != nil {
					return err
				}
				continue
			}
			b, err := json.Marshal(c)
			if err := each(id, b, err); err != nil {
				return err
			}
		}
		return rows.Err()
	}
}

// BadContent wraps what a RowContents scan found wrong with a row's
// content (as opposed to failing to read it): the item is reported as
// damaged and the walk goes on.
func BadContent(err error) error { return badContent{err} }

type badContent struct{ err error }

func (b badContent) Error() string { return b.err.Error() }

// eventFacts is what the events say about one object.
type eventFacts struct {
	audience access.Audience  // the union of the events' audiences
	hashes   map[int64][]byte // content hash by event index
	types    map[int64]string // event type by index
}

// grant is an organisation given an item by a later event.
type grant struct {
	idx int64
	org string
}

// JoinEvent is the type of the event that records an organisation joining
// a round (talks): its round is the round joined and its object-id the
// round's id, ":" and the organisation's id.
const JoinEvent = "participant.added"

// JoinGrants returns an ItemKind.Grants query for the organisations that
// joined the round or process of each item after it was created: items is
// an SQL query with columns id, idx (the creating event) and round_id or
// process_id, as scope is "round" or "process"; cond is an SQL condition
// on the joining organisation o (orgs: o.kind, ...), the item t and the
// join event e (e.idx), "" for every joining organisation. The domain's
// Joined hook widens exactly these (the same condition).
func JoinGrants(items, scope, cond string) string {
	on := "r.id = t.round_id"
	if scope == "process" {
		on = "r.process_id = t.process_id"
	}
	if cond == "" {
		cond = "true"
	}
	// The joins first, once (a round's events are mostly messages: read
	// per item, they would cost items × events), then the items each
	// join gave. A WITH may not start a branch of a UNION ALL or the
	// join of a UNION ALL, it is wrapped.
	return `SELECT id, org_id, idx FROM (WITH e AS MATERIALIZED (SELECT idx, round_id, object_id FROM events WHERE type = '` + JoinEvent + `')
		SELECT t.id AS id, o.id AS org_id, e.idx AS idx FROM e
		JOIN rounds r ON r.id = e.round_id
		JOIN orgs o ON e.object_id = r.id || ':' || o.id
		JOIN (` + items + `) t ON ` + on + ` AND t.idx < e.idx
		WHERE ` + cond + `) jg`
}

// KindIn is the SQL condition "the organisation kind in column col is one
// of kinds", for JoinGrants' conditions.
func KindIn(col string, kinds ...access.OrgKind) string {
	q := make([]string, len(kinds))
	for i, k := range kinds {
		q[i] = "'" + string(k) + "'"
	}
	return col + " IN (" + strings.Join(q, ", ") + ")"
}

// AddGrants adds a Grants query to the kinds named name: an event that
// widens items of several kinds (a party's past material shown to a
// newcomer, say) registers its grants for each kind it widens, in
// app.ItemKinds, without the domains knowing of it.
func AddGrants(kinds []ItemKind, name, query string) {
	for i := range kinds {
		if kinds[i].Name != name {
			continue
		}
		if kinds[i].Grants == "" {
			kinds[i].Grants = query
		} else {
			kinds[i].Grants = "SELECT id, org_id, idx FROM (" + kinds[i].Grants + ") g1 UNION ALL SELECT id, org_id, idx FROM (" + query + ") g2"
		}
	}
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
	grants := map[string][]grant{}
	if k.Grants != "" {
		if grants, err = itemGrants(ctx, db, k.Grants); err != nil {
			return err
		}
	}
	rows, err := db.R.QueryContext(ctx, "SELECT i.id, i.object_id, i.idx, "+access.AudienceColumn(db.Dialect, "i.id")+
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
		var id, object, aud string
		var idx int64
		if err := rows.Scan(&id, &object, &idx, &aud); err != nil {
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
		for _, g := range grants[id] {
			if g.idx > idx {
				allowed = append(allowed, g.org)
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
	at := map[string]contentEvent{}
	if k.ContentAt != "" {
		if at, err = contentEvents(ctx, db, k.ContentAt); err != nil {
			return err
		}
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
		ce, ok := at[id]
		if !ok {
			f := facts[it.object]
			if f == nil {
				return nil
			}
			ce = contentEvent{it.idx, f.hashes[it.idx], f.types[it.idx]}
		}
		sum := sha256.Sum256(content)
		if !bytes.Equal(sum[:], ce.hash) {
			rep.addItem(it.idx, k.Name, id, "its content differs from what event %d (%s) recorded", ce.idx, ce.typ)
		}
		return nil
	})
}

// contentEvent is the event an item's content is checked against.
type contentEvent struct {
	idx  int64
	hash []byte
	typ  string
}

// contentEvents reads a kind's ContentAt query with the events it names.
func contentEvents(ctx context.Context, db *store.DB, query string) (map[string]contentEvent, error) {
	rows, err := db.R.QueryContext(ctx, "SELECT c.id, e.idx, e.content_hash, e.type FROM ("+query+") c JOIN events e ON e.idx = c.idx")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]contentEvent{}
	for rows.Next() {
		var id string
		var ce contentEvent
		if err := rows.Scan(&id, &ce.idx, &ce.hash, &ce.typ); err != nil {
			return nil, err
		}
		out[id] = ce
	}
	return out, rows.Err()
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

// itemGrants reads a kind's Grants query.
func itemGrants(ctx context.Context, db *store.DB, query string) (map[string][]grant, error) {
	rows, err := db.R.QueryContext(ctx, "SELECT g.id, g.org_id, g.idx FROM ("+query+") g")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]grant{}
	for rows.Next() {
		var id string
		var g grant
		if err := rows.Scan(&id, &g.org, &g.idx); err != nil {
			return nil, err
		}
		out[id] = append(out[id], g)
	}
	return out, rows.Err()
}
