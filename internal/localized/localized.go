// Package localized keeps the names and texts of talks items in several
// languages: a round's name, a session's title, an agenda item's title, an
// organisation's name, a statement's title and body, a negotiating text's
// title. The domain's own column stays the authoritative value; this
// package holds the same field in the other languages and which language
// the authoritative value is written in.
//
// The package knows no domain. Each domain registers a Kind that says how
// its items are read (the SQL condition of their audience) and who may edit
// them; the values of an item are read under that condition in the same
// query, never loaded and filtered, so a draft's translations are read
// exactly by those who read the draft. Every change is one ledger
// transaction with one "localized.set" event, whose audience is the item's.
package localized

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/i18n"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Languages are the languages an item's fields are kept in, in display
// order: those of the interface.
var Languages = func() []string {
	var tags []string
	for _, l := range i18n.Languages {
		tags = append(tags, l.Tag)
	}
	return tags
}()

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool { return slices.Contains(Languages, lang) }

// Field is one translatable field of a kind.
type Field struct {
	Name      string // "name", "title", "body"
	Max       int    // in characters
	Multiline bool
}

// Item is what a kind tells about one of its items, read inside the
// transaction that changes its values.
type Item struct {
	Round string // the round the item belongs to, "" when none
	// Values are the domain's own (authoritative) values by field.
	Values map[string]string
	// Audience is the audience of the item, given to its events.
	Audience access.Audience
	// Authoritative, when the domain knows it (a negotiating text has a
	// language), is the language of Values; the form then does not ask.
	Authoritative string
	// Editable: the actor may change the item's values in other languages
	// (the domain's own rule for editing the item).
	Editable bool
}

// Kind describes one kind of item whose fields are kept in several
// languages. Domains build their kinds; the app registers them.
type Kind struct {
	Name   string // "round", "session", "agenda", "org", "statement", "text"
	Fields []Field
	// Readable returns the SQL condition under which actor reads the item
	// whose id is in column col, with its arguments numbered from $n. It
	// is the same condition the domain's own reads use.
	Readable func(actor access.Actor, col string, n int) (cond string, args []any)
	// Item reads one item for actor: a missing or unreadable item is
	// errs.NotFound.
	Item func(ctx context.Context, q access.Querier, actor access.Actor, id string) (Item, error)
	// Seal and Open, when set, encrypt the values at rest as the domain
	// encrypts its own (statements).
	Seal func(id, field, lang, value string) string
	Open func(id, field, lang, value string) (string, error)
}

func (k Kind) field(name string) (Field, bool) {
	i := slices.IndexFunc(k.Fields, func(f Field) bool { return f.Name == name })
	if i < 0 {
		return Field{}, false
	}
	return k.Fields[i], true
}

// Values are an item's fields in other languages.
type Values struct {
	// Authoritative is the language the domain's own value is written in,
	// "" when nobody has said.
	Authoritative string
	// By holds field → language → value.
	By map[string]map[string]string
}

// Pick returns the value of field in lang, falling back to the domain's
// own value (fallback), and the language of what it returns ("" when the
// fallback's language is not known).
func (v Values) Pick(field, lang, fallback string) (value, in string) {
	if lang != v.Authoritative {
		if s := v.By[field][lang]; s != "" {
			return s, lang
		}
	}
	return fallback, v.Authoritative
}

// Service keeps the values over one database.
type Service struct {
	db  *store.DB
	led *ledger.Ledger

	mu    sync.RWMutex
	kinds map[string]Kind
}

// New returns the service; kinds are added with Register.
func New(db *store.DB, led *ledger.Ledger) *Service {
	return &Service{db: db, led: led, kinds: map[string]Kind{}}
}

// Register adds kinds; the app registers every domain's when it wires them.
func (s *Service) Register(kinds ...Kind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range kinds {
		s.kinds[k.Name] = k
	}
}

// Kind returns a registered kind; an unknown one is not found.
func (s *Service) Kind(name string) (Kind, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.kinds[name]
	if !ok {
		return Kind{}, errs.NotFoundf("item")
	}
	return k, nil
}

// Load reads the values of items of one kind that actor reads, by item id.
// Items the actor does not read are absent, as are items with no values.
func (s *Service) Load(ctx context.Context, actor access.Actor, kind string, ids ...string) (out map[string]Values, err error) {
	defer errs.Wrap(&err, "localized.Load")
	k, err := s.Kind(kind)
	if err != nil {
		return nil, err
	}
	return load(ctx, s.db.R, actor, k, ids)
}

func load(ctx context.Context, q access.Querier, actor access.Actor, k Kind, ids []string) (map[string]Values, error) {
	out := map[string]Values{}
	ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !store.ValidID(id) })
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{k.Name}
	in := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		in[i] = "$" + strconv.Itoa(len(args))
	}
	cond, cargs := k.Readable(actor, "x.item_id", len(args)+1)
	args = append(args, cargs...)
	// One query for the values and the authoritative marks of every item,
	// both filtered by the item's audience in SQL.
	rows, err := q.QueryContext(ctx, `SELECT x.item_id, x.field, x.lang, x.value FROM (
			SELECT item_id, field, lang, value FROM localized WHERE kind = $1
			UNION ALL SELECT item_id, '', lang, '' FROM localized_source WHERE kind = $1) x
		WHERE x.item_id IN (`+strings.Join(in, ", ")+`) AND `+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, field, lang, value string
		if err := rows.Scan(&id, &field, &lang, &value); err != nil {
			return nil, err
		}
		v := out[id]
		if field == "" {
			v.Authoritative = lang
		} else {
			if k.Open != nil {
				if value, err = k.Open(id, field, lang, value); err != nil {
					return nil, fmt.Errorf("%s %s %s/%s does not open: %w", k.Name, id, field, lang, err)
				}
			}
			if v.By == nil {
				v.By = map[string]map[string]string{}
			}
			if v.By[field] == nil {
				v.By[field] = map[string]string{}
			}
			v.By[field][lang] = value
		}
		out[id] = v
	}
	return out, rows.Err()
}

// Entry is one item's fields in every language, for the form that edits
// them.
type Entry struct {
	Kind   Kind
	ID     string
	Item   Item
	Values Values
}

// Get reads one item and its values for actor; an item the actor does not
// read is not found.
func (s *Service) Get(ctx context.Context, actor access.Actor, kind, id string) (e Entry, err error) {
	defer errs.Wrap(&err, "localized.Get")
	k, err := s.Kind(kind)
	if err != nil {
		return Entry{}, err
	}
	return get(ctx, s.db.R, actor, k, id)
}

func get(ctx context.Context, q access.Querier, actor access.Actor, k Kind, id string) (Entry, error) {
	if !store.ValidID(id) {
		return Entry{}, errs.NotFoundf(k.Name)
	}
	it, err := k.Item(ctx, q, actor, id)
	if err != nil {
		return Entry{}, err
	}
	vs, err := load(ctx, q, actor, k, []string{id})
	if err != nil {
		return Entry{}, err
	}
	return Entry{Kind: k, ID: id, Item: it, Values: vs[id]}, nil
}

// Input is a change of an item's values: the language of the domain's own
// value, and field → language → value for the others. An empty value
// removes that language's value; a field or language left out is kept.
type Input struct {
	Authoritative string
	Values        map[string]map[string]string
}

// Set changes an item's values, in one ledger transaction, for an actor
// who may edit the item.
func (s *Service) Set(ctx context.Context, actor access.Actor, kind, id string, in Input) (e Entry, err error) {
	defer errs.Wrap(&err, "localized.Set")
	if actor.Anonymous() && !actor.System {
		return Entry{}, errs.New(errs.Unauthorized, "log in first")
	}
	k, err := s.Kind(kind)
	if err != nil {
		return Entry{}, err
	}
	if err := check(k, &in); err != nil {
		return Entry{}, err
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		e, err = get(ctx, tx, actor, k, id)
		if err != nil {
			return err
		}
		if !e.Item.Editable {
			return errs.New(errs.Forbidden, "only those who edit this %s give it names in other languages", k.Name)
		}
		if e.Item.Authoritative != "" {
			in.Authoritative = e.Item.Authoritative
		}
		return write(ctx, tx, rec, actor, k, id, e.Item, in)
	})
	if err != nil {
		return Entry{}, err
	}
	return s.Get(ctx, actor, kind, id)
}

// Write records an item's values inside a domain's own transaction (the
// demo seeding an item with its translations, a domain creating an item in
// several languages at once). The caller has checked that actor may.
func Write(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, actor access.Actor, k Kind, id string, it Item, in Input) error {
	if err := check(k, &in); err != nil {
		return err
	}
	return write(ctx, tx, rec, actor, k, id, it, in)
}

// Outdate drops, inside a domain's own transaction, the values in other
// languages of the fields of an item whose authoritative wording the
// domain has just changed: a translation of the earlier wording would tell
// a reader of another language something that no longer stands. It
// appends one localized.set event (the values removed) when there was
// anything to drop, and nothing otherwise. The translators name the item
// again on its names page.
func Outdate(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, actor access.Actor, k Kind, id string, it Item, fields ...string) error {
	in := Input{Values: map[string]map[string]string{}}
	for _, f := range fields {
		rows, err := tx.QueryContext(ctx, "SELECT lang FROM localized WHERE item_id = $1 AND field = $2", id, f)
		if err != nil {
			return err
		}
		for rows.Next() {
			var lang string
			if err := rows.Scan(&lang); err != nil {
				rows.Close()
				return err
			}
			if in.Values[f] == nil {
				in.Values[f] = map[string]string{}
			}
			in.Values[f][lang] = ""
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if len(in.Values) == 0 {
		return nil
	}
	return write(ctx, tx, rec, actor, k, id, it, in)
}

// check validates an input against its kind: known languages and fields,
// values of the field's length, free of control characters and, on one
// line, of bidirectional-formatting characters that could reorder a name.
func check(k Kind, in *Input) error {
	if in.Authoritative != "" && !Supported(in.Authoritative) {
		return errs.Field("authoritative", "authoritative must be one of %s", strings.Join(Languages, ", "))
	}
	for field, byLang := range in.Values {
		f, ok := k.field(field)
		if !ok {
			return errs.Field(field, "a %s has no field %q", k.Name, field)
		}
		for lang, v := range byLang {
			if !Supported(lang) {
				return errs.Field(field, "%s: language must be one of %s", field, strings.Join(Languages, ", "))
			}
			v = strings.TrimSpace(v)
			if !utf8.ValidString(v) || utf8.RuneCountInString(v) > f.Max {
				return errs.Field(field+"."+lang, "%s is longer than %d characters or not UTF-8", field, f.Max)
			}
			for _, r := range v {
				if unicode.IsControl(r) && !(f.Multiline && (r == '\n' || r == '\t' || r == '\r')) || !f.Multiline && i18n.Unsafe(r) {
					return errs.Field(field+"."+lang, "%s contains a control or bidirectional-formatting character", field)
				}
			}
			byLang[lang] = v
		}
	}
	return nil
}

func write(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, actor access.Actor, k Kind, id string, it Item, in Input) error {
	ev, err := rec.Append(ctx, ledger.Event{
		Type: "localized.set", Actor: actor, Round: it.Round,
		ObjectType: k.Name, ObjectID: id, Audience: it.Audience, Content: content(in),
	})
	if err != nil {
		return err
	}
	now := store.Now()
	if in.Authoritative != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO localized_source(item_id, kind, lang, ledger_idx) VALUES ($1, $2, $3, $4)
			ON CONFLICT (item_id) DO UPDATE SET lang = excluded.lang, ledger_idx = excluded.ledger_idx`,
			id, k.Name, in.Authoritative, ev.Index); err != nil {
			return err
		}
	}
	for field, byLang := range in.Values {
		for lang, v := range byLang {
			if v == "" {
				if _, err := tx.ExecContext(ctx, "DELETE FROM localized WHERE item_id = $1 AND field = $2 AND lang = $3", id, field, lang); err != nil {
					return err
				}
				continue
			}
			if k.Seal != nil {
				v = k.Seal(id, field, lang, v)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO localized(item_id, kind, field, lang, value, updated_at, ledger_idx) VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (item_id, field, lang) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, ledger_idx = excluded.ledger_idx`,
				id, k.Name, field, lang, v, now, ev.Index); err != nil {
				return err
			}
		}
	}
	return nil
}

// content is the canonical JSON of a change: encoding/json sorts map keys,
// so the same change always hashes the same.
func content(in Input) []byte {
	b, _ := json.Marshal(map[string]any{"authoritative": in.Authoritative, "values": in.Values})
	return b
}

// ByAudience is the Readable of items kept in the audience table under
// their own id: access.ReadableBy.
func ByAudience(actor access.Actor, col string, n int) (string, []any) {
	cond, arg := access.ReadableBy(actor, col, n)
	return cond, []any{arg}
}

// Public is the Readable of items everyone reads (organisation names).
func Public(access.Actor, string, int) (string, []any) { return "1 = 1", nil }
