package web

import (
	"testing"

	"parley/internal/channel"
)

// TestPageEventName checks the names the round page's triggers listen to.
func TestPageEventName(t *testing.T) {
	for _, c := range []struct {
		typ, object, want string
	}{
		{"agenda.stance_set", "stance:0123abcd:4567ef", "stance-0123abcd"},
		{"agenda.stance_set", "stance::4567ef", "changed"},
		{"agenda.stance_set", "0123abcd", "changed"},
		{"consent.set", "consent:r:a:b", "consent"},
		{"agenda.item_added", "0123abcd", "agenda"},
		{"session.scheduled", "0123abcd", "changed"},
		{"statement.created", "0123abcd", "changed"},
	} {
		if got := pageEventName(channel.StreamEvent{Type: c.typ, ObjectID: c.object}); got != c.want {
			t.Errorf("pageEventName(%s, %s) = %q, want %q", c.typ, c.object, got, c.want)
		}
	}
}
