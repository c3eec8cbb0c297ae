package ceasefire

import (
	"context"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
)

// DuplicateOptions tune the duplicate search; zero values take the
// defaults (1 km, 2 h, similarity 0.2, 100 candidates).
type DuplicateOptions struct {
	Distance      float64 // metres
	Window        time.Duration
	MinSimilarity float64 // character-trigram Jaccard of the narratives, 0–1
	Limit         int
}

// Candidate is a pair of incidents that are likely one event: reports of
// the same type, close in space and time, with similar narratives.
type Candidate struct {
	Incidents  [2]string
	Reports    [2]string // the closest pair of reports behind it
	Type       string
	Score      float64 // 0–1, higher is likelier
	Similarity float64
	DistanceM  float64
	Gap        time.Duration
}

// Duplicates proposes likely duplicate incidents of the process among the
// reports actor reads. Monitors only.
//
// The reports are read once in time order. A sliding window holds those
// within the time window of the current one, bucketed by type and by a
// grid square about as wide as the distance, so that each report is
// compared only with the reports of its type in its own and the
// neighbouring squares: the work grows with the reports, not with their
// square, and memory with the window.
func (s *Service) Duplicates(ctx context.Context, actor access.Actor, processID string, o DuplicateOptions) (out []Candidate, err error) {
	defer errs.Wrap(&err, "ceasefire.Duplicates")
	o = o.withDefaults()
	if o.Distance <= 0 || o.Distance > 100_000 || o.Window <= 0 || o.Window > 30*24*time.Hour || o.MinSimilarity < 0 || o.MinSimilarity > 1 || o.Limit > 10000 {
		return nil, errs.Field("distance", "distance up to 100 km, window up to 30 days, similarity 0–1, limit up to 10000")
	}
	c, err := capacity(ctx, s.db.R, actor, processID)
	if err != nil {
		return nil, err
	}
	if err := requireMonitor(c, "review duplicates"); err != nil {
		return nil, err
	}
	cond, arg := access.ReadableBy(actor, "r.id", 1)
	rows, err := s.db.R.QueryContext(ctx, `SELECT r.id, r.incident_id, r.type, r.occurred_at, r.lat, r.lon, r.narrative_enc
		FROM ceasefire_reports r WHERE `+cond+` AND r.process_id = $2 ORDER BY r.occurred_at, r.id`, arg, processID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	f := newDupFinder(o)
	// The narratives are sealed; one is opened only when its report is
	// first compared.
	f.open = s.openNarrative
	for rows.Next() {
		var d dupReport
		var at int64
		if err := rows.Scan(&d.id, &d.incident, &d.typ, &at, &d.lat, &d.lon, &d.sealed); err != nil {
			return nil, err
		}
		d.at = store.Time(at)
		f.add(&d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if f.err != nil {
		return nil, f.err
	}
	return f.result(), nil
}

func (o DuplicateOptions) withDefaults() DuplicateOptions {
	if o.Distance == 0 {
		o.Distance = DefaultDistance
	}
	if o.Window == 0 {
		o.Window = DefaultWindow
	}
	if o.MinSimilarity == 0 {
		o.MinSimilarity = DefaultSimilarity
	}
	if o.Limit == 0 {
		o.Limit = 100
	}
	return o
}

type dupReport struct {
	id, incident, typ string
	at                time.Time
	lat, lon          float64
	narrative         string
	sealed            []byte   // the narrative as stored, when narrative is not given
	grams             []uint32 // the narrative's trigrams, once compared
	key               dupKey
}

// trigrams computes the report's trigrams when it is first compared: most
// reports have no neighbour of their type in space and time, and never
// are.
func (f *dupFinder) trigrams(d *dupReport) []uint32 {
	if d.grams == nil {
		if d.sealed != nil && f.open != nil {
			var err error
			if d.narrative, err = f.open(d.id, d.sealed); err != nil && f.err == nil {
				f.err = err
			}
		}
		d.grams = trigrams(d.narrative)
		if d.grams == nil {
			d.grams = []uint32{}
		}
		d.narrative, d.sealed = "", nil
	}
	return d.grams
}

type dupKey struct {
	typ      string
	row, col int64
}

// dupFinder is the sliding window of the duplicate search.
type dupFinder struct {
	o       DuplicateOptions
	cellDeg float64 // grid square side in degrees of latitude
	window  []*dupReport
	head    int
	buckets map[dupKey][]*dupReport
	best    map[[2]string]Candidate
	open    func(id string, sealed []byte) (string, error) // opens a sealed narrative
	err     error                                          // the first narrative that did not open
}

const metresPerDegree = 111_320.0

func newDupFinder(o DuplicateOptions) *dupFinder {
	return &dupFinder{o: o, cellDeg: o.Distance / metresPerDegree, buckets: map[dupKey][]*dupReport{}, best: map[[2]string]Candidate{}}
}

func (f *dupFinder) add(d *dupReport) {
	// Leave the window: the reports older than the window before d.
	for f.head < len(f.window) && d.at.Sub(f.window[f.head].at) > f.o.Window {
		old := f.window[f.head]
		f.window[f.head] = nil
		f.head++
		b := f.buckets[old.key]
		if len(b) <= 1 {
			delete(f.buckets, old.key)
		} else {
			f.buckets[old.key] = b[1:] // the oldest of its square
		}
	}
	if f.head > 4096 && f.head*2 > len(f.window) {
		f.window = append(f.window[:0], f.window[f.head:]...)
		f.head = 0
	}
	row := int64(math.Floor(d.lat / f.cellDeg))
	col := int64(math.Floor(d.lon / f.cellDeg))
	// A degree of longitude is shorter than one of latitude: look as many
	// squares east and west as the distance spans there.
	span := int64(math.Ceil(1 / math.Max(math.Cos(d.lat*math.Pi/180), 0.05)))
	for r := row - 1; r <= row+1; r++ {
		for c := col - span; c <= col+span; c++ {
			for _, e := range f.buckets[dupKey{d.typ, r, c}] {
				f.compare(e, d)
			}
		}
	}
	d.key = dupKey{d.typ, row, col}
	f.buckets[d.key] = append(f.buckets[d.key], d)
	f.window = append(f.window, d)
}

func (f *dupFinder) compare(a, b *dupReport) {
	if a.incident == b.incident {
		return
	}
	dist := haversine(a.lat, a.lon, b.lat, b.lon)
	if dist > f.o.Distance {
		return
	}
	sim := jaccard(f.trigrams(a), f.trigrams(b))
	if sim < f.o.MinSimilarity {
		return
	}
	gap := b.at.Sub(a.at)
	score := 0.6*sim + 0.2*(1-dist/f.o.Distance) + 0.2*(1-float64(gap)/float64(f.o.Window))
	c := Candidate{Incidents: [2]string{a.incident, b.incident}, Reports: [2]string{a.id, b.id}, Type: a.typ,
		Score: math.Round(score*1000) / 1000, Similarity: math.Round(sim*1000) / 1000, DistanceM: math.Round(dist), Gap: gap}
	if c.Incidents[0] > c.Incidents[1] {
		c.Incidents[0], c.Incidents[1] = c.Incidents[1], c.Incidents[0]
		c.Reports[0], c.Reports[1] = c.Reports[1], c.Reports[0]
	}
	if old, ok := f.best[c.Incidents]; !ok || c.Score > old.Score {
		f.best[c.Incidents] = c
	}
}

func (f *dupFinder) result() []Candidate {
	out := make([]Candidate, 0, len(f.best))
	for _, c := range f.best {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Incidents[0]+a.Incidents[1], b.Incidents[0]+b.Incidents[1])
	})
	if len(out) > f.o.Limit {
		out = out[:f.o.Limit]
	}
	return out
}

// haversine is the great-circle distance in metres.
func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6_371_000.0
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// normalise prepares a narrative for comparison in any script: lower case,
// combining marks (accents, Arabic vowel signs) and the tatweel dropped,
// the Arabic letters written several ways unified, anything but letters
// and digits a single space.
func normalise(s string) string {
	var b strings.Builder
	space := true
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r) || r == 'ـ':
			continue
		case r == 'أ' || r == 'إ' || r == 'آ' || r == 'ٱ':
			r = 'ا'
		case r == 'ة':
			r = 'ه'
		case r == 'ى':
			r = 'ي'
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

// trigrams is the sorted set of hashed character trigrams of the
// normalised text, padded with a space at each end.
func trigrams(s string) []uint32 {
	rs := []rune(" " + normalise(s) + " ")
	if len(rs) < 3 {
		return nil
	}
	out := make([]uint32, 0, len(rs)-2)
	h := fnv.New32a()
	var buf [12]byte
	for i := 0; i+3 <= len(rs); i++ {
		h.Reset()
		n := 0
		for _, r := range rs[i : i+3] {
			n += encodeRune(buf[n:], r)
		}
		h.Write(buf[:n])
		out = append(out, h.Sum32())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func encodeRune(b []byte, r rune) int {
	b[0], b[1], b[2], b[3] = byte(r>>24), byte(r>>16), byte(r>>8), byte(r)
	return 4
}

// jaccard is |a ∩ b| / |a ∪ b| of two sorted sets.
func jaccard(a, b []uint32) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	i, j, inter := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}
