package web

import (
	"strings"

	"parley/internal/i18n"
	"parley/internal/ledger"
)

// The record in words (issue 11): each event is a sentence in the reader's
// language naming the organisation that acted ("UN mediation team issued
// a revision of the negotiating text"), linked to the item it changed when
// the reader has a page for it. The event type, the hashes and the proof
// stay one click away, on the event's page.

// describeEvent is the sentence for e, acted by org (a name; "" for the
// operator).
func describeEvent(l *i18n.Localizer, e ledger.RoundEvent, org string) string {
	if org == "" {
		org = l.T("record.operator")
	}
	org = "\u2068" + org + "\u2069" // a name keeps its own direction in the sentence
	if key := "record.event." + e.Type; l.Has(key) {
		return l.T(key, "Org", org)
	}
	return l.T("record.event.other", "Org", org, "Type", e.Type)
}

// eventLink is the page of the item e changed, in round, or "" when the
// item has no page of its own (a position, a setting, a relay's link).
func eventLink(e ledger.RoundEvent, round string) string {
	switch {
	case e.ObjectType == "message" && e.ObjectID != "":
		return "/rounds/" + round + "/conversation#m-" + e.ObjectID
	case e.ObjectType == "text" && e.ObjectID != "":
		return "/texts/" + e.ObjectID
	case strings.HasPrefix(e.ObjectType, "text_"):
		return "/rounds/" + round + "/texts"
	case e.ObjectType == "statement" && e.Type == "statement.released":
		return "/statements/" + e.ObjectID
	case e.ObjectType == "statement" && e.Type != "statement.deleted":
		return "/statements/desk#s-" + e.ObjectID
	case e.ObjectType == "agenda_item" && e.ObjectID != "":
		return "/rounds/" + round + "#agenda-item-" + e.ObjectID
	case strings.HasPrefix(e.Type, "agenda."):
		return "/rounds/" + round + "#agenda"
	case e.ObjectType == "session" && e.ObjectID != "":
		return "/rounds/" + round + "#session-" + e.ObjectID
	case e.Type == "consent.set":
		return "/rounds/" + round + "#consent"
	case strings.HasPrefix(e.Type, "bargain."):
		return "/rounds/" + round + "/bargain"
	case e.Type == "localized.set":
		return "/names/" + e.ObjectType + "/" + e.ObjectID
	case e.Type == "session.scheduled" || e.Type == "participant.added" || e.Type == "round.created":
		return "/rounds/" + round
	}
	return ""
}
