package humanitarian

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"
)

// TestRequestWithoutRoute: a convoy requested without a route by an
// earlier version has "route": null in its event, one requested since an
// empty route; verify rebuilds whichever its event hashed, and nothing
// else.
func TestRequestWithoutRoute(t *testing.T) {
	cv := Convoy{ProcessID: "p", LocationID: "l", Route: []string{},
		Items:     []Item{{Name: "wheat flour", Unit: "t", Requested: 20_000}},
		Approvals: []Approval{{Party: "gov", Due: time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC)}}}
	empty, _ := json.Marshal(requestContent(cv))
	none := cv
	none.Route = nil
	null, _ := json.Marshal(requestContent(none))
	if bytes.Equal(empty, null) || !bytes.Contains(null, []byte(`"route":null`)) {
		t.Fatalf("the two encodings: %s, %s", empty, null)
	}
	for _, want := range [][]byte{empty, null} {
		sum := sha256.Sum256(want)
		sc := &storedConvoy{request: sum[:]}
		if got, err := sc.requestBytes(cv); err != nil || !bytes.Equal(got, want) {
			t.Errorf("event hashing %s: rebuilt %s, %v", want, got, err)
		}
	}
	// An event that hashed neither: the current encoding, which differs.
	sum := sha256.Sum256([]byte("other"))
	if got, _ := (&storedConvoy{request: sum[:]}).requestBytes(cv); !bytes.Equal(got, empty) {
		t.Errorf("event hashing something else: rebuilt %s", got)
	}
}
