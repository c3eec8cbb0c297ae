package app_test

// The package analysis in the access table (issue 5, docs/bargain.md): the
// world's round 1 has a negotiation domain saved by the mediation and a
// confidential profile of each party, the government's shared with the
// mediation and the opposition's not. Round 2 has no domain: its mediation
// is not in it. The rows are in accessTable; here are the world state they
// need, their bodies, and the check that no answer carries a profile its
// reader may not read.

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"parley/internal/bargain"
)

// file is a request body sent as it is, with its media type: an imported
// file.
type file struct{ ctype, data string }

// bargainDomain is round 1's negotiation domain.
func bargainDomain() bargain.Domain {
	return bargain.Domain{Name: "astana", Issues: []bargain.Issue{
		{Name: "scope", Values: []string{"nationwide", "excluding listed groups", "local"}},
		{Name: "monitoring", Values: []string{"joint group", "guarantors", "UN"}},
	}}
}

// bargainSecrets are, for each party, the two ways its profile's one
// distinctive rating is written: on the 0–1 scale of the API and the files,
// and on the 0–100 scale of the pages. Both are exact in binary, so that a
// file's round trip keeps them. No other profile, utility or page holds
// them.
var bargainSecrets = map[string][]string{
	"gov.head": {"0.4375", "43.75"},
	"opp.head": {"0.6875", "68.75"},
}

// bargainProfile is the profile subject enters: each party its own, with
// its secret rating of "local"; anyone else a neutral one, so that a
// refused request holds no secret to echo.
func bargainProfile(subject string) bargain.Profile {
	weights := [2]float64{50, 50}
	scope := map[string]float64{"nationwide": 1, "excluding listed groups": 0, "local": 0.5}
	mon := map[string]float64{"joint group": 1, "guarantors": 0.5, "UN": 0}
	switch subject {
	case "gov.head":
		weights = [2]float64{70, 30}
		scope = map[string]float64{"nationwide": 0.1, "excluding listed groups": 1, "local": 0.4375}
		mon = map[string]float64{"joint group": 1, "guarantors": 0.8, "UN": 0}
	case "opp.head":
		weights = [2]float64{40, 60}
		scope = map[string]float64{"nationwide": 1, "excluding listed groups": 0, "local": 0.6875}
		mon = map[string]float64{"joint group": 0, "guarantors": 0.4, "UN": 1}
	}
	return bargain.Profile{Name: "profile of " + name(subject), Domain: "astana", Issues: map[string]bargain.IssueUtility{
		"scope":      {Weight: weights[0], Values: scope},
		"monitoring": {Weight: weights[1], Values: mon},
	}}
}

// bargainShares reports whether subject's profile is shared with the
// mediation: the government's is, throughout the table.
func bargainShares(subject string) bool { return subject == "gov.head" }

// seedBargain saves round 1's domain as the mediation and both parties'
// profiles.
func (w *world) seedBargain() {
	t := w.t
	t.Helper()
	ctx := context.Background()
	d := bargainDomain()
	if _, err := w.a.Bargain.SetDomain(ctx, w.user["mediator"].Actor(), w.round1, d, nil); err != nil {
		t.Fatalf("bargain domain: %v", err)
	}
	for _, s := range []string{"gov.head", "opp.head"} {
		in := bargain.ProfileInput{Profile: bargainProfile(s), Shared: bargainShares(s)}
		if _, err := w.a.Bargain.SetProfile(ctx, w.user[s].Actor(), w.round1, in); err != nil {
			t.Fatalf("bargain profile of %s: %v", s, err)
		}
	}
}

// bargainDomainJSON is the body of PUT .../bargain/domain: round 1's
// domain again.
func bargainDomainJSON(string) any {
	var issues []map[string]any
	for _, is := range bargainDomain().Issues {
		issues = append(issues, map[string]any{"name": is.Name, "values": is.Values})
	}
	return map[string]any{"name": "astana", "issues": issues}
}

// bargainProfileJSON is the body of PUT .../bargain/profile for subject.
func bargainProfileJSON(subject string) any {
	p := bargainProfile(subject)
	return map[string]any{"name": p.Name, "shared": bargainShares(subject), "issues": p.Issues}
}

// bargainSharedJSON is the body of PUT .../bargain/profile/shared for
// subject: the sharing does not change.
func bargainSharedJSON(subject string) any {
	return map[string]bool{"shared": bargainShares(subject)}
}

// bargainProfileFile is subject's profile as a GeniusWeb JSON file, or
// with xml as a Genius XML one.
func (w *world) bargainProfileFile(subject string, xml bool) file {
	w.t.Helper()
	d, p := bargainDomain(), bargainProfile(subject)
	b, err := p.GeniusWebJSON(&d)
	ctype := "application/json"
	if xml {
		b, err = p.GeniusXML(&d)
		ctype = "application/xml"
	}
	if err != nil {
		w.t.Fatalf("profile file: %v", err)
	}
	return file{ctype: ctype, data: string(b)}
}

// bargainProfileFiles returns the body of a profile import for each
// subject: its profile as a file.
func (w *world) bargainProfileFiles(xml bool) func(subject string) any {
	return func(subject string) any { return w.bargainProfileFile(subject, xml) }
}

// bargainImportForm is the elicitation page's import form as subject
// sends it: its profile as a GeniusWeb file.
func (w *world) bargainImportForm(subject string) any {
	f := url.Values{"format": {bargain.FormatGeniusWeb}, "file": {w.bargainProfileFile(subject, false).data}}
	if bargainShares(subject) {
		f.Set("shared", "on")
	}
	return f
}

// bargainDomainFile is round 1's domain as a GeniusWeb file.
func (w *world) bargainDomainFile() string {
	w.t.Helper()
	d := bargainDomain()
	b, err := d.GeniusWebJSON()
	if err != nil {
		w.t.Fatalf("domain file: %v", err)
	}
	return string(b)
}

// bargainProfileForm is the elicitation form as subject fills it in.
func bargainProfileForm(subject string) any {
	d, p := bargainDomain(), bargainProfile(subject)
	f := url.Values{}
	for i, is := range d.Issues {
		iu := p.Issues[is.Name]
		f.Set(fmt.Sprintf("weight.%d", i), strconv.FormatFloat(iu.Weight, 'f', -1, 64))
		for k, o := range is.Values {
			f.Set(fmt.Sprintf("rating.%d.%d", i, k), strconv.FormatFloat(iu.Values[o]*100, 'f', -1, 64))
		}
	}
	if bargainShares(subject) {
		f.Set("shared", "on")
	}
	return f
}

// bargainDomainForm is round 1's domain as the mediation's form sends it.
func bargainDomainForm() url.Values {
	f := url.Values{"name": {"astana"}}
	for i, is := range bargainDomain().Issues {
		f.Set(fmt.Sprintf("issue.%d.name", i), is.Name)
		f.Set(fmt.Sprintf("issue.%d.values", i), strings.Join(is.Values, "\n"))
	}
	return f
}

// checkConfidential fails the cell when body holds a profile subject may
// not read: a party reads its own, the mediation those shared with it,
// nobody anything else. It runs on every cell but the metrics, whose
// timings are arbitrary decimals.
func (w *world) checkConfidential(r row, subject string, body []byte) {
	w.t.Helper()
	if r.route == "GET /metrics" {
		return
	}
	for owner, secrets := range bargainSecrets {
		if owner == subject || subject == "mediator" && bargainShares(owner) {
			continue
		}
		for _, secret := range secrets {
			// The secret as a number of its own: "43.75" inside a
			// timestamp ("…:52:43.751Z") or a longer number is not it.
			if secretNumber(secret).Match(body) {
				w.t.Errorf("%s [%s] as %s: the answer holds the profile of %s (%q)", r.route, r.object, name(subject), owner, secret)
			}
		}
	}
}

// secretNumber matches secret as a whole number: not preceded by a digit,
// a point or a colon, nor followed by a digit.
func secretNumber(secret string) *regexp.Regexp {
	return regexp.MustCompile(`(^|[^0-9.:])` + regexp.QuoteMeta(secret) + `($|[^0-9])`)
}
