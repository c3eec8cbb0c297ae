// Package detainees keeps the detainee track of a process
// (docs/detainees.md): the lists of people each side holds or seeks, the
// matching of their records across and within lists with a person's review
// of the uncertain pairs, and the exchanges whose releases the process's
// neutral agency verifies, person by person.
//
// Who reads what (every read filters by access.ReadableBy in SQL):
//   - a list and its records: the submitting organisation, the process's
//     mediation and its neutral agency;
//   - a matching run, its pairs and the review decisions: the mediation and
//     the neutral agency;
//   - an exchange and its people: the mediation, the neutral agency and the
//     parties on both sides, who read only the identifying fields of the
//     people agreed to be released, never the lists behind them;
//   - the dashboard counts only the exchanges its reader may read.
//
// The record-linkage model itself is internal/detainees/match; link.go is
// the one place that calls it.
package detainees

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Error codes of the detainee track, beyond errs' shared ones.
const (
	// InvalidFile: an uploaded list that is not CSV or XLSX, or whose rows
	// do not validate; the error carries every bad row (*FileError).
	InvalidFile = "invalid_file"
)

// Service keeps the detainee track of every process.
type Service struct {
	db   *store.DB
	led  *ledger.Ledger
	aead cipher.AEAD
	now  func() time.Time
	// link runs the record-linkage model (link.go); tests may replace it.
	link linker
}

// New returns the detainee service over db. Writes go through led; key (32
// bytes, derived from the master key) seals the personal data of records
// and people at rest.
func New(db *store.DB, led *ledger.Ledger, key []byte) (*Service, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("detainees: seal key: %w", err)
	}
	return &Service{db: db, led: led, aead: aead, now: time.Now, link: matchLink}, nil
}

// SealLabel is the label under which the app derives this package's key
// from the master key.
const SealLabel = "parley detainees seal v1"

// seal encrypts plaintext for the item id of a kind; the associated data
// binds the ciphertext to both, so that a sealed value copied onto another
// row fails to open. The result is nonce || ciphertext.
func (s *Service) seal(kind, id string, plaintext []byte) []byte {
	nonce := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(plaintext)+s.aead.Overhead())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, plaintext, []byte("parley/"+kind+"/"+id))
}

// open reverses seal.
func (s *Service) open(kind, id string, sealed []byte) ([]byte, error) {
	if len(sealed) < chacha20poly1305.NonceSizeX {
		return nil, fmt.Errorf("sealed %s %s is too short", kind, id)
	}
	pt, err := s.aead.Open(nil, sealed[:chacha20poly1305.NonceSizeX], sealed[chacha20poly1305.NonceSizeX:], []byte("parley/"+kind+"/"+id))
	if err != nil {
		return nil, fmt.Errorf("open sealed %s %s: %w", kind, id, err)
	}
	return pt, nil
}

// sealJSON seals the JSON encoding of v.
func (s *Service) sealJSON(kind, id string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return s.seal(kind, id, b), nil
}

// openJSON opens a value sealed by sealJSON into v.
func (s *Service) openJSON(kind, id string, sealed []byte, v any) error {
	b, err := s.open(kind, id, sealed)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// event appends one event of the track. Content holds ids, counts and
// hashes only: no name ever enters the ledger's copy of an event.
func event(ctx context.Context, rec *ledger.Recorder, actor access.Actor, typ, objType, objID string, aud access.Audience, content map[string]any) (ledger.Event, error) {
	b, err := json.Marshal(content)
	if err != nil {
		return ledger.Event{}, fmt.Errorf("%s content: %w", typ, err)
	}
	return rec.Append(ctx, ledger.Event{Type: typ, Actor: actor, ObjectType: objType, ObjectID: objID, Audience: aud, Content: b})
}

// role is what an actor may do in a process's detainee track, read from
// access.ProcessCapacity and the process's neutral agency.
type role struct {
	cap access.Capacity
	// agency is the process's neutral agency, empty until the mediation
	// names it.
	agency string
}

// neutral reports whether the actor belongs to the process's neutral
// agency.
func (r role) neutral() bool {
	return r.agency != "" && r.cap.In(access.Agency) && r.cap.Actor.Org == r.agency
}

// overseer reports whether the actor reads every list and the matching:
// the mediation or the neutral agency.
func (r role) overseer() bool { return r.cap.Mediates() || r.neutral() }

// enter checks that the process exists and actor's organisation takes part
// in it, and reads its role there; otherwise the process is not found,
// whoever asks.
func enter(ctx context.Context, q access.Querier, actor access.Actor, processID string) (role, error) {
	if actor.Anonymous() {
		return role{}, errs.New(errs.Unauthorized, "log in first")
	}
	if !store.ValidID(processID) {
		return role{}, errs.NotFoundf("process")
	}
	c, err := access.ProcessCapacity(ctx, q, actor, processID)
	if err != nil {
		return role{}, err
	}
	if !c.Participates() {
		return role{}, errs.NotFoundf("process")
	}
	agency, err := agencyOf(ctx, q, processID)
	if err != nil {
		return role{}, err
	}
	return role{cap: c, agency: agency}, nil
}

// agencyOf returns the neutral agency of the process, or "".
func agencyOf(ctx context.Context, q access.Querier, processID string) (string, error) {
	var org string
	err := q.QueryRowContext(ctx, "SELECT org_id FROM detainee_agencies WHERE process_id = $1", processID).Scan(&org)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return org, err
}

// overseers is the audience of what only the mediation and the neutral
// agency read: the process's mediation organisations and its agency.
func overseers(ctx context.Context, q access.Querier, processID, agency string) (access.Audience, error) {
	aud, err := access.ProcessOrgs(ctx, q, processID, access.Mediation)
	if err != nil {
		return nil, err
	}
	if agency != "" {
		aud = append(aud, agency)
	}
	return aud.Normalize(), nil
}

// orgName returns an organisation's name.
func orgName(ctx context.Context, q access.Querier, id string) (string, error) {
	var name string
	err := q.QueryRowContext(ctx, "SELECT name FROM orgs WHERE id = $1", id).Scan(&name)
	return name, err
}
