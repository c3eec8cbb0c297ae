package demo

import (
	"context"
	"fmt"
	"time"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/ceasefire"
	"parley/internal/talks"
)

// CeasefireStart is when the demo's ceasefire took effect.
var CeasefireStart = time.Date(2016, 12, 30, 0, 0, 0, 0, time.UTC)

// demoReport is one report of the demo: who files it, when (hours from the
// ceasefire's start), where, what, and what the monitors made of it.
type demoReport struct {
	by                  string // username
	hours               float64
	place, admin1       string
	lat, lon            float64
	typ, perp, affected string // perp and affected: org keys, "unknown" or "civilians"
	killed, injured     [3]int
	knowledge, platform string
	narrative           string
	finding             string // "", or a status the monitors reach
	publish             bool
}

// demoReports are written for parley: plausible, not taken from any real
// record. Pairs marked "duplicate" describe one event from two sources.
var demoReports = []demoReport{
	{"monitor", -70, "Ain al-Fijah", "Rif Dimashq", 33.691, 36.103, "shelling", "gov", "civilians", [3]int{0, 1, 2}, [3]int{3, 5, 8}, "seen", "patrol",
		"Patrol observed artillery shells landing near the water spring at Ain al-Fijah; the pumping station was damaged.", ConfirmedViolationFinding, true},
	{"opp.head", -69.5, "عين الفيجة", "ريف دمشق", 33.6925, 36.1045, "shelling", "gov", "civilians", [3]int{1, 2, 3}, [3]int{4, 6, 9}, "heard", "witness",
		"Artillery shells landed near the water spring at Ain al-Fijah, damaging the pumping station; residents fled.", "", false}, // duplicate of the above
	{"gov.head", -40, "Jobar", "Damascus", 33.531, 36.331, "armed_clash", "opp", "gov", [3]int{2, 3, 5}, [3]int{4, 7, 10}, "reported", "other",
		"Armed groups attacked army positions on the eastern edge of Jobar with mortars and light weapons.", "", false},
	{"guarantor.ru", 6, "Wadi Barada", "Rif Dimashq", 33.655, 36.151, "armed_clash", "opp", "gov", [3]int{0, 0, 1}, [3]int{1, 2, 3}, "reported", "other",
		"Exchange of fire between armed groups and army units in the Wadi Barada valley after the ceasefire took effect.", UnderReviewFinding, false},
	{"opp.head", 10, "دوما", "ريف دمشق", 33.571, 36.402, "air_strike", "gov", "civilians", [3]int{2, 4, 6}, [3]int{10, 14, 20}, "seen", "witness",
		"غارة جوية استهدفت سوقًا شعبيًا في وسط دوما بعد ساعات من بدء وقف إطلاق النار، وسقط قتلى وجرحى من المدنيين.", ConfirmedViolationFinding, true},
	{"monitor", 10.8, "Douma", "Rif Dimashq", 33.5745, 36.3985, "air_strike", "gov", "civilians", [3]int{3, 4, 5}, [3]int{12, 15, 18}, "seen", "drone",
		"Drone footage shows an air strike on the central market of Douma; civilian casualties reported by local medics.", "", false},
	{"monitor", 11.2, "دوما", "ريف دمشق", 33.5718, 36.4015, "air_strike", "gov", "civilians", [3]int{2, 4, 6}, [3]int{10, 15, 20}, "heard", "witness",
		"غارة جوية على سوق شعبي في وسط دوما بعد بدء وقف إطلاق النار، قتلى وجرحى من المدنيين.", "", false}, // duplicate of the Arabic report above
	{"gov.head", 20, "Harasta", "Rif Dimashq", 33.558, 36.365, "shelling", "opp", "civilians", [3]int{0, 1, 1}, [3]int{2, 3, 5}, "reported", "other",
		"Mortar rounds fired from Eastern Ghouta fell on residential streets of Harasta.", UnverifiableFinding, false},
	{"guarantor.tr", 26, "Idlib", "Idlib", 35.931, 36.634, "air_strike", "unknown", "civilians", [3]int{0, 2, 4}, [3]int{5, 8, 12}, "reported", "other",
		"Unidentified aircraft struck the outskirts of Idlib city; the strike hit a bakery.", UnderReviewFinding, false},
	{"opp.head", 30, "خان الشيح", "ريف دمشق", 33.372, 36.102, "shelling", "gov", "civilians", [3]int{0, 0, 1}, [3]int{1, 3, 4}, "heard", "witness",
		"قصف مدفعي على أطراف بلدة خان الشيح استمر نحو ساعة.", "", false},
	{"monitor", 36, "Al-Waer", "Homs", 34.734, 36.683, "sniper_fire", "unknown", "civilians", [3]int{1, 1, 1}, [3]int{0, 1, 1}, "seen", "fixed_camera",
		"A civilian was shot by a sniper while crossing the main road of al-Waer; the camera at the crossing recorded the shot.", ConfirmedViolationFinding, true},
	{"gov.head", 44, "Aleppo, al-Hamdaniya", "Aleppo", 36.181, 37.118, "shelling", "opp", "civilians", [3]int{1, 2, 3}, [3]int{6, 9, 12}, "reported", "other",
		"Rockets fired from the western countryside fell on the al-Hamdaniya neighbourhood of Aleppo.", NotAViolationFinding, true},
	{"opp.head", 50, "درعا البلد", "درعا", 32.615, 36.103, "air_strike", "gov", "civilians", [3]int{0, 1, 2}, [3]int{2, 4, 6}, "seen", "witness",
		"برميل متفجر سقط على حي سكني في درعا البلد.", "", false},
	{"monitor", 62, "Zabadani", "Rif Dimashq", 33.724, 36.097, "aid_obstruction", "gov", "civilians", [3]int{0, 0, 0}, [3]int{0, 0, 0}, "seen", "patrol",
		"An aid convoy with medical supplies was held at the checkpoint outside Zabadani for nine hours and turned back.", ConfirmedViolationFinding, true},
	{"guarantor.ir", 70, "Jobar", "Damascus", 33.529, 36.336, "armed_clash", "opp", "gov", [3]int{1, 2, 4}, [3]int{3, 5, 8}, "reported", "other",
		"Armed groups launched an attack on army positions in Jobar using tunnels.", "", false},
	{"opp.head", 75, "الرستن", "حمص", 34.927, 36.733, "shelling", "gov", "civilians", [3]int{0, 1, 2}, [3]int{3, 4, 6}, "heard", "witness",
		"قصف مدفعي على الأحياء الشمالية لمدينة الرستن.", NotAViolationFinding, false},
	{"monitor", 90, "Hama, Kafr Zita", "Hama", 35.374, 36.601, "armed_clash", "opp", "gov", [3]int{2, 3, 5}, [3]int{4, 6, 9}, "seen", "drone",
		"Drone observed fighting between armed groups and army units near Kafr Zita after an attack on a checkpoint.", ConfirmedViolationFinding, true},
	{"gov.head", 100, "Latakia countryside", "Latakia", 35.712, 36.012, "shelling", "opp", "gov", [3]int{0, 0, 1}, [3]int{1, 2, 3}, "reported", "other",
		"Shells were fired at army positions in the Latakia mountains from the Jisr al-Shughur direction.", "", false},
	{"opp.spokesperson", 110, "وادي بردى", "ريف دمشق", 33.662, 36.139, "shelling", "gov", "civilians", [3]int{1, 2, 3}, [3]int{5, 7, 10}, "seen", "witness",
		"قصف عنيف على قرى وادي بردى رغم إعلان الهدنة، ونزوح عشرات العائلات نحو الجبال.", "", false},
	{"monitor", 130, "Quneitra", "Quneitra", 33.125, 35.824, "other", "unknown", "unknown", [3]int{0, 0, 0}, [3]int{0, 0, 0}, "heard", "patrol",
		"Explosions heard near Quneitra; the patrol could not reach the area to confirm their source.", UnverifiableFinding, false},
	{"opp.head", 150, "إدلب", "إدلب", 35.935, 36.641, "arrest_abduction", "unknown", "civilians", [3]int{0, 0, 0}, [3]int{0, 0, 0}, "reported", "witness",
		"اختطاف ناشط إعلامي من منزله في مدينة إدلب على يد مسلحين مجهولين.", "", false},
	{"gov.head", 170, "Al-Waer", "Homs", 34.738, 36.679, "armed_clash", "opp", "gov", [3]int{0, 1, 2}, [3]int{2, 3, 4}, "reported", "other",
		"Armed men opened fire on an army post at the al-Waer entrance.", "", false},
	{"monitor", 200, "Eastern Ghouta, Kafr Batna", "Rif Dimashq", 33.512, 36.379, "shelling", "gov", "civilians", [3]int{0, 1, 2}, [3]int{3, 5, 7}, "seen", "patrol",
		"Patrol recorded impact craters from artillery shells in a residential block of Kafr Batna.", UnderReviewFinding, false},
	{"guarantor.ru", 240, "Aleppo, Ramouseh", "Aleppo", 36.165, 37.146, "shelling", "opp", "gov", [3]int{0, 0, 0}, [3]int{0, 1, 2}, "reported", "other",
		"Mortar fire at the Ramouseh road used by aid convoys.", "", false},
	{"opp.head", 280, "داعل", "درعا", 32.757, 36.131, "air_strike", "gov", "civilians", [3]int{1, 2, 3}, [3]int{4, 6, 8}, "seen", "witness",
		"غارة جوية على مدرسة في بلدة داعل، والمدرسة كانت خالية من الطلاب وقت الغارة.", ConfirmedViolationFinding, false},
	{"monitor", 320, "Tal Rifaat", "Aleppo", 36.470, 37.097, "attack_on_civilians", "unknown", "civilians", [3]int{1, 1, 2}, [3]int{2, 3, 3}, "reported", "witness",
		"A car carrying farm workers was fired on at the edge of Tal Rifaat.", "", false},
	{"gov.head", 360, "Mhardeh", "Hama", 35.249, 36.573, "shelling", "opp", "civilians", [3]int{0, 1, 1}, [3]int{2, 4, 5}, "reported", "other",
		"Rockets struck the town of Mhardeh; a church courtyard was hit.", "", false},
	{"opp.head", 400, "الغوطة الشرقية، عربين", "ريف دمشق", 33.539, 36.367, "aid_obstruction", "gov", "civilians", [3]int{0, 0, 0}, [3]int{0, 0, 0}, "reported", "other",
		"منع دخول قافلة مساعدات غذائية إلى عربين للأسبوع الثالث على التوالي.", "", false},
	{"monitor", 450, "Wadi Barada", "Rif Dimashq", 33.661, 36.140, "shelling", "gov", "civilians", [3]int{0, 1, 2}, [3]int{3, 4, 6}, "seen", "patrol",
		"Patrol observed shelling of the villages of the Wadi Barada valley; families seen leaving towards the mountains.", "", false},
	{"monitor", 451, "Wadi Barada", "Rif Dimashq", 33.663, 36.142, "shelling", "gov", "civilians", [3]int{0, 1, 2}, [3]int{2, 4, 6}, "heard", "witness",
		"Witnesses describe shelling of the villages of the Wadi Barada valley, with families leaving towards the mountains.", "", false}, // duplicate of the above
}

// The findings a demo report's incident reaches.
const (
	ConfirmedViolationFinding = ceasefire.ConfirmedViolation
	NotAViolationFinding      = ceasefire.NotAViolation
	UnverifiableFinding       = ceasefire.Unverifiable
	UnderReviewFinding        = ceasefire.UnderReview
)

// demoZones are rough outlines of the de-escalation areas, drawn for the
// demo only.
const demoZones = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"name":"Idlib","kind":"de-escalation"},"geometry":{"type":"Polygon","coordinates":[[[36.2,35.6],[37.0,35.6],[37.0,36.3],[36.2,36.3],[36.2,35.6]]]}},
{"type":"Feature","properties":{"name":"Northern Homs","kind":"de-escalation"},"geometry":{"type":"Polygon","coordinates":[[[36.6,34.8],[36.9,34.8],[36.9,35.05],[36.6,35.05],[36.6,34.8]]]}},
{"type":"Feature","properties":{"name":"Eastern Ghouta","kind":"de-escalation"},"geometry":{"type":"Polygon","coordinates":[[[36.33,33.48],[36.5,33.48],[36.5,33.62],[36.33,33.62],[36.33,33.48]]]}},
{"type":"Feature","properties":{"name":"Southern Syria","kind":"de-escalation"},"geometry":{"type":"Polygon","coordinates":[[[35.8,32.5],[36.6,32.5],[36.6,33.2],[35.8,33.2],[35.8,32.5]]]}}
]}`

// SeedCeasefire gives the demo process its ceasefire reports: a few dozen,
// in Arabic and English, around the ceasefire's start; some describe one
// event twice (one pair is already merged, the others are proposed), some
// are verified and published, and the government has answered one.
func SeedCeasefire(ctx context.Context, cf *ceasefire.Service, ts *talks.Service, as *auth.Service) error {
	actor := map[string]access.Actor{}
	for _, a := range Accounts {
		u, err := as.UserByUsername(ctx, access.System, a.Username)
		if err != nil {
			return fmt.Errorf("demo ceasefire: %s: %w", a.Username, err)
		}
		actor[a.Username] = u.Actor()
	}
	mon := actor["monitor"]
	procs, err := ts.Processes(ctx, access.System)
	if err != nil || len(procs) == 0 {
		return fmt.Errorf("demo ceasefire: no process: %v", err)
	}
	process := procs[0].ID
	orgs, err := ts.Orgs(ctx, access.System)
	if err != nil {
		return err
	}
	orgID := map[string]string{"unknown": ceasefire.Unknown, "civilians": ceasefire.Civilians}
	for _, o := range Orgs {
		for _, got := range orgs {
			if got.Name == o.Name {
				orgID[o.Key] = got.ID
			}
		}
	}
	if _, err := cf.ImportZones(ctx, mon, process, []byte(demoZones)); err != nil {
		return fmt.Errorf("demo zones: %w", err)
	}
	incidents := make([]string, len(demoReports))
	for i, d := range demoReports {
		lat, lon := d.lat, d.lon
		r, err := cf.CreateReport(ctx, actor[d.by], process, ceasefire.ReportInput{
			OccurredAt: CeasefireStart.Add(time.Duration(d.hours * float64(time.Hour))).Format(time.RFC3339), Lat: &lat, Lon: &lon,
			LocationPrecision: "town", Place: d.place, Admin1: d.admin1, Type: d.typ, Perpetrator: orgID[d.perp], Affected: orgID[d.affected],
			Killed:    ceasefire.Estimate{Low: d.killed[0], Best: d.killed[1], High: d.killed[2]},
			Injured:   ceasefire.Estimate{Low: d.injured[0], Best: d.injured[1], High: d.injured[2]},
			Knowledge: d.knowledge, Platform: d.platform, Narrative: d.narrative})
		if err != nil {
			return fmt.Errorf("demo report %d: %w", i, err)
		}
		incidents[i] = r.IncidentID
	}
	// The Douma strike: the monitors merged their two reports into the
	// opposition's; the other pairs wait as proposals.
	if _, err := cf.Merge(ctx, mon, incidents[4], []string{incidents[5], incidents[6]}, "One strike on the Douma market, reported by three sources."); err != nil {
		return fmt.Errorf("demo merge: %w", err)
	}
	for i, d := range demoReports {
		if d.finding == "" {
			continue
		}
		steps := []string{ceasefire.UnderReview}
		if d.finding != ceasefire.UnderReview {
			steps = append(steps, d.finding)
		}
		for _, st := range steps {
			v := ceasefire.Verification{Status: st, Reason: demoReason(st)}
			if st != ceasefire.UnderReview {
				v.Reliability, v.Attribution = "B", "confirmed"
				if d.perp == "unknown" {
					v.Attribution = ""
				}
			}
			if _, err := cf.Verify(ctx, mon, incidents[i], v); err != nil {
				return fmt.Errorf("demo verification %d: %w", i, err)
			}
		}
		if d.publish {
			if _, err := cf.Publish(ctx, mon, incidents[i]); err != nil {
				return fmt.Errorf("demo publication %d: %w", i, err)
			}
		}
	}
	if _, err := cf.AnswerIncident(ctx, actor["gov.head"], incidents[4],
		"The air force struck a weapons depot on the edge of Douma; there was no market at that location. We ask for the drone footage to be shared."); err != nil {
		return fmt.Errorf("demo answer: %w", err)
	}
	return nil
}

func demoReason(status string) string {
	switch status {
	case ceasefire.UnderReview:
		return "Sources cross-checked; a patrol or imagery requested."
	case ceasefire.ConfirmedViolation:
		return "Impacts and casualties confirmed by the patrol, imagery and two independent sources."
	case ceasefire.NotAViolation:
		return "The fire answered an attack on the position, within the terms of the ceasefire."
	default:
		return "The site could not be reached and the sources could not be corroborated."
	}
}
