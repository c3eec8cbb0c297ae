package detainees

// SetLink replaces the record-linkage model of s, for tests of what the
// service does with its pairs.
func SetLink(s *Service, f func(recs []StoredRecord, decided map[[2]string]bool) []Scored) {
	s.link = func(recs []StoredRecord, decided map[[2]string]bool) []scored {
		var out []scored
		for _, p := range f(recs, decided) {
			k := ordered(p.A, p.B)
			out = append(out, scored{A: k[0], B: k[1], Probability: p.Probability, Review: p.Review})
		}
		return out
	}
}

// Scored is a pair a test's model returns.
type Scored = scored
