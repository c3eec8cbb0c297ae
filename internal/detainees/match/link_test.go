package match

import (
	"slices"
	"testing"
)

// story lists: the government writes Arabic, the opposition Latin script.
func storyLists() (a, b []Record) {
	a = []Record{
		{ID: "G1", NameAr: "محمد أحمد الحسن", Mother: "فاطمة", Sex: "M", BirthYear: "1985", BirthPlace: "حلب"},
		{ID: "G2", Given: "خالد", Father: "عمر", Family: "الحلبي", Mother: "خديجة", BirthDate: "1979-04-11"},
		{ID: "G3", NameAr: "حسين علي محمود الكردي", Mother: "زينب", BirthYear: "1990", NationalID: "02011223344"},
		{ID: "G4", NameAr: "عبد الرحمن يوسف النجار", Mother: "سعاد", BirthYear: "1982", BirthPlace: "حمص"},
		{ID: "G5", NameAr: "فاطمة محمود الخطيب", Sex: "F", BirthDate: "1988-02-07", BirthPlace: "دمشق"},
		{ID: "G6", NameAr: "إبراهيم مصطفى الحداد", Mother: "آمنة", BirthYear: "1975"},
		{ID: "G7", NameAr: "نور الدين سعيد الشامي", Mother: "مريم", BirthYear: "1993", BirthPlace: "درعا"},
		{ID: "G8", NameAr: "أسامة ياسر الزعبي", Mother: "هدى", BirthYear: "1987"},
		{ID: "G9", NameAr: "محمد أحمد الأحمد", Mother: "سعاد", BirthYear: "1970", BirthPlace: "إدلب"},
		{ID: "G10", NameAr: "عمر خالد الحموي", Mother: "هدى", BirthYear: "1984", BirthPlace: "حماة"},
		{ID: "G11", NameAr: "محمد أحمد حسن الحسن", Mother: "فاطمة", BirthYear: "1985", BirthPlace: "حلب"},
		{ID: "G12", NameAr: "سامر جميل العطار", Mother: "ليلى", BirthYear: "1991"},
	}
	b = []Record{
		{ID: "O1", NameLatin: "Mohammed Ahmad Al-Hassan", Mother: "Fatima", BirthYear: "1985", BirthPlace: "Aleppo"},
		{ID: "O2", NameLatin: "Khalid Omar Halabi", Mother: "Khadija", BirthDate: "1979-11-04"},
		{ID: "O3", Given: "Hussein", Father: "Ali", Family: "Kurdi", BirthYear: "1991", NationalID: "02011223344"},
		{ID: "O4", NameLatin: "Abdul Rahman Yousef Najjar", Mother: "Souad", BirthYear: "1982", BirthPlace: "Homs"},
		{ID: "O5", NameLatin: "Fatma Mahmoud El-Khatib", Sex: "F", BirthDate: "1988-02-07"},
		{ID: "O6", NameLatin: "AL-HADDAD Ibrahim Moustafa", Mother: "Amina", BirthYear: "1975"},
		{ID: "O7", NameLatin: "Nour Eddin Saeed Ash-Shami", Mother: "Maryam", BirthPlace: "Deraa"},
		{ID: "O8", NameLatin: "Usama Yaser Al-Zoubi", Mother: "Huda", BirthYear: "1988"},
		{ID: "O9", NameLatin: "Mohammed Ahmad Al-Ahmad", Mother: "Mona", BirthYear: "1996", BirthPlace: "Damascus"},
		{ID: "O10", NameLatin: "Ali Khaled Al-Hamwi", Mother: "Hoda", BirthYear: "1986", BirthPlace: "Hama"},
		{ID: "O11", NameLatin: "Rami Hassan Tahhan", Mother: "Salma", BirthYear: "1979"},
	}
	return a, b
}

func pairSet(ps []Pair) map[[2]string]float64 {
	m := map[[2]string]float64{}
	for _, p := range ps {
		m[[2]string{p.A, p.B}] = p.Probability
	}
	return m
}

func TestLinkAcrossScripts(t *testing.T) {
	a, b := storyLists()
	res := Link(a, b, Options{})
	got := pairSet(res.Pairs)
	want := [][2]string{{"G1", "O1"}, {"G11", "O1"}, {"G2", "O2"}, {"G3", "O3"}, {"G4", "O4"}, {"G5", "O5"}, {"G6", "O6"}, {"G7", "O7"}, {"G8", "O8"}}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Errorf("pair %v not accepted (review: %v)", w, res.Review)
		}
	}
	for _, no := range [][2]string{{"G9", "O9"}, {"G10", "O10"}, {"G9", "O1"}, {"G1", "O9"}} {
		if p, ok := got[no]; ok {
			t.Errorf("pair %v accepted with %.3f: namesakes or brothers are not one person", no, p)
		}
	}
	for _, p := range res.Pairs {
		if p.Probability < DefaultAccept || p.Probability > 1 {
			t.Errorf("accepted %v below the threshold", p)
		}
	}
	for _, p := range res.Review {
		if p.Probability < DefaultReview {
			t.Errorf("review %v below the band", p)
		}
	}
	// The person entered twice by the government and once by the
	// opposition is one cluster.
	if !slices.ContainsFunc(res.Clusters, func(c []Member) bool {
		return slices.Equal(c, []Member{{"a", "G1"}, {"a", "G11"}, {"b", "O1"}})
	}) {
		t.Errorf("clusters %v lack G1, G11, O1", res.Clusters)
	}
	if res.Stats.RecordsA != len(a) || res.Stats.RecordsB != len(b) || res.Stats.Candidates == 0 || res.Stats.Accepted != len(res.Pairs) {
		t.Errorf("stats %+v", res.Stats)
	}
	if res.WithinA.Pairs != nil {
		t.Errorf("duplicates reported without Options.Duplicates: %v", res.WithinA)
	}
}

func TestLinkWithinAndDuplicates(t *testing.T) {
	a, b := storyLists()
	res := Link(a, nil, Options{})
	if got := pairSet(res.Pairs); len(got) != 1 || got[[2]string{"G1", "G11"}] == 0 {
		t.Errorf("within the government list: %v, want only G1-G11", res.Pairs)
	}
	res = Link(a, b, Options{Duplicates: true})
	if got := pairSet(res.WithinA.Pairs); got[[2]string{"G1", "G11"}] == 0 {
		t.Errorf("duplicates in A: %v", res.WithinA.Pairs)
	}
	if len(res.WithinB.Pairs) != 0 {
		t.Errorf("duplicates in B: %v", res.WithinB.Pairs)
	}
}

func TestDecisionsWin(t *testing.T) {
	a, b := storyLists()
	res := Link(a, b, Options{Decisions: []Decision{
		{A: "G2", B: "O2", Match: false},  // the model accepts it; a person rejects it
		{A: "G12", B: "O11", Match: true}, // the model never compared it; a person confirms it
		{A: "G1", B: "G11", Within: "a", Match: false},
		{A: "nobody", B: "O1", Match: true}, // unknown ids are ignored
	}, Duplicates: true})
	got := pairSet(res.Pairs)
	if _, ok := got[[2]string{"G2", "O2"}]; ok {
		t.Error("a rejected pair is still accepted")
	}
	if slices.ContainsFunc(res.Review, func(p Pair) bool { return p.A == "G2" && p.B == "O2" }) {
		t.Error("a rejected pair is back in review")
	}
	if got[[2]string{"G12", "O11"}] != 1 {
		t.Errorf("a confirmed pair is not accepted with probability 1: %v", res.Pairs)
	}
	// G1 and G11 were told apart: no cluster holds both, though both match O1.
	for _, c := range res.Clusters {
		if slices.Contains(c, Member{"a", "G1"}) && slices.Contains(c, Member{"a", "G11"}) {
			t.Errorf("cluster %v joins records a person told apart", c)
		}
	}
	if res.Stats.Decided != 3 {
		t.Errorf("decided = %d, want 3", res.Stats.Decided)
	}

	// Contradictory verdicts: both G1 and G11 confirmed with O1, but G1 and
	// G11 told apart. Every confirmed pair is still accepted.
	res = Link(a, b, Options{Decisions: []Decision{
		{A: "G1", B: "O1", Match: true}, {A: "G11", B: "O1", Match: true}, {A: "G1", B: "G11", Within: "a", Match: false},
	}, Duplicates: true})
	got = pairSet(res.Pairs)
	if got[[2]string{"G1", "O1"}] != 1 || got[[2]string{"G11", "O1"}] != 1 {
		t.Errorf("confirmed pairs lost: %v", res.Pairs)
	}
	if _, ok := pairSet(res.WithinA.Pairs)[[2]string{"G1", "G11"}]; ok {
		t.Error("a rejected duplicate pair is accepted")
	}
}

func TestLinkEdgeCases(t *testing.T) {
	if res := Link(nil, nil, Options{}); len(res.Pairs)+len(res.Review)+len(res.Clusters) != 0 {
		t.Errorf("empty lists: %+v", res)
	}
	a, _ := storyLists()
	if res := Link(a, []Record{}, Options{}); len(res.Pairs) != 0 {
		t.Errorf("against an empty list: %v", res.Pairs)
	}
	// Records without an id are skipped; identical records match.
	recs := []Record{{NameAr: "محمد"}, {ID: "1", NameAr: "محمد علي الحسن", BirthYear: "1980"}, {ID: "2", NameAr: "محمد علي الحسن", BirthYear: "1980"}}
	res := Link(recs, nil, Options{})
	if len(res.Pairs) != 1 || res.Pairs[0].A != "1" || res.Pairs[0].B != "2" {
		t.Errorf("pairs %v", res.Pairs)
	}
}
