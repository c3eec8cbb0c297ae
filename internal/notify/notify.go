// Package notify tells each user what happened in its rounds that concerns
// it (issue 11, docs/web.md "Notifications"): a new revision, a position
// recorded, a relay received, consent changed, a statement released, an
// adoption asked (a party's confirmation asks the others) or done. A
// notification is a ledger event the user's organisation reads, by
// another organisation: the list is a query of the
// events table filtered by the events' audience in SQL, so it can neither
// show nor count what the reader may not read. The only state kept is how
// far each user has seen.
package notify

import (
	"context"
	"slices"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
)

// Types are the events that make notifications.
var Types = []string{
	"text.issued", "text.position_set", "text.adoption_confirmed", "text.adopted", "text.shared_with_guarantors",
	"message.relayed", "consent.set", "statement.released",
}

// MaxList caps the list.
const MaxList = 50

// Notification is one event that concerns the reader.
type Notification struct {
	Index                int64
	Type                 string
	Round, RoundName     string
	Org                  string // the acting organisation's id
	ObjectType, ObjectID string
	At                   time.Time
	Unseen               bool
}

// Service keeps the notifications over one database.
type Service struct{ db *store.DB }

// New returns the notification service.
func New(db *store.DB) *Service { return &Service{db: db} }

// where is the condition every read shares: another organisation acted,
// the type is one of Types, and the reader's organisation reads the event
// or, for a statement's release, the statement as released (its public
// audience, once the embargo has passed): a release concerns everyone it
// is released to, not only those who read the draft. $1 is the reader's
// organisation, $2 the time now.
func where(actor access.Actor) (string, any) {
	event, arg := access.ReadableBy(actor, "e.id", 1)
	public, _ := access.ReadableBy(actor, "('public:' || e.object_id)", 1)
	return "(" + event + " OR (e.type = 'statement.released' AND " + public + ` AND EXISTS (
		SELECT 1 FROM statements s WHERE s.id = e.object_id AND s.released_at > 0 AND s.released_at <= $2)))
		AND e.actor_org <> $1 AND e.type IN ('` + strings.Join(Types, "', '") + "')", arg
}

// Counts reports whether an event of type typ may make a notification.
func Counts(typ string) bool { return slices.Contains(Types, typ) }

// seen is how far the user has seen.
func (s *Service) seen(ctx context.Context, q access.Querier, user string) (int64, error) {
	var idx int64 = -1
	err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(seen_idx), -1) FROM notification_seen WHERE user_id = $1", user).Scan(&idx)
	return idx, err
}

// Unseen counts the reader's notifications it has not seen, up to MaxList.
func (s *Service) Unseen(ctx context.Context, actor access.Actor) (n int, err error) {
	defer errs.Wrap(&err, "notify.Unseen")
	if actor.Anonymous() || actor.Org == "" {
		return 0, nil
	}
	seen, err := s.seen(ctx, s.db.R, actor.User)
	if err != nil {
		return 0, err
	}
	cond, arg := where(actor)
	err = s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT e.idx FROM events e WHERE `+cond+` AND e.idx > $3 LIMIT $4) n`,
		arg, store.Now(), seen, MaxList).Scan(&n)
	return n, err
}

// List returns the reader's latest notifications, newest first, with the
// round's name, marking those it had not seen.
func (s *Service) List(ctx context.Context, actor access.Actor) (ns []Notification, err error) {
	defer errs.Wrap(&err, "notify.List")
	if actor.Anonymous() || actor.Org == "" {
		return nil, nil
	}
	seen, err := s.seen(ctx, s.db.R, actor.User)
	if err != nil {
		return nil, err
	}
	cond, arg := where(actor)
	// A statement's release names no round in its event; the round the
	// statement is about, which its public page shows, stands in.
	rows, err := s.db.R.QueryContext(ctx, `SELECT e.idx, e.type, e.round_id, COALESCE(r.name, sr.name, ''), e.actor_org, e.object_type, e.object_id, e.at
		FROM events e LEFT JOIN rounds r ON r.id = e.round_id
		LEFT JOIN statements st ON e.type = 'statement.released' AND st.id = e.object_id
		LEFT JOIN rounds sr ON sr.id = st.round_id
		WHERE `+cond+` ORDER BY e.idx DESC LIMIT $3`, arg, store.Now(), MaxList)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n Notification
		var at int64
		if err := rows.Scan(&n.Index, &n.Type, &n.Round, &n.RoundName, &n.Org, &n.ObjectType, &n.ObjectID, &at); err != nil {
			return nil, err
		}
		n.At, n.Unseen = store.Time(at), n.Index > seen
		ns = append(ns, n)
	}
	return ns, rows.Err()
}

// MarkSeen records that the user has seen its notifications up to index.
// It never moves back.
func (s *Service) MarkSeen(ctx context.Context, actor access.Actor, index int64) (err error) {
	defer errs.Wrap(&err, "notify.MarkSeen")
	if actor.Anonymous() || actor.User == "" {
		return errs.New(errs.Unauthorized, "log in first")
	}
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO notification_seen(user_id, seen_idx) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET seen_idx = CASE WHEN excluded.seen_idx > notification_seen.seen_idx THEN excluded.seen_idx ELSE notification_seen.seen_idx END`,
		actor.User, index)
	return err
}
