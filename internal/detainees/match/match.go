// Package match decides which detainee records name the same person, within
// one list (duplicates) and across two lists, when names are written in
// Arabic script, in any of several Latin transliterations, or both, and when
// fields are missing or wrong.
//
// It is pure computation: no database, no HTTP. The detainees domain package
// reads lists into Records, calls Link, stores the Result (accepted pairs, the
// review band, clusters) and feeds the reviewers' Decisions back into the next
// Link, where they win over the model.
//
// The method (see docs/detainees-matching.md): normalise both scripts to a
// common Latin skeleton, block on several keys, compare field by field with
// frequency-aware name weights, estimate Fellegi–Sunter m/u probabilities by
// EM on the data itself, then cluster accepted pairs so that a person entered
// three times is one cluster.
package match

import "time"

// Record is one row of a detainee list in the canonical columns of a list
// import (see Columns). Every field is text as submitted; empty means unknown.
// NameAr and NameLatin hold a whole name chain when it is not split; the split
// name fields (Given … Mother) may hold either script.
type Record struct {
	ID           string // record_id: unique within its list
	NameAr       string // name_ar: whole name chain in Arabic script
	NameLatin    string // name_latin: whole name chain in Latin script
	Given        string // given_name
	Father       string // father_name
	Grandfather  string // grandfather_name
	Family       string // family_name
	Mother       string // mother_name
	Sex          string // sex: "M", "F" or ""
	BirthDate    string // birth_date: YYYY-MM-DD
	BirthYear    string // birth_year: YYYY
	BirthPlace   string // birth_place
	NationalID   string // national_id
	ArrestDate   string // arrest_date: YYYY-MM-DD
	ArrestPlace  string // arrest_place
	HoldingParty string // holding_party
	Status       string // status: held, released, deceased, unknown or ""
}

// Pair is a candidate match: A is a record id in the first list, B a record
// id in the second list (or also in the first when matching within one list).
// Probability is the model's posterior that both name the same person; a
// human decision sets it to 1 or 0.
type Pair struct {
	A           string  `json:"a"`
	B           string  `json:"b"`
	Probability float64 `json:"probability"`
}

// Links are the pairs of one comparison scope: Pairs are accepted (the
// probability reaches Options.Accept, or a person confirmed them), Review is
// the uncertain band a person should settle. Both are sorted by A then B.
type Links struct {
	Pairs  []Pair `json:"pairs"`
	Review []Pair `json:"review"`
}

// Decision is a reviewer's verdict on one pair. It wins over the model: a
// confirmed pair is accepted with probability 1, a rejected one never
// appears, and clustering never joins across a rejected pair.
//
// A and B are as in Pair. Within names the scope when two lists are linked
// with Options.Duplicates: "" for a pair across the lists (A in a, B in b),
// "a" or "b" for a duplicate pair inside that list. When Link matches a
// single list, Within is "" and both ids are in it. The order of A and B does
// not matter for pairs inside one list.
type Decision struct {
	A      string `json:"a"`
	B      string `json:"b"`
	Within string `json:"within,omitempty"`
	Match  bool   `json:"match"`
}

// Options tune Link. The zero value is usable: every zero field takes the
// default documented beside it.
type Options struct {
	// Accept is the probability from which a pair is accepted (default
	// DefaultAccept, 0.7).
	Accept float64
	// Review is the lower bound of the review band: pairs with Review <=
	// probability < Accept go to a person (default DefaultReview, 0.3).
	Review float64
	// Decisions are the reviewers' verdicts; they override the model.
	Decisions []Decision
	// Duplicates, when two lists are linked, also finds duplicates within
	// each list (Result.WithinA, Result.WithinB). Ignored for one list,
	// where duplicates are the whole point.
	Duplicates bool
	// Workers bounds the goroutines used (default GOMAXPROCS).
	Workers int
	// Explain keeps the blocking index in Result.Compared, for measuring
	// blocking recall; it holds memory as long as the Result lives.
	Explain bool
}

// Member names one record in a cluster: List is "a" or "b".
type Member struct {
	List string `json:"list"`
	ID   string `json:"id"`
}

// Stats counts what Link did, for the matching run's summary and benchmarks.
type Stats struct {
	RecordsA, RecordsB int // records read on each side
	Candidates         int // distinct pairs that passed blocking and were compared
	Accepted           int // accepted pairs over all scopes (after clustering)
	Review             int // pairs in the review band over all scopes
	Decided            int // pairs settled by a Decision
	Clusters           int // clusters with more than one record
	Iterations         int // EM iterations run
	// Wall time of each phase: normalising the records, building the
	// blocking index, comparing, estimating the model, scoring and
	// clustering.
	Prepare, Block, Compare, Fit, Cluster time.Duration
}

// Result is the outcome of Link.
type Result struct {
	// Links across the lists, or within the only list when b is nil: the
	// shape `parley detainees match` prints.
	Links
	// WithinA and WithinB are duplicates inside each list, filled only when
	// two lists are linked with Options.Duplicates.
	WithinA, WithinB Links
	// Clusters groups records that name one person (transitive closure of
	// accepted pairs, checked for consistency); only clusters of two or more
	// records, each sorted, in a stable order.
	Clusters [][]Member
	Stats    Stats
	// Compared reports whether two records shared a blocking key and so were
	// compared (when Options.Explain is set; nil otherwise).
	Compared func(x, y Member) bool `json:"-"`
}
