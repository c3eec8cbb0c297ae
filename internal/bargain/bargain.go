// Package bargain holds negotiation domains, the parties' confidential
// preference profiles and the package analysis the mediation runs on them:
// the exact Pareto frontier, the Nash bargaining solution, the
// Kalai–Smorodinsky point, maximum social welfare and the comparison of a
// draft package against all of these.
//
// The package is pure computation: it imports no database or HTTP code. Its
// types marshal to plain JSON so that a store layer can persist a domain and
// one profile per party as documents.
package bargain

import (
	"fmt"
	"math/big"
	"strings"
)

// Error codes returned by this package. They match the platform-wide codes so
// that the API layer can map them to HTTP statuses in one place.
const (
	// CodeInvalid marks bad input: a malformed file, a missing rating, a
	// profile for another domain.
	CodeInvalid = "invalid"
	// CodeTooLarge marks an analysis that would exceed its memory bound.
	CodeTooLarge = "too_large"
)

// Error is a failure that can be shown to the caller. Path names the offending
// element of the input (for example
// "profile.issueUtilities.scope.valueUtilities.full") so that a user can find
// and fix it.
type Error struct {
	Code    string // CodeInvalid or CodeTooLarge
	Path    string // offending input path, empty when not tied to one
	Message string // human readable, safe to show
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Code + ": " + e.Message
	}
	return e.Code + ": " + e.Path + ": " + e.Message
}

func invalid(path, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Path: path, Message: fmt.Sprintf(format, args...)}
}

func tooLarge(format string, args ...any) *Error {
	return &Error{Code: CodeTooLarge, Message: fmt.Sprintf(format, args...)}
}

// MaxOptionsPerIssue bounds how many options one issue (in particular a
// numeric range) may expand to; beyond it the domain is refused rather than
// expanded into memory.
const MaxOptionsPerIssue = 10000

// Domain is a negotiation domain: the issues on the table, each linked in the
// platform to an agenda item, and their options.
type Domain struct {
	Name   string  `json:"name"`
	Issues []Issue `json:"issues"`
}

// Issue is one question to settle. It has either discrete Values or a numeric
// Range; a numeric range is expanded to its grid of options low, low+step, …
// up to high.
type Issue struct {
	Name   string       `json:"name"`
	Values []string     `json:"values,omitempty"`
	Range  *NumberRange `json:"range,omitempty"`
}

// NumberRange is a numeric issue's range. The bounds are kept as decimal
// strings so that the options are exact (0.1 + 0.2 is 0.3 here).
type NumberRange struct {
	Low  string `json:"low"`
	High string `json:"high"`
	Step string `json:"step"`
}

// Bid is a package: for every issue, the option chosen (numeric options in
// their canonical decimal form, see Issue.Options).
type Bid map[string]string

// IssueUtility is one party's preference on one issue: its weight and either a
// rating for every discrete option or a linear function on a numeric range.
type IssueUtility struct {
	// Weight is relative: weights are divided by their sum, which must be
	// positive, so sliders totalling 100 and GeniusWeb weights totalling 1
	// mean the same.
	Weight float64 `json:"weight"`
	// Values rates each discrete option in [0, 1].
	Values map[string]float64 `json:"values,omitempty"`
	// Number interpolates linearly between two points of a numeric issue.
	Number *NumberUtility `json:"number,omitempty"`
}

// NumberUtility is a linear utility on a numeric issue, as GeniusWeb's
// NumberValueSetUtilities: LowUtility at LowValue, HighUtility at HighValue,
// interpolated in between and 0 outside.
type NumberUtility struct {
	LowValue    string  `json:"lowValue"`
	LowUtility  float64 `json:"lowUtility"`
	HighValue   string  `json:"highValue"`
	HighUtility float64 `json:"highUtility"`
}

// Profile is one party's confidential, linear additive preference profile.
type Profile struct {
	Name   string                  `json:"name"`
	Domain string                  `json:"domain"`
	Issues map[string]IssueUtility `json:"issues"`
	// ReservationBid, when set, is the package the party falls back on; its
	// utility is the party's disagreement utility.
	ReservationBid Bid `json:"reservationBid,omitempty"`
	// ReservationValue, when set and there is no ReservationBid, is the least
	// utility the party would accept.
	ReservationValue *float64 `json:"reservationValue,omitempty"`
}

// Options expands an issue into its options in a fixed order. Discrete
// options keep their listed order; numeric options run from low to high. The
// order matters: ties between packages are broken by it.
func (is Issue) Options() ([]string, error) {
	if is.Range == nil {
		return is.Values, nil
	}
	low, ok1 := parseDecimal(is.Range.Low)
	high, ok2 := parseDecimal(is.Range.High)
	step, ok3 := parseDecimal(is.Range.Step)
	switch {
	case !ok1:
		return nil, invalid("range.low", "%q is not a number", is.Range.Low)
	case !ok2:
		return nil, invalid("range.high", "%q is not a number", is.Range.High)
	case !ok3 || step.Sign() <= 0:
		return nil, invalid("range.step", "step must be a positive number")
	case high.Cmp(low) < 0:
		return nil, invalid("range.high", "high is below low")
	}
	// n = floor((high-low)/step) + 1, computed exactly.
	span := new(big.Rat).Sub(high, low)
	span.Quo(span, step)
	n := new(big.Int).Quo(span.Num(), span.Denom())
	if !n.IsInt64() || n.Int64()+1 > MaxOptionsPerIssue {
		return nil, invalid("range", "range expands to more than %d options", MaxOptionsPerIssue)
	}
	out := make([]string, 0, n.Int64()+1)
	x := new(big.Rat).Set(low)
	for i := int64(0); i <= n.Int64(); i++ {
		out = append(out, formatDecimal(x))
		x.Add(x, step)
	}
	return out, nil
}

// parseDecimal reads a decimal or scientific-notation number exactly.
func parseDecimal(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || strings.Contains(s, "/") {
		return nil, false
	}
	return r, true
}

// formatDecimal writes r without trailing zeros; exact when r is a
// terminating decimal, otherwise rounded to 18 places.
func formatDecimal(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	prec, exact := r.FloatPrec()
	if !exact || prec > 18 {
		prec = 18
	}
	s := r.FloatString(prec)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// canonicalNumber returns the canonical form of a numeric option, so that a
// bid may say "2000", "2000.0" or 2e3.
func canonicalNumber(s string) (string, bool) {
	r, ok := parseDecimal(s)
	if !ok {
		return "", false
	}
	return formatDecimal(r), true
}

// Validate checks a domain: a name, at least one issue, unique issue names,
// and at least one unique option per issue.
func (d *Domain) Validate() error {
	if strings.TrimSpace(d.Name) == "" {
		return invalid("domain.name", "the domain has no name")
	}
	if len(d.Issues) == 0 {
		return invalid("domain.issues", "the domain has no issues")
	}
	seen := map[string]bool{}
	for _, is := range d.Issues {
		path := "domain.issuesValues." + is.Name
		if is.Name == "" {
			return invalid("domain.issuesValues", "an issue has an empty name")
		}
		if seen[is.Name] {
			return invalid(path, "issue %q appears twice", is.Name)
		}
		seen[is.Name] = true
		if is.Range != nil && len(is.Values) > 0 {
			return invalid(path, "an issue has either values or a range, not both")
		}
		opts, err := is.Options()
		if err != nil {
			e := err.(*Error)
			e.Path = path + "." + e.Path
			return e
		}
		if len(opts) == 0 {
			return invalid(path, "issue %q has no options", is.Name)
		}
		if len(opts) > MaxOptionsPerIssue {
			return invalid(path, "issue %q has more than %d options", is.Name, MaxOptionsPerIssue)
		}
		vals := map[string]bool{}
		for _, v := range opts {
			if vals[v] {
				return invalid(path+"."+v, "option %q appears twice", v)
			}
			vals[v] = true
		}
	}
	return nil
}

// OutcomeCount is the number of packages in the domain: the product of the
// issues' option counts. It is exact; 40 issues of 10 options give 10^40.
func (d *Domain) OutcomeCount() *big.Int {
	n := big.NewInt(1)
	for _, is := range d.Issues {
		opts, err := is.Options()
		if err != nil {
			return big.NewInt(0)
		}
		n.Mul(n, big.NewInt(int64(len(opts))))
	}
	return n
}

// optionIndex resolves a bid's value on an issue to the option's position, or
// -1 when the value is not one of the issue's options.
func optionIndex(is Issue, opts []string, v string) int {
	if is.Range != nil {
		c, ok := canonicalNumber(v)
		if !ok {
			return -1
		}
		v = c
	}
	for i, o := range opts {
		if o == v {
			return i
		}
	}
	return -1
}
