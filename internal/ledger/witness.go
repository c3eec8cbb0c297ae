package ledger

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
)

// Error codes of the witness protocol.
const (
	// UnknownCheckpoint: a cosignature for a checkpoint this server never
	// signed.
	UnknownCheckpoint = "unknown_checkpoint"
	// UnknownWitness: a cosignature by a key the submitting organisation has
	// not registered.
	UnknownWitness = "unknown_witness"
	// BadCosignature: a cosignature that does not verify.
	BadCosignature = "bad_cosignature"
)

func init() {
	errs.Register(UnknownCheckpoint, 400)
	errs.Register(UnknownWitness, 403)
	errs.Register(BadCosignature, 400)
}

// Witness is a registered witness key.
type Witness struct {
	ID           string    `json:"id"`
	Org          string    `json:"org"`
	Name         string    `json:"name"`
	VKey         string    `json:"vkey"`
	RegisteredAt time.Time `json:"registered_at"`
	LedgerIndex  int64     `json:"ledger_index"`
}

// MaxWitnessName is the longest display name of a witness, in characters.
const MaxWitnessName = 100

// algCosignatureV1 is the signed-note key type of c2sp.org/tlog-cosignature.
const algCosignatureV1 = 4

type witnessKey struct {
	name     string
	verifier *torchwood.CosignatureVerifier
}

// publicOnly is a crypto.Signer that only knows its public key: enough for
// torchwood to build the cosignature verifier of a registered key.
type publicOnly ed25519.PublicKey

func (p publicOnly) Public() crypto.PublicKey { return ed25519.PublicKey(p) }
func (p publicOnly) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("public key only")
}

// ParseCosignatureVerifier parses a C2SP tlog-cosignature verifier key,
// "name+hash+base64(0x04 || Ed25519 public key)".
func ParseCosignatureVerifier(vkey string) (*torchwood.CosignatureVerifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 || len(parts[1]) != 8 {
		return nil, errors.New("malformed witness key: want name+hash+key")
	}
	hash, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil {
		return nil, errors.New("malformed witness key hash")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize {
		return nil, errors.New("malformed witness key: want a 32-byte Ed25519 key")
	}
	if raw[0] != algCosignatureV1 {
		return nil, fmt.Errorf("witness key type %d is not a cosignature/v1 key (4)", raw[0])
	}
	s, err := torchwood.NewCosignatureSigner(parts[0], publicOnly(raw[1:]))
	if err != nil {
		return nil, fmt.Errorf("witness key: %w", err)
	}
	v := s.Verifier()
	if v.KeyHash() != uint32(hash) || v.String() != vkey {
		return nil, errors.New("witness key hash does not match its name and key")
	}
	return v, nil
}

// mayWitness reports whether the actor's organisation may register a
// witness: the parties, the guarantors and the agencies, who have a stake
// in the record and no hand in keeping it.
func mayWitness(a access.Actor) bool {
	if a.Anonymous() || a.Org == "" {
		return false
	}
	switch a.OrgKind {
	case access.Party, access.Guarantor, access.Agency:
		return true
	}
	return false
}

// RegisterWitness registers a witness key for the actor's organisation. It
// appends a public "ledger.witness_register" event, since anyone checking
// cosignatures needs the key.
func (l *Ledger) RegisterWitness(ctx context.Context, actor access.Actor, name, vkey string) (Witness, error) {
	w := Witness{ID: store.NewID(), Org: actor.Org, Name: strings.TrimSpace(name), VKey: strings.TrimSpace(vkey)}
	if !mayWitness(actor) {
		return w, errs.New(errs.Forbidden, "only a party, a guarantor or an agency may register a witness")
	}
	if n := utf8.RuneCountInString(w.Name); n == 0 || n > MaxWitnessName || !validRecordValue(w.Name) {
		return w, errs.Field("name", "name must be 1 to %d printable characters", MaxWitnessName)
	}
	v, err := ParseCosignatureVerifier(w.VKey)
	if err != nil {
		return w, errs.Field("vkey", "%v", err)
	}
	// A witness's key name is what its cosignatures carry: it must not pass
	// for the log itself, nor for another witness or organisation.
	if o := l.Origin(); o != "" && strings.EqualFold(v.Name(), o) {
		return w, errs.Field("vkey", "the key's name is the log's own name; name it after your organisation")
	}
	err = l.Write(ctx, func(tx *sql.Tx, rec *Recorder) error {
		if err := witnessNamesFree(ctx, tx, actor.Org, w.Name, v.Name()); err != nil {
			return err
		}
		content, _ := json.Marshal(map[string]string{"name": w.Name, "vkey": w.VKey})
		e, err := rec.Append(ctx, Event{Type: "ledger.witness_register", Actor: actor, ObjectType: "witness", ObjectID: w.ID,
			Audience: access.Of(access.Public), Content: content})
		if err != nil {
			return err
		}
		w.RegisteredAt, w.LedgerIndex = e.At, e.Index
		_, err = tx.ExecContext(ctx, `INSERT INTO witnesses(id, org_id, name, key_name, key_hash, vkey, registered_by, registered_at, ledger_idx)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			w.ID, w.Org, w.Name, v.Name(), int64(v.KeyHash()), w.VKey, actor.User, store.Stamp(e.At), e.Index)
		if store.IsUniqueViolation(err) {
			return errs.New(errs.Conflict, "this witness key is registered already")
		}
		return err
	})
	return w, err
}

// witnessNamesFree checks, inside the registering write, that org has no
// witness yet (one per organisation) and that neither the witness's name
// nor its key's name is another witness's or another organisation's.
func witnessNamesFree(ctx context.Context, tx *sql.Tx, org, name, keyName string) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM witnesses WHERE org_id = $1", org).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return errs.New(errs.Conflict, "your organisation has a witness already")
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM witnesses WHERE LOWER(name) IN (LOWER($1), LOWER($2))
		OR LOWER(key_name) IN (LOWER($1), LOWER($2))`, name, keyName).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &errs.Error{Code: errs.Conflict, Field: "name", Message: "another witness has this name"}
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs WHERE id <> $1 AND (LOWER(name) IN (LOWER($2), LOWER($3))
		OR (short_name <> '' AND LOWER(short_name) IN (LOWER($2), LOWER($3))))`, org, name, keyName).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return errs.Field("name", "a witness may not take another organisation's name")
	}
	return nil
}

// Witnesses lists the registered witnesses. Witness keys are public: every
// verifier of a cosigned checkpoint needs them.
func (l *Ledger) Witnesses(ctx context.Context) ([]Witness, error) {
	rows, err := l.db.R.QueryContext(ctx, "SELECT id, org_id, name, vkey, registered_at, ledger_idx FROM witnesses ORDER BY registered_at, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Witness{}
	for rows.Next() {
		var w Witness
		var at int64
		if err := rows.Scan(&w.ID, &w.Org, &w.Name, &w.VKey, &at, &w.LedgerIndex); err != nil {
			return nil, err
		}
		w.RegisteredAt = store.Time(at)
		out = append(out, w)
	}
	return out, rows.Err()
}

func loadWitnessVerifiers(ctx context.Context, q access.Querier) (map[string]witnessKey, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, name, vkey FROM witnesses")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]witnessKey{}
	for rows.Next() {
		var id, name, vkey string
		if err := rows.Scan(&id, &name, &vkey); err != nil {
			return nil, err
		}
		v, err := ParseCosignatureVerifier(vkey)
		if err != nil {
			return nil, fmt.Errorf("witness %s: %w", id, err)
		}
		out[id] = witnessKey{name, v}
	}
	return out, rows.Err()
}

// CosignatureRequest is the JSON body of POST /api/v1/ledger/cosignatures:
// the checkpoint cosigned (its text, or the whole signed note as served) and
// the witness's signature line(s), "— name base64\n".
type CosignatureRequest struct {
	Checkpoint  string `json:"checkpoint"`
	Cosignature string `json:"cosignature"`
}

// AddCosignature records a witness cosignature on a checkpoint this server
// signed. checkpoint is the checkpoint text (or the full signed note); cosig
// holds one or more C2SP tlog-cosignature signature lines. It refuses a
// checkpoint the server never signed (unknown_checkpoint), a key that the
// actor's organisation has not registered (unknown_witness) and a signature
// that does not verify (bad_cosignature).
func (l *Ledger) AddCosignature(ctx context.Context, actor access.Actor, checkpoint, cosig []byte) error {
	if actor.Anonymous() || actor.Org == "" {
		return errs.New(errs.Forbidden, "sign in as a member of a witnessing organisation")
	}
	body := string(checkpoint)
	if i := strings.Index(body, "\n\n"); i >= 0 {
		body = body[:i+1]
	}
	c, err := torchwood.ParseCheckpoint(body)
	if err != nil || c.Origin != l.Origin() {
		return errs.New(UnknownCheckpoint, "not a checkpoint of this ledger")
	}
	var stored []byte
	err = l.db.R.QueryRowContext(ctx, "SELECT note FROM checkpoints WHERE size = $1", c.N).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !bytes.HasPrefix(stored, []byte(body+"\n")) {
		return errs.New(UnknownCheckpoint, "this ledger signed no such checkpoint")
	}
	if err != nil {
		return err
	}
	var sigs []string
	if t := strings.TrimSpace(string(cosig)); t != "" {
		sigs = strings.SplitAfter(t+"\n", "\n")
		sigs = sigs[:len(sigs)-1] // the empty string after the last newline
	}
	if len(sigs) == 0 || len(sigs) > 8 {
		return errs.Field("cosignature", "want one to eight signature lines")
	}
	now := store.Now()
	return l.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, line := range sigs {
			name, keyHash, ts, err := parseCosignatureLine(line)
			if err != nil {
				return errs.New(BadCosignature, "%v", err)
			}
			var id, vkey string
			err = tx.QueryRowContext(ctx, "SELECT id, vkey FROM witnesses WHERE key_name = $1 AND key_hash = $2 AND org_id = $3",
				name, int64(keyHash), actor.Org).Scan(&id, &vkey)
			if errors.Is(err, sql.ErrNoRows) {
				return errs.New(UnknownWitness, "witness key %q is not registered by your organisation", name)
			}
			if err != nil {
				return err
			}
			v, err := ParseCosignatureVerifier(vkey)
			if err != nil {
				return err
			}
			if _, err := note.Open([]byte(body+"\n"+line), note.VerifierList(v)); err != nil {
				return errs.New(BadCosignature, "the cosignature of %q does not verify on this checkpoint", name)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO cosignatures(checkpoint_size, witness_id, signature, cosigned_at, received_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (checkpoint_size, witness_id) DO NOTHING`,
				c.N, id, line, ts*1_000_000, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// parseCosignatureLine splits "— name base64(keyhash || timestamp || sig)\n".
func parseCosignatureLine(line string) (name string, keyHash uint32, ts int64, err error) {
	rest, ok := strings.CutPrefix(line, "— ")
	if !ok || !strings.HasSuffix(rest, "\n") {
		return "", 0, 0, errors.New("not a signature line")
	}
	name, b64, ok := strings.Cut(strings.TrimSuffix(rest, "\n"), " ")
	if !ok || name == "" {
		return "", 0, 0, errors.New("not a signature line")
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 4+8+ed25519.SignatureSize {
		return "", 0, 0, errors.New("not a cosignature/v1 signature")
	}
	ts = int64(binary.BigEndian.Uint64(raw[4:12]))
	if ts < 0 {
		return "", 0, 0, errors.New("bad cosignature timestamp")
	}
	return name, binary.BigEndian.Uint32(raw[:4]), ts, nil
}
