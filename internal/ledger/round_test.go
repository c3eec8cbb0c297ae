package ledger_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// appendRound appends one event of round readable by aud.
func appendRound(t *testing.T, l *ledger.Ledger, round string, aud access.Audience) ledger.Event {
	t.Helper()
	var out ledger.Event
	err := l.Write(context.Background(), func(tx *sql.Tx, rec *ledger.Recorder) error {
		var err error
		out, err = rec.Append(context.Background(), ledger.Event{Type: "test.other", Actor: mediation, Round: round, Audience: aud, Content: []byte(round)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRoundEvents: the record page's listing holds exactly the round's
// events the reader may read, and a proof is given only for those.
func TestRoundEvents(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLedger(t, db)
		appendN(t, l, 12, 5) // round "r1": A even, B odd, every fifth public
		other := appendRound(t, l, "r2", access.Of(orgA, orgB, orgM))
		if _, err := ledger.NewCheckpointer(l, 0, 0).Sign(ctx); err != nil {
			t.Fatal(err)
		}
		late := appendRound(t, l, "r1", access.Of(orgA)) // after the checkpoint

		tests := []struct {
			name  string
			actor access.Actor
			round string
			want  []int64
		}{
			{"party A, r1", partyA, "r1", []int64{0, 2, 4, 5, 6, 8, 10, late.Index}},
			{"party B, r1", partyB, "r1", []int64{0, 1, 3, 5, 7, 9, 10, 11}},
			{"party B, r2", partyB, "r2", []int64{other.Index}},
			{"outsider, r1", access.Actor{Org: "cccccccccccccccccccccccccccccccc"}, "r1", []int64{0, 5, 10}},
			{"no such round", mediation, "r3", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := l.RoundEvents(ctx, tt.actor, tt.round, 0, 0)
				if err != nil {
					t.Fatal(err)
				}
				var idx []int64
				for _, e := range got {
					idx = append(idx, e.Index)
					if e.At.IsZero() || len(e.Record) == 0 {
						t.Errorf("event %d lacks its time or record", e.Index)
					}
				}
				if !slices.Equal(idx, tt.want) {
					t.Fatalf("got %v, want %v", idx, tt.want)
				}
			})
		}
		page, err := l.RoundEvents(ctx, partyA, "r1", 3, 2)
		if err != nil || len(page) != 2 || page[0].Index != 4 || page[1].Index != 5 {
			t.Fatalf("page from 3: %+v %v", page, err)
		}

		// A readable event inside the checkpoint comes with a proof that
		// checks against the checkpoint's root.
		p, err := l.RoundEventProof(ctx, partyA, "r1", 4)
		if err != nil || p.Proof == nil {
			t.Fatalf("proof of 4: %+v %v", p, err)
		}
		tree := openCheckpoint(t, l.VerifierKey(), p.Checkpoint)
		if err := tlog.CheckRecord(toHashes(t, p.Proof.Proof), tree.N, tree.Hash, 4, tlog.RecordHash(p.Event.Record)); err != nil {
			t.Fatal(err)
		}
		// Newer than the checkpoint: listed, no proof yet.
		if p, err := l.RoundEventProof(ctx, partyA, "r1", late.Index); err != nil || p.Proof != nil || p.Checkpoint == nil {
			t.Fatalf("late event: %+v %v", p, err)
		}
		// Unreadable, of another round, or missing: all the same 404.
		for _, c := range []struct {
			name  string
			round string
			index int64
		}{{"party B's event", "r1", 1}, {"event of r2 under r1", "r1", other.Index}, {"missing", "r1", 999}, {"negative", "r1", -1}} {
			_, err := l.RoundEventProof(ctx, partyA, c.round, c.index)
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != "not_found" {
				t.Errorf("%s: %v, want not_found", c.name, err)
			}
		}
	})
}

// TestReaderBundle: the bundle the record page offers passes the offline
// check of "parley audit verify" and holds exactly the reader's events.
func TestReaderBundle(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLedger(t, db)
		appendN(t, l, 12, 12)
		appendRound(t, l, "r2", access.Of(orgA))
		if _, err := ledger.NewCheckpointer(l, 0, 0).Sign(ctx); err != nil {
			t.Fatal(err)
		}
		appendRound(t, l, "r1", access.Of(orgA))
		for _, c := range []struct {
			round         string
			events, after int
		}{{"r1", 7, 1}, {"", 8, 1}, {"r2", 1, 0}} {
			bd, err := l.ReaderBundle(ctx, partyA, "https://talks.example", c.round, time.Unix(1485252000, 0))
			if err != nil {
				t.Fatal(err)
			}
			if len(bd.Events) != c.events || bd.Pending != c.after || bd.Server != "https://talks.example" {
				t.Fatalf("round %q: %d events, %d pending", c.round, len(bd.Events), bd.Pending)
			}
			b, err := json.Marshal(bd)
			if err != nil {
				t.Fatal(err)
			}
			probs, _, err := ledger.VerifyBundle(b, l.VerifierKey())
			if err != nil || len(probs) != 0 {
				t.Fatalf("round %q: bundle does not verify: %v %v", c.round, probs, err)
			}
		}
	})
}
