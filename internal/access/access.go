// Package access holds parley's audience rule, the product's core promise:
// every stored item that carries content has an explicit audience, the set of
// organisations allowed to read it, and reading is allowed if and only if the
// reader's organisation is in that audience (or the item is public).
//
// This is the only package that writes the audience table or builds the SQL
// that filters by it. Every content query joins through ReadableBy, so that a
// list, a search, an export, a live stream and a single fetch cannot disagree.
package access

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"parley/internal/store"
)

// OrgKind is the kind of an organisation (DESIGN.md "Who uses it").
type OrgKind string

// The organisation kinds.
const (
	Host      OrgKind = "host"
	Mediation OrgKind = "mediation"
	Party     OrgKind = "party"
	Guarantor OrgKind = "guarantor"
	Observer  OrgKind = "observer"
	Monitor   OrgKind = "monitor"
	Agency    OrgKind = "agency"
)

// OrgKinds lists every kind, in display order.
var OrgKinds = []OrgKind{Host, Mediation, Party, Guarantor, Observer, Monitor, Agency}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool { return slices.Contains(OrgKinds, k) }

// Role is a user's role in their organisation.
type Role string

// The roles.
const (
	Head         Role = "head"
	Member       Role = "member"
	Spokesperson Role = "spokesperson"
	Adviser      Role = "adviser"
	Clerk        Role = "clerk"
)

// Roles lists every role.
var Roles = []Role{Head, Member, Spokesperson, Adviser, Clerk}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Actor is who is acting: it comes from the session or API token and is passed
// explicitly to every domain method. The zero Actor is anonymous.
type Actor struct {
	User     string // user id
	Username string
	Org      string // organisation id
	OrgKind  OrgKind
	Role     Role
	// System marks the operator acting through the command line
	// ("parley user add", the demo seed): it administers, but it belongs to
	// no organisation and so reads no confidential content.
	System bool
}

// System is the actor of operator commands run on the server itself.
var System = Actor{User: "system", Username: "system", System: true}

// Anonymous reports whether the actor is not logged in.
func (a Actor) Anonymous() bool { return a.User == "" }

// IsAdmin reports whether the actor administers processes, rounds,
// organisations and users: the leads (heads) of the host and the mediation.
func (a Actor) IsAdmin() bool {
	return a.System || !a.Anonymous() && a.Role == Head && (a.OrgKind == Host || a.OrgKind == Mediation)
}

// Manages reports whether the actor administers the members of the
// organisation org: invites them, disables them, changes their roles and
// resets their passwords and second factors. Only org's own heads do, and
// the operator (System), who creates each organisation and its first head
// and recovers an organisation whose heads are all locked out. Being the
// head of a host or mediation organisation gives nothing over another
// organisation's members.
func (a Actor) Manages(org string) bool {
	return a.System || !a.Anonymous() && a.Role == Head && org != "" && a.Org == org
}

// IsParty reports whether the actor belongs to a negotiating party.
func (a Actor) IsParty() bool { return !a.Anonymous() && a.OrgKind == Party }

// IsMediation reports whether the actor belongs to the mediation.
func (a Actor) IsMediation() bool { return !a.Anonymous() && a.OrgKind == Mediation }

// Public is the audience member that makes an item readable by everyone,
// including anonymous visitors. Items that carry an embargo check it
// themselves, in the same query.
const Public = "*"

// Audience is the set of organisation ids that may read an item.
type Audience []string

// Contains reports whether org may read an item with this audience.
func (a Audience) Contains(org string) bool {
	return slices.Contains(a, Public) || (org != "" && slices.Contains(a, org))
}

// Normalize returns the audience sorted and without duplicates: the form
// stored, hashed into the ledger and compared.
func (a Audience) Normalize() Audience {
	b := slices.Clone(a)
	slices.Sort(b)
	return slices.Compact(b)
}

// Of builds an audience from organisation ids.
func Of(orgs ...string) Audience { return Audience(orgs).Normalize() }

// Grant records the audience of item inside the writing transaction. It is
// called once, when the item is written; only Widen adds to it later.
func Grant(ctx context.Context, tx *sql.Tx, item string, aud Audience) error {
	if len(aud) == 0 {
		return fmt.Errorf("access.Grant(%s): empty audience", item)
	}
	// One statement for the whole audience: a write path compiles one query
	// per item, not one per organisation.
	var q strings.Builder
	q.WriteString("INSERT INTO audience(item_id, org_id) VALUES ")
	args := []any{item}
	for i, org := range aud.Normalize() {
		if i > 0 {
			q.WriteString(", ")
		}
		args = append(args, org)
		q.WriteString("($1, $" + strconv.Itoa(len(args)) + ")")
	}
	q.WriteString(" ON CONFLICT DO NOTHING")
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("access.Grant(%s): %w", item, err)
	}
	return nil
}

// Grants collects the audiences of the items one transaction writes, for
// one write at its end (Into, then store.Batch.Write): a batch of messages and their events then
// grants every audience in one statement on PostgreSQL instead of one round
// trip per item. Like Grant, it is called once per item, when the item is
// written.
type Grants struct {
	rows [][]any
}

// Add records the audience of item.
func (g *Grants) Add(item string, aud Audience) error {
	if len(aud) == 0 {
		return fmt.Errorf("access.Grant(%s): empty audience", item)
	}
	for _, org := range aud.Normalize() {
		g.rows = append(g.rows, []any{item, org})
	}
	return nil
}

var audienceColumns = store.Columns("item_id text", "org_id text")

// Into moves the audiences added so far into b, to be written with the
// rest of the transaction's rows.
func (g *Grants) Into(b *store.Batch) {
	b.AddRows("audience", audienceColumns, "ON CONFLICT DO NOTHING", g.rows)
	g.rows = nil
}

// Widen adds organisations to the audience of an existing item. Only the
// author's own organisation may widen its own item; the caller checks that
// the actor is the author's organisation before calling.
func Widen(ctx context.Context, tx *sql.Tx, item string, orgs ...string) error {
	return Grant(ctx, tx, item, orgs)
}

// WidenAll adds org to the audience of every item whose id query returns,
// in one statement inside tx. query selects one column named id and uses
// placeholders $1..$n for args. It serves an organisation joining a round
// (talks.OnJoin): it gains what it would have read had it been there when
// those items were written, and nothing else.
func WidenAll(ctx context.Context, tx *sql.Tx, org string, query string, args ...any) error {
	if org == "" {
		return fmt.Errorf("access.WidenAll: no organisation")
	}
	q := "INSERT INTO audience(item_id, org_id) SELECT w.id, $" + strconv.Itoa(len(args)+1) +
		" FROM (" + query + ") w WHERE true ON CONFLICT DO NOTHING" // WHERE: SQLite's upsert needs it after a SELECT
	if _, err := tx.ExecContext(ctx, q, append(args, org)...); err != nil {
		return fmt.Errorf("access.WidenAll: %w", err)
	}
	return nil
}

// AudienceOf reads the stored audience of an item, sorted.
func AudienceOf(ctx context.Context, q Querier, item string) (Audience, error) {
	rows, err := q.QueryContext(ctx, "SELECT org_id FROM audience WHERE item_id = $1 ORDER BY org_id", item)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var aud Audience
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, err
		}
		aud = append(aud, o)
	}
	return aud, rows.Err()
}

// AudienceColumn returns an SQL expression for the stored audience of the
// item whose id is in column col: its organisation ids sorted and joined by
// single spaces, empty when it has none. A query that reads many items with
// their audiences (the ledger's verification, the live stream reading
// events another process wrote) selects it rather than asking once per
// item; ParseAudience reads the value.
func AudienceColumn(d store.Dialect, col string) string {
	agg := "group_concat(a.org_id, ' ' ORDER BY a.org_id)"
	if d == store.Postgres {
		agg = "string_agg(a.org_id, ' ' ORDER BY a.org_id)"
	}
	return "COALESCE((SELECT " + agg + " FROM audience a WHERE a.item_id = " + col + "), '')"
}

// ParseAudience reads a value of AudienceColumn.
func ParseAudience(s string) Audience {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}

// Querier is satisfied by *sql.DB and *sql.Tx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ReadableBy returns the SQL condition "the item whose id is in column col
// may be read by actor", using placeholder $n for the actor's organisation,
// and the argument to bind there. Every query that returns content ANDs this
// into its WHERE clause:
//
//	cond, arg := access.ReadableBy(actor, "m.id", 2)
//	db.QueryContext(ctx, "SELECT ... FROM messages m WHERE m.round_id = $1 AND "+cond, roundID, arg)
//
// An anonymous actor matches only public items.
func ReadableBy(a Actor, col string, n int) (cond string, arg any) {
	p := "$" + strconv.Itoa(n)
	return "EXISTS (SELECT 1 FROM audience aud WHERE aud.item_id = " + col +
		" AND (aud.org_id = " + p + " OR aud.org_id = '" + Public + "'))", a.Org
}

// ReadableByOrg is ReadableBy for a reader named by a column instead of a
// placeholder: "the item whose id is in column col may be read by the
// organisation whose id is in column orgCol". A write that checks many
// organisations at once (a batch of sends from several delegations) uses
// it to learn, in one query, which of a round's participants read it.
func ReadableByOrg(col, orgCol string) string {
	return "EXISTS (SELECT 1 FROM audience aud WHERE aud.item_id = " + col +
		" AND (aud.org_id = " + orgCol + " OR aud.org_id = '" + Public + "'))"
}

type actorKey struct{}

// WithActor returns ctx carrying the actor of the request.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of the request, or the anonymous actor.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}
