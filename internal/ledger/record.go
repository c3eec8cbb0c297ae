package ledger

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"parley/internal/store"
)

// RecordHeader is the first line of every event record; the version moves
// when the format does.
const RecordHeader = "parley-event v1"

// recordKeys are the record's lines after the header, in order.
var recordKeys = []string{"index", "id", "type", "at", "actor", "org", "round", "object-type", "object-id", "audience", "content", "salt"}

// Encode returns the canonical record of e: the exact bytes whose
// tlog.RecordHash is the event's leaf. docs/ledger.md ("Event records")
// defines the format: a header line, then one "key value" line per field in
// a fixed order, each ended by a newline. Append refuses events whose fields
// would make the encoding ambiguous (see validRecordValue); Encode itself
// does not check.
func Encode(e Event, contentHash []byte) []byte {
	return appendRecord(nil, e, contentHash)
}

// appendRecord appends the record of e to b.
func appendRecord(b []byte, e Event, contentHash []byte) []byte {
	b = append(b, RecordHeader+"\nindex "...)
	b = strconv.AppendInt(b, e.Index, 10)
	b = append(b, "\nid "...)
	b = append(b, e.ID...)
	b = append(b, "\ntype "...)
	b = append(b, e.Type...)
	b = append(b, "\nat "...)
	b = strconv.AppendInt(b, store.Stamp(e.At), 10)
	b = append(b, "\nactor "...)
	b = append(b, e.Actor.User...)
	b = append(b, "\norg "...)
	b = append(b, e.Actor.Org...)
	b = append(b, "\nround "...)
	b = append(b, e.Round...)
	b = append(b, "\nobject-type "...)
	b = append(b, e.ObjectType...)
	b = append(b, "\nobject-id "...)
	b = append(b, e.ObjectID...)
	b = append(b, "\naudience "...)
	for i, org := range e.Audience {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, org...)
	}
	b = append(b, "\ncontent "...)
	b = hex.AppendEncode(b, contentHash)
	b = append(b, "\nsalt "...)
	b = hex.AppendEncode(b, e.Salt)
	return append(b, '\n')
}

// encode checks that every field can be encoded without ambiguity and
// encodes it.
func encode(e Event, contentHash []byte) ([]byte, error) {
	for _, f := range []struct{ name, v string }{
		{"id", e.ID}, {"type", e.Type}, {"actor", e.Actor.User}, {"org", e.Actor.Org},
		{"round", e.Round}, {"object type", e.ObjectType}, {"object id", e.ObjectID},
	} {
		if !validRecordValue(f.v) {
			return nil, fmt.Errorf("event %s %q is not printable UTF-8 on one line", f.name, f.v)
		}
	}
	for _, org := range e.Audience {
		if org == "" || strings.Contains(org, " ") || !validRecordValue(org) {
			return nil, fmt.Errorf("audience member %q is empty or holds a space or control character", org)
		}
	}
	if len(e.Salt) != SaltSize {
		return nil, fmt.Errorf("salt has %d bytes, want %d", len(e.Salt), SaltSize)
	}
	if e.Index < 0 {
		return nil, fmt.Errorf("negative index")
	}
	return Encode(e, contentHash), nil
}

// validRecordValue reports whether v can stand on a record line: valid UTF-8
// without control characters, so that the newline always ends the field.
func validRecordValue(v string) bool {
	if !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// Record is a parsed event record.
type Record struct {
	Index       int64
	ID          string
	Type        string
	At          int64 // Unix microseconds
	Actor       string
	Org         string
	Round       string
	ObjectType  string
	ObjectID    string
	Audience    []string
	ContentHash []byte
	Salt        []byte
}

// ParseRecord parses an event record and checks that it is in canonical
// form: re-encoding the result gives back exactly b.
func ParseRecord(b []byte) (Record, error) {
	var r Record
	s := string(b)
	if !strings.HasPrefix(s, RecordHeader+"\n") {
		return r, errors.New("record: bad header")
	}
	s = strings.TrimPrefix(s, RecordHeader+"\n")
	vals := make(map[string]string, len(recordKeys))
	for _, k := range recordKeys {
		line, rest, ok := strings.Cut(s, "\n")
		if !ok {
			return r, fmt.Errorf("record: missing %s line", k)
		}
		v, ok := strings.CutPrefix(line, k+" ")
		if !ok {
			return r, fmt.Errorf("record: want %s line, got %q", k, line)
		}
		vals[k] = v
		s = rest
	}
	if s != "" {
		return r, errors.New("record: trailing data")
	}
	var err error
	if r.Index, err = strconv.ParseInt(vals["index"], 10, 64); err != nil {
		return r, fmt.Errorf("record: index: %w", err)
	}
	if r.At, err = strconv.ParseInt(vals["at"], 10, 64); err != nil {
		return r, fmt.Errorf("record: at: %w", err)
	}
	r.ID, r.Type, r.Actor, r.Org = vals["id"], vals["type"], vals["actor"], vals["org"]
	r.Round, r.ObjectType, r.ObjectID = vals["round"], vals["object-type"], vals["object-id"]
	if vals["audience"] != "" {
		r.Audience = strings.Split(vals["audience"], " ")
	}
	if r.ContentHash, err = hex.DecodeString(vals["content"]); err != nil || len(r.ContentHash) != 32 {
		return r, errors.New("record: content hash is not 32 bytes of hex")
	}
	if r.Salt, err = hex.DecodeString(vals["salt"]); err != nil || len(r.Salt) != SaltSize {
		return r, errors.New("record: salt is not 16 bytes of hex")
	}
	if !bytes.Equal(r.encode(), b) {
		return r, errors.New("record: not in canonical form")
	}
	return r, nil
}

func (r Record) encode() []byte {
	e := Event{Index: r.Index, ID: r.ID, Type: r.Type, At: store.Time(r.At), Round: r.Round,
		ObjectType: r.ObjectType, ObjectID: r.ObjectID, Audience: r.Audience, Salt: r.Salt}
	e.Actor.User, e.Actor.Org = r.Actor, r.Org
	return Encode(e, r.ContentHash)
}

// canonicalAudience reports whether aud is sorted, without duplicates and
// non-empty, as Append writes it.
func canonicalAudience(aud []string) bool {
	return len(aud) > 0 && slices.IsSorted(aud) && len(slices.Compact(slices.Clone(aud))) == len(aud)
}
