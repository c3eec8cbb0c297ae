package api_test

import (
	"strconv"
	"strings"
	"testing"

	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestCheckpointOnDemand: POST /api/v1/ledger/checkpoint signs the tree as
// it is now, so a checkpoint covers a write made a moment before.
func TestCheckpointOnDemand(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		signer, vkey, err := ledger.LoadOrCreateKey(t.TempDir(), "parley.test/ondemand")
		if err != nil {
			t.Fatal(err)
		}
		f.led.SetKey(signer, vkey)
		size := func(res response) int64 {
			t.Helper()
			if res.status != 200 {
				t.Fatalf("checkpoint: %d %s", res.status, res.body)
			}
			lines := strings.Split(string(res.body), "\n")
			n, err := strconv.ParseInt(lines[1], 10, 64)
			if err != nil || lines[0] != "parley.test/ondemand" {
				t.Fatalf("checkpoint body %q", res.body)
			}
			return n
		}
		first := size(f.do(t, f.token["opp.head"], "POST", "/api/v1/ledger/checkpoint", nil))
		if res := f.do(t, f.token["opp.head"], "PUT", "/api/v1/agenda/"+f.item1+"/stance", map[string]string{"stance": "accept"}); res.status != 200 {
			t.Fatalf("stance: %d %s", res.status, res.body)
		}
		second := size(f.do(t, f.token["opp.head"], "POST", "/api/v1/ledger/checkpoint", nil))
		if second != first+1 {
			t.Errorf("checkpoint size %d after one write, was %d", second, first)
		}
		if got := size(f.do(t, f.token["gov.head"], "GET", "/api/v1/ledger/checkpoint", nil)); got != second {
			t.Errorf("GET serves size %d, want %d", got, second)
		}
		if res := f.do(t, "", "POST", "/api/v1/ledger/checkpoint", nil); res.status != 401 {
			t.Errorf("anonymous: %d", res.status)
		}
	})
}
