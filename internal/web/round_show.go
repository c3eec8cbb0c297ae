package web

import (
	"net/http"
	"slices"

	"parley/internal/access"
	"parley/internal/i18n"
	"parley/internal/talks"
)

// roundPage is the data of the round page.
type roundPage struct {
	page
	forms
	Round   talks.Round
	Tracks  []trackView
	Consent consentView
	// Parties are the negotiating parties of the round, the columns of
	// the agenda's stances.
	Parties []talks.Org
	// CanStance: the viewer belongs to a party of the round, so it sets its
	// own stance on each item and its own consent.
	CanStance bool
	Sessions  []sessionView
	// Overview opens the page (round_overview.go).
	Overview roundOverview
	// NamesOrg is the viewer's organisation when the viewer names it in
	// other languages (actor.Manages: its head), else "".
	NamesOrg string
}

// trackView is the agenda items of one track.
type trackView struct {
	Track string
	Items []agendaItemView
}

// agendaItemView is the data of the "agenda_item" fragment: one item with a
// line per party, and the viewer's stance form when it is a party.
type agendaItemView struct {
	L         *i18n.Localizer
	RoundID   string
	Item      talks.AgendaItem
	Stances   []stanceView
	CanStance bool
	Mine      stanceView // the viewer's own stance, to preselect the form
	Form      *form
	// Names are the names in other languages of the item and the parties;
	// CanName: the viewer gives them (it administers the round).
	Names   names
	CanName bool
}

// stanceView is one party's stance on an item; Stance is "" while the party
// has stated none.
type stanceView struct {
	Org    talks.Org
	Stance string
	Reason string
	// Earlier: given before the item's wording last changed.
	Earlier bool
}

// consentView is the data of the "consent" fragment.
type consentView struct {
	L       *i18n.Localizer
	RoundID string
	// Visible: the viewer's organisation is among those who see consent
	// (the parties, the mediation, the host); others see a note instead.
	Visible bool
	Lines   []consentLine
	// Mine are the viewer party's own consents, one per other party.
	Mine []consentLine
	Form *form
}

// consentLine is one party's consent to direct talks with one counterpart;
// State is "yes", "no" or "unset".
type consentLine struct {
	Party, Counterpart talks.Org
	State              string
}

// roundShow shows a round; a round outside the viewer's audience is a 404.
func (w *Web) roundShow(rw http.ResponseWriter, r *http.Request, v *viewer) {
	round, err := w.talks.Round(r.Context(), v.Actor(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderPage(rw, r, http.StatusOK, pageRoundShow, w.roundPage(r, v, round, nil))
}

// roundPage builds the round page's data. failed is the form submitted with
// errors, shown again with its messages, or nil.
func (w *Web) roundPage(r *http.Request, v *viewer, round talks.Round, failed *form) roundPage {
	actor := v.Actor()
	p := roundPage{
		page: w.page(r, v), forms: forms{failed: failed},
		Round: round,
	}
	for _, ss := range round.Sessions {
		p.Sessions = append(p.Sessions, sessionViewOf(v, ss, round))
	}
	p.Names = w.loadNames(r, v.Actor(), roundNameItems(round))
	for i := range p.Sessions {
		p.Sessions[i].Names, p.Sessions[i].CanName = p.Names, round.As.Administers()
	}
	if actor.Manages(actor.Org) {
		p.NamesOrg = actor.Org
	}
	for _, pt := range round.Participants {
		if pt.Capacity == access.Party {
			p.Parties = append(p.Parties, pt.Org)
			if pt.Org.ID == actor.Org {
				p.CanStance = true
			}
		}
	}
	for _, it := range round.Agenda {
		iv := w.itemView(v, round.ID, it, p.Parties, p.CanStance, p.Form("stance-"+it.ID))
		iv.Names, iv.CanName = p.Names, round.As.Administers()
		i := slices.IndexFunc(p.Tracks, func(t trackView) bool { return t.Track == it.Track })
		if i < 0 {
			p.Tracks = append(p.Tracks, trackView{Track: it.Track})
			i = len(p.Tracks) - 1
		}
		p.Tracks[i].Items = append(p.Tracks[i].Items, iv)
	}
	// Standard tracks first in their usual order, then custom ones in the
	// order they first appear on the agenda.
	slices.SortStableFunc(p.Tracks, func(a, b trackView) int { return trackRank(a.Track) - trackRank(b.Track) })
	p.Consent = consentOf(v, round, p.Parties, p.Form("consent"))
	p.Overview = w.roundOverview(r, v, round, p)
	return p
}

// roundNameItems are the items of the round page that have names in
// other languages: the round, its sessions, its agenda and its
// participants.
func roundNameItems(round talks.Round) map[string][]string {
	items := map[string][]string{"round": {round.ID}}
	for _, s := range round.Sessions {
		items["session"] = append(items["session"], s.ID)
	}
	for _, it := range round.Agenda {
		items["agenda"] = append(items["agenda"], it.ID)
	}
	for _, pt := range round.Participants {
		items["org"] = append(items["org"], pt.Org.ID)
	}
	return items
}

func trackRank(t string) int {
	if i := slices.Index(talks.Tracks, t); i >= 0 {
		return i
	}
	return len(talks.Tracks)
}

// itemView lays out one agenda item: a line per party, in the round's
// party order, whether or not the party has stated a stance.
func (w *Web) itemView(v *viewer, roundID string, it talks.AgendaItem, parties []talks.Org, canStance bool, f *form) agendaItemView {
	iv := agendaItemView{L: v.L, RoundID: roundID, Item: it, CanStance: canStance, Form: f}
	for _, org := range parties {
		sv := stanceView{Org: org}
		for _, st := range it.Stances {
			if st.OrgID == org.ID {
				sv.Stance, sv.Reason, sv.Earlier = st.Stance, st.Reason, st.Earlier
			}
		}
		iv.Stances = append(iv.Stances, sv)
		if org.ID == v.Actor().Org {
			iv.Mine = sv
		}
	}
	return iv
}

// consentOf lays out the consent to direct talks: for every ordered pair of
// parties the viewer may see (its own pairs for a party; all of them for the
// mediation and the host), whether the first consents to talk directly with
// the second.
func consentOf(v *viewer, round talks.Round, parties []talks.Org, f *form) consentView {
	actor := v.Actor()
	cv := consentView{L: v.L, RoundID: round.ID, Form: f}
	mediates := round.As.In(access.Mediation, access.Host)
	isParty := slices.ContainsFunc(parties, func(o talks.Org) bool { return o.ID == actor.Org })
	cv.Visible = mediates || isParty
	if !cv.Visible {
		return cv
	}
	state := func(from, to string) string {
		for _, c := range round.Consents {
			if c.OrgID == from && c.CounterpartID == to {
				if c.Direct {
					return "yes"
				}
				return "no"
			}
		}
		return "unset"
	}
	for _, a := range parties {
		for _, b := range parties {
			if a.ID == b.ID || !(mediates || a.ID == actor.Org || b.ID == actor.Org) {
				continue
			}
			line := consentLine{Party: a, Counterpart: b, State: state(a.ID, b.ID)}
			cv.Lines = append(cv.Lines, line)
			if a.ID == actor.Org {
				cv.Mine = append(cv.Mine, line)
			}
		}
	}
	return cv
}

// RefusedBy lists the parties refusing the item: a refused item stays on
// the agenda, marked refused.
func (iv agendaItemView) RefusedBy() []talks.Org {
	var orgs []talks.Org
	for _, s := range iv.Stances {
		if s.Stance == "refuse" {
			orgs = append(orgs, s.Org)
		}
	}
	return orgs
}

// Chosen is the stance to preselect in the viewer's form: the one just
// submitted when the form comes back with an error, else the current one.
func (iv agendaItemView) Chosen() string {
	if iv.Form != nil && iv.Form.Values != nil {
		return iv.Form.Value("stance")
	}
	return iv.Mine.Stance
}

// Reason is the reason to prefill in the viewer's form, on the same terms.
func (iv agendaItemView) Reason() string {
	if iv.Form != nil && iv.Form.Values != nil {
		return iv.Form.Value("reason")
	}
	return iv.Mine.Reason
}
