package bargain

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

const jobsDomain = `{"name":"jobs","issuesValues":{
 "salary":{"range":{"low":2000,"high":4000,"step":500}},
 "lease car":{"values":["yes","no"]},
 "fte":{"values":["0.6","0.8","1.0"]}}}`

const jobsProfile = `{"LinearAdditiveUtilitySpace":{
 "name":"employer",
 "domain":` + jobsDomain + `,
 "issueWeights":{"salary":0.5,"lease car":0.2,"fte":0.3},
 "issueUtilities":{
  "salary":{"NumberValueSetUtilities":{"lowValue":2000,"lowUtility":1,"highValue":4000,"highUtility":0}},
  "lease car":{"discreteutils":{"valueUtilities":{"yes":0.3,"no":1}}},
  "fte":{"DiscreteValueSetUtilities":{"valueUtilities":{"0.6":0.2,"0.8":0.7,"1.0":1}}}},
 "reservationBid":{"issuevalues":{"salary":3000.0,"lease car":"no","fte":"0.8"}}}}`

func TestGeniusWebImport(t *testing.T) {
	d, err := ParseGeniusWebDomain([]byte(jobsDomain))
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{d.Issues[0].Name, d.Issues[1].Name, d.Issues[2].Name}; !reflect.DeepEqual(got, []string{"salary", "lease car", "fte"}) {
		t.Errorf("issue order %v, want the file's order", got)
	}
	opts, _ := d.Issues[0].Options()
	if !reflect.DeepEqual(opts, []string{"2000", "2500", "3000", "3500", "4000"}) {
		t.Errorf("salary options %v", opts)
	}
	p, _, err := ParseGeniusWebProfile([]byte(jobsProfile), d)
	if err != nil {
		t.Fatal(err)
	}
	if p.ReservationBid["salary"] != "3000" {
		t.Errorf("reservation bid salary %q, want canonical 3000", p.ReservationBid["salary"])
	}
	m, err := compile(d, []*Profile{p, p})
	if err != nil {
		t.Fatal(err)
	}
	// Reservation: 0.5×0.5 + 0.2×1 + 0.3×0.7 = 0.66, exactly.
	if want := Scale / 100 * 66; m.disagreement[0] != want {
		t.Errorf("disagreement %d, want %d", m.disagreement[0], want)
	}
}

func TestGeniusWebRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for c := 0; c < 200; c++ {
		d, ps := randomMixedCase(r, 2+c%3, 5000)
		dj, err := d.GeniusWebJSON()
		if err != nil {
			t.Fatal(err)
		}
		d2, err := ParseGeniusWebDomain(dj)
		if err != nil {
			t.Fatalf("case %d: reimport domain: %v\n%s", c, err, dj)
		}
		if !reflect.DeepEqual(d, d2) {
			t.Fatalf("case %d: domain changed:\n%+v\n%+v", c, d, d2)
		}
		for _, p := range ps {
			pj, err := p.GeniusWebJSON(d)
			if err != nil {
				t.Fatal(err)
			}
			p2, _, err := ParseGeniusWebProfile(pj, d2)
			if err != nil {
				t.Fatalf("case %d: reimport profile: %v\n%s", c, err, pj)
			}
			if !reflect.DeepEqual(p, p2) {
				t.Fatalf("case %d: profile changed:\n%+v\n%+v", c, p, p2)
			}
		}
	}
}

const xmlProfile = `<?xml version="1.0" encoding="UTF-8"?>
<utility_space number_of_issues="3">
  <objective index="0" etype="objective" type="objective" description="" name="ceasefire">
    <issue index="1" etype="discrete" type="discrete" vtype="discrete" name="scope">
      <item index="1" value="local" evaluation="2"/>
      <item index="2" value="regional" evaluation="5"/>
      <item index="3" value="national" evaluation="10"/>
    </issue>
    <issue index="2" etype="integer" type="integer" vtype="integer" name="monitors" lowerbound="0" upperbound="4">
      <evaluator ftype="linear" utilLowestValue="0.0" utilHighestValue="1.0"/>
    </issue>
    <issue index="3" etype="discrete" type="discrete" vtype="discrete" name="aid">
      <item index="1" value="weekly" evaluation="4"/>
      <item index="2" value="daily" evaluation="8"/>
    </issue>
    <weight index="1" value="0.5"/>
    <weight index="2" value="0.25"/>
    <weight index="3" value="0.25"/>
  </objective>
  <reservation value="0.35"/>
  <discount_factor value="1.0"/>
</utility_space>`

func TestGeniusXMLImportAndRoundTrip(t *testing.T) {
	p, d, err := ParseGeniusXML([]byte(xmlProfile), "government", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "ceasefire" || len(d.Issues) != 3 || d.Issues[1].Range == nil {
		t.Fatalf("domain %+v", d)
	}
	if got := p.Issues["scope"].Values; !reflect.DeepEqual(got, map[string]float64{"local": 0.2, "regional": 0.5, "national": 1}) {
		t.Errorf("scope normalised to %v", got)
	}
	if p.ReservationValue == nil || *p.ReservationValue != 0.35 {
		t.Errorf("reservation %v", p.ReservationValue)
	}
	m, err := compile(d, []*Profile{p, p})
	if err != nil {
		t.Fatal(err)
	}
	// monitors=2 is half-way: 0.25 × 0.5.
	if got, want := m.contrib[1][2*2], Scale/8; got != want {
		t.Errorf("monitors=2 contributes %d, want %d", got, want)
	}
	x, err := p.GeniusXML(d)
	if err != nil {
		t.Fatal(err)
	}
	p2, d2, err := ParseGeniusXML(x, "government", d)
	if err != nil {
		t.Fatalf("reimport: %v\n%s", err, x)
	}
	if !reflect.DeepEqual(p, p2) || !reflect.DeepEqual(d, d2) {
		t.Fatalf("round trip changed the profile:\n%+v\n%+v", p, p2)
	}
	// And through GeniusWeb JSON.
	j, err := p.GeniusWebJSON(d)
	if err != nil {
		t.Fatal(err)
	}
	p3, _, err := ParseGeniusWebProfile(j, d)
	if err != nil || !reflect.DeepEqual(p, p3) {
		t.Fatalf("XML → GeniusWeb JSON changed the profile: %v\n%+v\n%+v", err, p, p3)
	}
}

func TestBadInput(t *testing.T) {
	d, err := ParseGeniusWebDomain([]byte(jobsDomain))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		file     string // profile JSON, or XML when it starts with '<'
		wantPath string
	}{
		{"weights sum to zero",
			strings.NewReplacer(`"salary":0.5,"lease car":0.2,"fte":0.3`, `"salary":0,"lease car":0,"fte":0`).Replace(jobsProfile),
			"profile.issueWeights"},
		{"negative weight",
			strings.Replace(jobsProfile, `"salary":0.5`, `"salary":-0.5`, 1),
			"profile.issueWeights.salary"},
		{"option missing a rating",
			strings.Replace(jobsProfile, `"0.6":0.2,`, ``, 1),
			"profile.issueUtilities.fte.valueUtilities.0.6"},
		{"profile for another domain",
			strings.Replace(jobsProfile, `"name":"jobs"`, `"name":"holiday"`, 1),
			"profile.domain.name"},
		{"malformed JSON",
			jobsProfile[:100],
			"profile"},
		{"value in reservation bid not in issue",
			strings.Replace(jobsProfile, `"lease car":"no"`, `"lease car":"maybe"`, 1),
			"profile.reservationBid.lease car"},
		{"numeric value in bid not on the grid",
			strings.Replace(jobsProfile, `"salary":3000.0`, `"salary":3100`, 1),
			"profile.reservationBid.salary"},
		{"rating above 1",
			strings.Replace(jobsProfile, `"yes":0.3`, `"yes":3`, 1),
			"profile.issueUtilities.lease car.valueUtilities.yes"},
		{"unknown option rated",
			strings.Replace(jobsProfile, `"yes":0.3`, `"yes":0.3,"sometimes":0.5`, 1),
			"profile.issueUtilities.lease car.valueUtilities.sometimes"},
		{"wrong type",
			strings.Replace(jobsProfile, `"name":"employer"`, `"name":7`, 1),
			"profile.name"},
		{"malformed XML", `<utility_space><objective>`, "utility_space"},
		{"XML item without evaluation",
			strings.Replace(xmlProfile, `value="regional" evaluation="5"`, `value="regional"`, 1),
			"utility_space.objective.issue[scope].item[regional].evaluation"},
		{"XML weights sum to zero",
			strings.NewReplacer(`value="0.5"/>`, `value="0"/>`, `value="0.25"/>`, `value="0"/>`).Replace(xmlProfile),
			"profile.issueWeights"},
		{"XML for another domain", xmlProfile, "utility_space"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if strings.HasPrefix(strings.TrimSpace(tc.file), "<") {
				var dom *Domain
				if tc.name == "XML for another domain" {
					dom = d
				}
				_, _, err = ParseGeniusXML([]byte(tc.file), "p", dom)
			} else {
				_, _, err = ParseGeniusWebProfile([]byte(tc.file), d)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if e.Code != CodeInvalid || e.Path != tc.wantPath {
				t.Errorf("got code %q path %q (%v), want invalid at %q", e.Code, e.Path, err, tc.wantPath)
			}
		})
	}
}

func TestBadDomain(t *testing.T) {
	tests := []struct {
		name, file, wantPath string
	}{
		{"malformed", `{"name":"x","issuesValues":{`, "domain"},
		{"no issues", `{"name":"x","issuesValues":{}}`, "domain.issues"},
		{"no options", `{"name":"x","issuesValues":{"a":{"values":[]}}}`, "domain.issuesValues.a"},
		{"duplicate option", `{"name":"x","issuesValues":{"a":{"values":["p","p"]}}}`, "domain.issuesValues.a.p"},
		{"bad step", `{"name":"x","issuesValues":{"a":{"range":{"low":1,"high":2,"step":0}}}}`, "domain.issuesValues.a.range.step"},
		{"huge range", `{"name":"x","issuesValues":{"a":{"range":{"low":0,"high":1e9,"step":1}}}}`, "domain.issuesValues.a.range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseGeniusWebDomain([]byte(tc.file))
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalid || e.Path != tc.wantPath {
				t.Errorf("got %v, want invalid at %q", err, tc.wantPath)
			}
		})
	}
}
