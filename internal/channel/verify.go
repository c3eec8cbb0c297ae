package channel

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"parley/internal/access"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/talks"
)

// ItemKinds describes the channel's content items for parley verify
// (ledger.ItemKind): messages, with their attachments, and statements. Their
// audiences are checked against the events that created and shared them;
// with the master key (master not nil) their content is decrypted, each
// attachment file in attachmentDir checked against its SHA-256, and the
// content rebuilt and compared with what the creating event hashed.
func ItemKinds(master []byte, attachmentDir string) ([]ledger.ItemKind, error) {
	msg := ledger.ItemKind{Name: "message", ObjectType: "message",
		Items: "SELECT id, id AS object_id, ledger_idx AS idx, round_id FROM messages",
		// Its author let a later mediation read it (PastShared).
		WidenedBy: talks.PastShareWidens + `m.id AS id FROM messages m JOIN past_shares ps ON ps.round_id = m.round_id
			AND ps.org_id = m.author_org WHERE m.kind = 'mediation' AND ps.capacity <> 'mediation'`}
	st := ledger.ItemKind{Name: "statement", ObjectType: "statement",
		// An edited draft's content is what its latest edit recorded.
		Items: `SELECT s.id, s.id AS object_id, COALESCE((SELECT MAX(e.idx) FROM events e WHERE e.object_type = 'statement'
			AND e.object_id = s.id AND e.type = 'statement.edited'), s.ledger_idx) AS idx, '' AS round_id FROM statements s`}
	if master != nil {
		keys, err := newKeyring(master)
		if err != nil {
			return nil, err
		}
		msg.Contents = func(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
			return messageContents(ctx, q, keys, attachmentDir, each)
		}
		st.Contents = func(ctx context.Context, q access.Querier, each func(string, []byte, error) error) error {
			return statementContents(ctx, q, keys, each)
		}
	}
	return []ledger.ItemKind{msg, st}, nil
}

// messageContents rebuilds every message's event content from its rows.
func messageContents(ctx context.Context, q access.Querier, keys *keyring, dir string, each func(string, []byte, error) error) error {
	atts, err := storedAttachments(ctx, q, keys, dir)
	if err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, "SELECT id, round_id, kind, attributed_org, recipients, reply_to, body_enc, created_at FROM messages")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m Message
		var kind, attributed, recips string
		var body []byte
		var at int64
		if err := rows.Scan(&m.ID, &m.RoundID, &kind, &attributed, &recips, &m.ReplyTo, &body, &at); err != nil {
			return err
		}
		m.CreatedAt = store.Time(at)
		a := atts[m.ID]
		if a == nil {
			a = &messageAttachments{}
		}
		pt, err := keys.open("message", m.ID, body)
		if err == nil {
			err = a.err
		}
		if err != nil {
			if err := each(m.ID, nil, err); err != nil {
				return err
			}
			continue
		}
		m.Body = string(pt)
		var to []string
		if recips != "" {
			to = strings.Fields(recips)
		}
		content, err := messageContent(&m, Kind(kind), to, attributed, a.facts)
		if err := each(m.ID, content, err); err != nil {
			return err
		}
	}
	return rows.Err()
}

// messageAttachments are a message's attachments as stored, and the first
// defect found in one of them.
type messageAttachments struct {
	facts []attachmentFacts
	err   error
}

// storedAttachments reads every attachment row, in order, and checks its
// file: it must open with the key and match the row's SHA-256.
func storedAttachments(ctx context.Context, q access.Querier, keys *keyring, dir string) (map[string]*messageAttachments, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, message_id, content_type, size, sha256 FROM attachments ORDER BY message_id, position")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*messageAttachments{}
	for rows.Next() {
		var f attachmentFacts
		var msg string
		if err := rows.Scan(&f.id, &msg, &f.contentType, &f.size, &f.sum); err != nil {
			return nil, err
		}
		ma := out[msg]
		if ma == nil {
			ma = &messageAttachments{}
			out[msg] = ma
		}
		ma.facts = append(ma.facts, f)
		if ma.err == nil {
			ma.err = checkAttachmentFile(keys, dir, f)
		}
	}
	return out, rows.Err()
}

func checkAttachmentFile(keys *keyring, dir string, f attachmentFacts) error {
	sealed, err := os.ReadFile(filepath.Join(dir, f.id))
	if err != nil {
		return fmt.Errorf("attachment %s: %w", f.id, err)
	}
	data, err := keys.open("attachment", f.id, sealed)
	if err != nil {
		return fmt.Errorf("attachment %s: %w", f.id, err)
	}
	if sum := sha256.Sum256(data); !bytes.Equal(sum[:], f.sum) || int64(len(data)) != f.size {
		return fmt.Errorf("attachment %s: the file does not match its SHA-256 and size", f.id)
	}
	return nil
}

// statementContents rebuilds every statement's event content from its row.
func statementContents(ctx context.Context, q access.Querier, keys *keyring, each func(string, []byte, error) error) error {
	rows, err := q.QueryContext(ctx, "SELECT id, author_org, title_enc, body_enc, embargo_until FROM statements")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, org string
		var title, body []byte
		var embargo int64
		if err := rows.Scan(&id, &org, &title, &body, &embargo); err != nil {
			return err
		}
		t, err := keys.open("statement-title", id, title)
		var b []byte
		if err == nil {
			b, err = keys.open("statement", id, body)
		}
		if err != nil {
			if err := each(id, nil, err); err != nil {
				return err
			}
			continue
		}
		if err := each(id, statementContent(id, org, string(t), string(b), embargo), nil); err != nil {
			return err
		}
	}
	return rows.Err()
}
