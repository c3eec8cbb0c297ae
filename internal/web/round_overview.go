package web

import (
	"context"
	"net/http"
	"slices"
	"time"

	"parley/internal/access"
	"parley/internal/channel"
	"parley/internal/ledger"
	"parley/internal/talks"
	"parley/internal/text"
)

// The round page's overview (issue 11): it opens with what matters now —
// the session under way or next (else the last one), what awaits the
// viewer's organisation (its stances, its consent, paragraphs without its
// position, messages the mediation has not handled), and the latest events
// of the round in words.

// roundOverview is the data of the "round_overview" template.
type roundOverview struct {
	page
	RoundID string
	// Session is the session under way or next, else the last one; Now
	// says which.
	Session *talks.Session
	Now     string // "current", "next" or "last"
	Waiting []waitingItem
	Recent  []recordEventView
}

// waitingItem is one thing the viewer's organisation has to do, with the
// page where it is done.
type waitingItem struct {
	Text, Link string
}

// overviewRecent is how many of the latest events the overview lists.
const overviewRecent = 6

func (w *Web) roundOverview(r *http.Request, v *viewer, round talks.Round, p roundPage) roundOverview {
	ctx, actor := r.Context(), v.Actor()
	o := roundOverview{page: p.page, RoundID: round.ID}
	now := w.now()
	for i := range round.Sessions {
		s := &round.Sessions[i]
		if !s.Cancelled.IsZero() {
			continue // called off: not what matters now
		}
		end := s.EndsAt
		if end.IsZero() {
			end = s.StartsAt.Add(2 * time.Hour)
		}
		switch {
		case !s.StartsAt.After(now) && end.After(now):
			o.Session, o.Now = s, "current"
		case s.StartsAt.After(now) && (o.Session == nil || o.Now == "last" || o.Now == "next" && s.StartsAt.Before(o.Session.StartsAt)):
			if o.Now != "current" {
				o.Session, o.Now = s, "next"
			}
		case o.Session == nil || o.Now == "last" && s.StartsAt.After(o.Session.StartsAt):
			o.Session, o.Now = s, "last"
		}
	}
	l := v.L
	if p.CanStance {
		for _, tv := range p.Tracks {
			for _, it := range tv.Items {
				if !it.Item.Withdrawn.IsZero() {
					continue
				}
				switch st := stanceOf(it.Item.Stances, actor.Org); {
				case st == nil:
					o.Waiting = append(o.Waiting, waitingItem{l.T("overview.wait.stance", "Item", isolateName(it.Item.Title)), "#agenda-item-" + it.Item.ID})
				case st.Earlier:
					o.Waiting = append(o.Waiting, waitingItem{l.T("overview.wait.stance_again", "Item", isolateName(it.Item.Title)), "#agenda-item-" + it.Item.ID})
				}
			}
		}
		for _, pt := range p.Parties {
			if pt.ID != actor.Org && !consentSet(round.Consents, actor.Org, pt.ID) {
				o.Waiting = append(o.Waiting, waitingItem{l.T("overview.wait.consent", "Org", isolateName(pt.Name)), "#consent"})
			}
		}
	}
	if round.As.PartyHead() {
		for _, pr := range round.Proposals {
			if !slices.Contains(pr.Accepted, actor.Org) {
				o.Waiting = append(o.Waiting, waitingItem{l.T("overview.wait.proposal", "Org", isolateName(pr.Org.Name)), "#proposals"})
			}
		}
	}
	if w.text != nil && (p.CanStance || round.As.Mediates()) {
		if ts, err := w.text.Texts(ctx, actor, round.ID); err == nil {
			for _, t := range ts {
				if t.Revision == 0 || t.Adopted > 0 || !p.CanStance {
					continue
				}
				if round.As.PartyHead() && adoptionAsked(ctx, w, actor, t.ID) {
					o.Waiting = append(o.Waiting, waitingItem{l.T("overview.wait.adopt", "Text", isolateName(t.Title), "N", t.Revision), "/texts/" + t.ID + "#adoption"})
				}
				rev, err := w.text.Revision(ctx, actor, t.ID, t.Revision)
				if err != nil {
					continue
				}
				open := 0
				for _, st := range rev.Paragraphs {
					if len(st.Positions) == 0 {
						open++
					}
				}
				if open > 0 {
					o.Waiting = append(o.Waiting, waitingItem{l.T("overview.wait.positions", "Text", isolateName(t.Title), "N", t.Revision, "Open", open), "/texts/" + t.ID})
				}
			}
		}
	}
	if w.channel != nil && round.As.Mediates() {
		msgs, err := w.channel.List(ctx, actor, round.ID, channel.ListFilter{After: -1, Limit: channel.MaxLimit})
		handled, herr := w.channel.Handled(ctx, actor, round.ID)
		if err == nil && herr == nil {
			open := 0
			for _, m := range msgs {
				if received(m, actor.Org) && !handled[m.ID] {
					open++
				}
			}
			if open > 0 {
				o.Waiting = append(o.Waiting, waitingItem{l.T("overview.wait.messages", "N", open), "/rounds/" + round.ID + "/conversation"})
			}
		}
	}
	o.Recent = w.recentEvents(r, v, round)
	return o
}

// recentEvents are the latest events of the round the viewer reads, newest
// first, in words.
func (w *Web) recentEvents(r *http.Request, v *viewer, round talks.Round) []recordEventView {
	if w.ledger == nil {
		return nil
	}
	st, err := w.ledger.Status(r.Context())
	if err != nil {
		return nil
	}
	evs, err := w.ledger.RoundEvents(r.Context(), v.Actor(), round.ID, max(st.Size-ledger.MaxEventsLimit, 0), ledger.MaxEventsLimit)
	if err != nil {
		return nil
	}
	names := w.participantNames(r, v, round)
	var out []recordEventView
	for i := len(evs) - 1; i >= 0 && len(out) < overviewRecent; i-- {
		e := evs[i]
		out = append(out, recordEventView{RoundEvent: e, OrgName: names[e.Org], Words: describeEvent(v.L, e, names[e.Org]), Link: eventLink(e, round.ID)})
	}
	return out
}

// stanceOf is org's stance among ss, nil when it has stated none.
func stanceOf(ss []talks.Stance, org string) *talks.Stance {
	for i := range ss {
		if ss[i].OrgID == org {
			return &ss[i]
		}
	}
	return nil
}

// adoptionAsked reports whether another party has confirmed the adoption
// of the text's latest revision while the viewer's party has not: the
// adoption waits for it.
func adoptionAsked(ctx context.Context, w *Web, actor access.Actor, textID string) bool {
	ad, err := w.text.AdoptionState(ctx, actor, textID)
	if err != nil || ad.Adopted || len(ad.Confirmations) == 0 {
		return false
	}
	return slices.ContainsFunc(ad.Pending, func(p text.Party) bool { return p.ID == actor.Org })
}

func consentSet(cs []talks.Consent, org, counterpart string) bool {
	for _, c := range cs {
		if c.OrgID == org && c.CounterpartID == counterpart {
			return true
		}
	}
	return false
}

func isolateName(s string) string { return "\u2068" + s + "\u2069" }
