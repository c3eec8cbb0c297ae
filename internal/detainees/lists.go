package detainees

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Kinds of list.
const (
	Held   = "held"   // people the submitter holds
	Sought = "sought" // people the submitter asks for
)

// maxName bounds a list's or an exchange's name.
const maxName = 200

// List is a submitted list of people, without its records.
type List struct {
	ID, ProcessID string
	OrgID         string // the submitting organisation
	OrgName       string
	Kind          string // Held or Sought
	Name          string
	Records       int
	FileSHA256    string
	CreatedAt     time.Time
	CreatedBy     string
	LedgerIndex   int64
}

// StoredRecord is a record of a stored list.
type StoredRecord struct {
	ID     string // parley's id of the record
	ListID string
	Row    int // the row of the file it came from (2 is the first record)
	Record
}

// NewList is a list file to import. Mapping maps the file's headers onto
// the canonical columns (or Ignore); headers it leaves out keep their
// suggested mapping (Table.Suggest).
type NewList struct {
	Kind    string
	Name    string
	File    []byte
	Mapping map[string]string
}

func checkName(field, s string) error {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return errs.Field(field, "a name is required")
	case !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxName:
		return errs.Field(field, "a name is valid text of at most %d characters", maxName)
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return errs.Field(field, "a name contains a control character")
	}
	return nil
}

// SubmitList imports a list file for the process: a party, the mediation
// or the neutral agency submits it. The whole file is checked first; if any
// row is bad nothing is stored and the error lists every bad row
// (AsFileError). The list is read by its submitter, the mediation and the
// neutral agency.
func (s *Service) SubmitList(ctx context.Context, actor access.Actor, processID string, in NewList) (l List, err error) {
	defer errs.Wrap(&err, "detainees.SubmitList")
	submitter := func(q access.Querier) (role, error) {
		r, err := enter(ctx, q, actor, processID)
		if err == nil && !r.cap.In(access.Party, access.Mediation) && !r.neutral() {
			err = errs.New(errs.Forbidden, "only a party, the mediation or the neutral agency submits lists")
		}
		return r, err
	}
	// Who may submit is checked before the file is read; the file is read,
	// checked and sealed before the write transaction, which then only
	// checks again and stores.
	if err := s.db.ReadTx(ctx, func(tx *store.Reader) error { _, err := submitter(tx); return err }); err != nil {
		return l, err
	}
	if in.Kind != Held && in.Kind != Sought {
		return l, errs.Field("kind", "a list is %q or %q", Held, Sought)
	}
	if err := checkName("name", in.Name); err != nil {
		return l, err
	}
	rep, err := Inspect(in.File, in.Mapping, s.now())
	if err != nil {
		return l, err
	}
	if len(rep.Problems) > 0 {
		return l, fileErr(rep.Problems)
	}
	sum := sha256.Sum256(in.File)
	l = List{ID: store.NewID(), ProcessID: processID, OrgID: actor.Org, Kind: in.Kind, Name: strings.TrimSpace(in.Name),
		Records: len(rep.Records), FileSHA256: hex.EncodeToString(sum[:]), CreatedBy: actor.User}
	rows := make([][]any, len(rep.Records))
	lines := make([]recordLine, len(rep.Records))
	for i, r := range rep.Records {
		id := store.NewID()
		data, err := s.sealJSON("detainee_record", id, r)
		if err != nil {
			return List{}, err
		}
		rows[i] = []any{id, l.ID, int64(i + 2), data}
		lines[i] = recordLine{ID: id, Row: int64(i + 2), Record: r}
	}
	sealed, err := listDigest(l.Name, lines)
	if err != nil {
		return List{}, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		r, err := submitter(tx)
		if err != nil {
			return err
		}
		aud, err := overseers(ctx, tx, processID, r.agency)
		if err != nil {
			return err
		}
		aud = append(aud, actor.Org).Normalize()
		l.CreatedAt = store.Time(store.Stamp(s.now()))
		if l.OrgName, err = orgName(ctx, tx, actor.Org); err != nil {
			return err
		}
		ev, err := event(ctx, rec, actor, "detainees.list.submitted", "detainee_list", l.ID, aud,
			listContent(processID, l.Kind, l.Records, l.FileSHA256, sealed))
		if err != nil {
			return err
		}
		l.LedgerIndex = ev.Index
		rec.Insert("detainee_lists", listColumns, "", l.ID, processID, actor.Org, l.Kind,
			s.seal("detainee_list", l.ID, []byte(l.Name)), int64(l.Records), l.FileSHA256, actor.User, store.Stamp(l.CreatedAt), l.LedgerIndex, sealed)
		for _, row := range rows {
			rec.Insert("detainee_records", recordColumns, "", row...)
		}
		return rec.Grant(l.ID, aud)
	})
	if err != nil {
		return List{}, err
	}
	return l, nil
}

var (
	listColumns = store.Columns("id text", "process_id text", "org_id text", "kind text", "name_enc bytea",
		"records bigint", "file_sha256 text", "created_by text", "created_at bigint", "ledger_idx bigint", "digest text")
	recordColumns = store.Columns("id text", "list_id text", "row_no bigint", "data_enc bytea")
)

const listSelect = `SELECT l.id, l.process_id, l.org_id, o.name, l.kind, l.name_enc, l.records, l.file_sha256,
	l.created_at, l.created_by, l.ledger_idx FROM detainee_lists l JOIN orgs o ON o.id = l.org_id`

func (s *Service) scanList(sc interface{ Scan(...any) error }) (List, error) {
	var l List
	var name []byte
	var at int64
	if err := sc.Scan(&l.ID, &l.ProcessID, &l.OrgID, &l.OrgName, &l.Kind, &name, &l.Records, &l.FileSHA256, &at, &l.CreatedBy, &l.LedgerIndex); err != nil {
		return l, err
	}
	l.CreatedAt = store.Time(at)
	b, err := s.open("detainee_list", l.ID, name)
	l.Name = string(b)
	return l, err
}

// Lists returns the process's lists actor may read: its own organisation's,
// and every list for the mediation and the neutral agency.
func (s *Service) Lists(ctx context.Context, actor access.Actor, processID string) (ls []List, err error) {
	defer errs.Wrap(&err, "detainees.Lists")
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		if _, err := enter(ctx, tx, actor, processID); err != nil {
			return err
		}
		cond, arg := access.ReadableBy(actor, "l.id", 2)
		rows, err := tx.QueryContext(ctx, listSelect+" WHERE l.process_id = $1 AND "+cond+" ORDER BY l.created_at, l.id", processID, arg)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			l, err := s.scanList(rows)
			if err != nil {
				return err
			}
			ls = append(ls, l)
		}
		return rows.Err()
	})
	return ls, err
}

// List returns one list with its records, for its readers; anyone else
// finds none.
func (s *Service) List(ctx context.Context, actor access.Actor, id string) (l List, recs []StoredRecord, err error) {
	defer errs.Wrap(&err, "detainees.List")
	if actor.Anonymous() {
		return l, nil, errs.New(errs.Unauthorized, "log in first")
	}
	if !store.ValidID(id) {
		return l, nil, errs.NotFoundf("list")
	}
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		cond, arg := access.ReadableBy(actor, "l.id", 2)
		l, err = s.scanList(tx.QueryRowContext(ctx, listSelect+" WHERE l.id = $1 AND "+cond, id, arg))
		if err == sql.ErrNoRows {
			return errs.NotFoundf("list")
		}
		if err != nil {
			return err
		}
		recs, err = s.records(ctx, tx, actor, "r.list_id = $1", id)
		return err
	})
	return l, recs, err
}

// records reads the records matching where (over detainee_records r, with
// one argument $1) of the lists actor may read, in list and row order.
func (s *Service) records(ctx context.Context, q access.Querier, actor access.Actor, where string, arg1 any) ([]StoredRecord, error) {
	cond, arg := access.ReadableBy(actor, "r.list_id", 2)
	rows, err := q.QueryContext(ctx, "SELECT r.id, r.list_id, r.row_no, r.data_enc FROM detainee_records r WHERE "+where+" AND "+cond+
		" ORDER BY r.list_id, r.row_no", arg1, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredRecord
	for rows.Next() {
		var sr StoredRecord
		var data []byte
		if err := rows.Scan(&sr.ID, &sr.ListID, &sr.Row, &data); err != nil {
			return nil, err
		}
		if err := s.openJSON("detainee_record", sr.ID, data, &sr.Record); err != nil {
			return nil, err
		}
		out = append(out, sr)
	}
	return out, rows.Err()
}
