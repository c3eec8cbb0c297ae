package channel

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
)

// messageSelect is the one query shape every message read uses. The reader
// is bound at $1: the audience of the message filters the rows, the reply
// link shows only when the reader reads the parent too, and the relay link
// joins only for readers of the "relay:" item (the mediation).
func messageSelect(actor access.Actor) (string, any) {
	cond, arg := access.ReadableBy(actor, "m.id", 1)
	parent, _ := access.ReadableBy(actor, "m.reply_to", 1)
	link, _ := access.ReadableBy(actor, "('relay:' || m.id)", 1)
	return `SELECT m.id, m.round_id, m.kind, m.author_name, m.author_org, ao.name, m.attributed_org, COALESCE(at.name, ''),
		m.recipients, CASE WHEN m.reply_to <> '' AND ` + parent + ` THEN m.reply_to ELSE '' END,
		m.body_enc, m.created_at, m.ledger_idx, COALESCE(rl.source_id, ''), COALESCE(rl.show_origin, FALSE)
		FROM messages m JOIN orgs ao ON ao.id = m.author_org LEFT JOIN orgs at ON at.id = m.attributed_org
		LEFT JOIN message_relays rl ON rl.message_id = m.id AND ` + link + `
		WHERE ` + cond, arg
}

// scanMessages reads rows of messageSelect and opens their bodies.
func (s *Service) scanMessages(ctx context.Context, q access.Querier, actor access.Actor, rows *sql.Rows) ([]Message, error) {
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var kind, authorName, authorOrgName, attributed, attributedName, recips string
		var body []byte
		var at int64
		if err := rows.Scan(&m.ID, &m.RoundID, &kind, &authorName, &m.authorOrg, &authorOrgName, &attributed, &attributedName,
			&recips, &m.ReplyTo, &body, &at, &m.LedgerIndex, &m.RelayedFrom, &m.ShowOrigin); err != nil {
			return nil, err
		}
		m.Kind = Kind(kind)
		m.CreatedAt = store.Time(at)
		m.From = OrgRef{ID: m.authorOrg, Name: authorOrgName}
		switch {
		case m.Kind == Relayed && attributed != "":
			m.From = OrgRef{ID: attributed, Name: attributedName}
			m.Attributed = true
		case m.Kind == Relayed:
		default:
			m.FromUser = authorName
		}
		for _, id := range strings.Fields(recips) {
			m.To = append(m.To, OrgRef{ID: id})
		}
		pt, err := s.keys.open("message", m.ID, body)
		if err != nil {
			m.Damaged = true
			s.damaged(Damage{Kind: "message", ID: m.ID, LedgerIndex: m.LedgerIndex, Err: err})
		}
		m.Body = string(pt)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, s.fill(ctx, q, actor, out)
}

// fill adds recipient names and attachments to messages already read
// through the audience filter. Attachments are read with the same filter on
// their message, not merely joined to the list.
func (s *Service) fill(ctx context.Context, q access.Querier, actor access.Actor, ms []Message) error {
	if len(ms) == 0 {
		return nil
	}
	byID := map[string]int{}
	args := []any{nil}
	var in strings.Builder
	for i := range ms {
		for j := range ms[i].To {
			ms[i].To[j].Name = s.names.name(ctx, s.db.R, ms[i].To[j].ID)
		}
		byID[ms[i].ID] = i
		if i > 0 {
			in.WriteString(", ")
		}
		in.WriteString("$" + strconv.Itoa(len(args)+1))
		args = append(args, ms[i].ID)
	}
	var arows *sql.Rows
	var err error
	if q == nil && len(ms) == 1 {
		arows, err = s.stmts.attachments.QueryContext(ctx, actor.Org, ms[0].ID)
	} else {
		if q == nil {
			q = s.db.R
		}
		cond, arg := access.ReadableBy(actor, "a.message_id", 1)
		args[0] = arg
		arows, err = q.QueryContext(ctx, attachmentSelect+" WHERE a.message_id IN ("+
			in.String()+") AND "+cond+" ORDER BY a.message_id, a.position", args...)
	}
	if err != nil {
		return err
	}
	atts, err := s.scanAttachments(arows)
	if err != nil {
		return err
	}
	for _, a := range atts {
		i := byID[a.MessageID]
		ms[i].Attachments = append(ms[i].Attachments, a)
	}
	return s.fillShares(ctx, q, actor, ms, byID)
}

// fillShares adds, to the messages the actor's organisation wrote, the
// organisations it shared them with: one query, filtered by the share
// list's own audience (the author organisation), and none when the list
// holds no message of the actor's own. Who may share is the sharing
// write's question (the capacity), not the reader's kind.
func (s *Service) fillShares(ctx context.Context, q access.Querier, actor access.Actor, ms []Message, byID map[string]int) error {
	args := []any{nil}
	var in strings.Builder
	for _, m := range ms {
		if m.authorOrg != actor.Org || m.Kind == Relayed {
			continue
		}
		if len(args) > 1 {
			in.WriteString(", ")
		}
		in.WriteString("$" + strconv.Itoa(len(args)+1))
		args = append(args, m.ID)
	}
	if len(args) == 1 {
		return nil
	}
	if q == nil {
		q = s.db.R
	}
	cond, arg := access.ReadableBy(actor, sharesItemSQL, 1)
	args[0] = arg
	rows, err := q.QueryContext(ctx, "SELECT s.message_id, s.org_id FROM message_shares s WHERE s.message_id IN ("+in.String()+") AND "+cond+
		" ORDER BY s.message_id, s.ledger_idx, s.org_id", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var mid, org string
		if err := rows.Scan(&mid, &org); err != nil {
			return err
		}
		i := byID[mid]
		ms[i].SharedWith = append(ms[i].SharedWith, OrgRef{ID: org, Name: s.names.name(ctx, s.db.R, org)})
	}
	return rows.Err()
}

// Get returns one message the actor reads. A malformed id, an unknown one
// and one outside the actor's audience are the same not_found.
func (s *Service) Get(ctx context.Context, actor access.Actor, id string) (m Message, err error) {
	defer errs.Wrap(&err, "channel.Get")
	if !store.ValidID(id) || actor.Anonymous() {
		return Message{}, errs.NotFoundf("message")
	}
	rows, err := s.stmts.get.QueryContext(ctx, actor.Org, id)
	if err != nil {
		return Message{}, err
	}
	ms, err := s.scanMessages(ctx, nil, actor, rows)
	if err != nil {
		return Message{}, err
	}
	if len(ms) == 0 {
		return Message{}, errs.NotFoundf("message")
	}
	return ms[0], nil
}

// readStmts are the statements of Get, prepared once on the read pool: the
// single fetch is the hottest read (every send answers with it, every live
// event reads one), and parsing its query costs more than running it.
type readStmts struct {
	get, attachments *sql.Stmt
}

func prepareReads(ctx context.Context, db *sql.DB) (readStmts, error) {
	var r readStmts
	sel, _ := messageSelect(access.Actor{})
	var err error
	if r.get, err = db.PrepareContext(ctx, sel+" AND m.id = $2"); err != nil {
		return r, err
	}
	cond, _ := access.ReadableBy(access.Actor{}, "a.message_id", 1)
	r.attachments, err = db.PrepareContext(ctx, attachmentSelect+" WHERE a.message_id = $2 AND "+cond+" ORDER BY a.position")
	return r, err
}

func (s *Service) getIn(ctx context.Context, q access.Querier, actor access.Actor, id string) (Message, error) {
	if !store.ValidID(id) || actor.Anonymous() {
		return Message{}, errs.NotFoundf("message")
	}
	sel, arg := messageSelect(actor)
	rows, err := q.QueryContext(ctx, sel+" AND m.id = $2", arg, id)
	if err != nil {
		return Message{}, err
	}
	ms, err := s.scanMessages(ctx, q, actor, rows)
	if err != nil {
		return Message{}, err
	}
	if len(ms) == 0 {
		return Message{}, errs.NotFoundf("message")
	}
	return ms[0], nil
}

// ListFilter pages through a round's messages.
type ListFilter struct {
	// After returns messages whose ledger index is greater: the cursor is
	// the last message's LedgerIndex, and -1 starts at the beginning.
	After int64
	// Limit caps the page; 0 means DefaultLimit, and it is at most MaxLimit.
	Limit int
}

// Page sizes of List.
const (
	DefaultLimit = 200
	MaxLimit     = 1000
)

// List returns the messages of a round that the actor reads, oldest first.
// A round the actor does not read is not found.
func (s *Service) List(ctx context.Context, actor access.Actor, roundID string, f ListFilter) (ms []Message, err error) {
	defer errs.Wrap(&err, "channel.List")
	if !store.ValidID(roundID) || actor.Anonymous() {
		return nil, errs.NotFoundf("round")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		if err := roundReadable(ctx, tx, actor, roundID); err != nil {
			return err
		}
		sel, arg := messageSelect(actor)
		rows, err := tx.QueryContext(ctx, sel+" AND m.round_id = $2 AND m.ledger_idx > $3 ORDER BY m.ledger_idx LIMIT $4", arg, roundID, f.After, limit)
		if err != nil {
			return err
		}
		ms, err = s.scanMessages(ctx, tx, actor, rows)
		return err
	})
	if ms == nil && err == nil {
		ms = []Message{}
	}
	return ms, err
}

// roundReadable answers not_found unless the actor reads the round.
func roundReadable(ctx context.Context, q access.Querier, actor access.Actor, roundID string) error {
	cond, arg := access.ReadableBy(actor, "r.id", 2)
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM rounds r WHERE r.id = $1 AND "+cond, roundID, arg).Scan(&one)
	if err == sql.ErrNoRows {
		return errs.NotFoundf("round")
	}
	return err
}
