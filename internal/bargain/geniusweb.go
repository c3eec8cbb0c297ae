package bargain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// GeniusWeb JSON.
//
// A domain:
//
//	{"name": "jobs", "issuesValues": {
//	    "lease car": {"values": ["yes", "no"]},
//	    "salary": {"range": {"low": 2000, "high": 4000, "step": 500}}}}
//
// A profile:
//
//	{"LinearAdditiveUtilitySpace": {
//	    "name": "employer", "domain": {…the domain…},
//	    "issueWeights": {"lease car": 0.3, "salary": 0.7},
//	    "issueUtilities": {
//	        "lease car": {"DiscreteValueSetUtilities": {"valueUtilities": {"yes": 0.2, "no": 1}}},
//	        "salary": {"NumberValueSetUtilities": {"lowValue": 2000, "lowUtility": 1, "highValue": 4000, "highUtility": 0}}},
//	    "reservationBid": {"issuevalues": {"lease car": "no", "salary": 3000}}}}
//
// Older files say "discreteutils" for "DiscreteValueSetUtilities"; both are
// read, the newer is written. Issue order is the order of the keys in the
// file: it decides tie-breaking, so it is kept rather than sorted.
// "reservationValue" is read and written as an extension GeniusWeb lacks.

// ParseGeniusWebDomain reads a GeniusWeb domain.
func ParseGeniusWebDomain(data []byte) (*Domain, error) {
	var raw struct {
		Name         string          `json:"name"`
		IssuesValues json.RawMessage `json:"issuesValues"`
	}
	if err := decodeStrict(data, &raw, "domain"); err != nil {
		return nil, err
	}
	d, err := domainFromIssuesValues(raw.Name, raw.IssuesValues, "domain")
	if err != nil {
		return nil, err
	}
	return d, d.Validate()
}

func domainFromIssuesValues(name string, issues json.RawMessage, path string) (*Domain, error) {
	d := &Domain{Name: name}
	if len(issues) == 0 {
		return nil, invalid(path+".issuesValues", "missing")
	}
	keys, err := objectKeys(issues, path+".issuesValues")
	if err != nil {
		return nil, err
	}
	var sets map[string]json.RawMessage
	if err := decodeStrict(issues, &sets, path+".issuesValues"); err != nil {
		return nil, err
	}
	for _, k := range keys {
		is, err := parseValueSet(k, sets[k], path+".issuesValues."+k)
		if err != nil {
			return nil, err
		}
		d.Issues = append(d.Issues, is)
	}
	return d, nil
}

type jsonRange struct {
	Low  json.Number `json:"low"`
	High json.Number `json:"high"`
	Step json.Number `json:"step"`
}

func parseValueSet(name string, raw json.RawMessage, path string) (Issue, error) {
	var vs struct {
		Values json.RawMessage `json:"values"`
		Range  *jsonRange      `json:"range"`
	}
	if err := decodeStrict(raw, &vs, path); err != nil {
		return Issue{}, err
	}
	is := Issue{Name: name}
	if vs.Range == nil && len(vs.Values) > 0 && vs.Values[0] == '{' {
		// Some writers nest the range inside "values".
		var inner struct {
			Range *jsonRange `json:"range"`
		}
		if err := decodeStrict(vs.Values, &inner, path+".values"); err != nil {
			return Issue{}, err
		}
		vs.Range, vs.Values = inner.Range, nil
	}
	switch {
	case vs.Range != nil:
		is.Range = &NumberRange{Low: vs.Range.Low.String(), High: vs.Range.High.String(), Step: vs.Range.Step.String()}
	case len(vs.Values) > 0:
		if err := decodeStrict(vs.Values, &is.Values, path+".values"); err != nil {
			return Issue{}, err
		}
	default:
		return Issue{}, invalid(path, "an issue needs \"values\" or a \"range\"")
	}
	return is, nil
}

// ParseGeniusWebProfile reads a GeniusWeb LinearAdditiveUtilitySpace. When d
// is not nil the profile must be for d (same name, issues and options);
// otherwise the domain embedded in the profile is used. The profile and its
// domain are returned.
func ParseGeniusWebProfile(data []byte, d *Domain) (*Profile, *Domain, error) {
	var wrapper map[string]json.RawMessage
	if err := decodeStrict(data, &wrapper, "profile"); err != nil {
		return nil, nil, err
	}
	body, ok := wrapper["LinearAdditiveUtilitySpace"]
	if !ok || len(wrapper) != 1 {
		return nil, nil, invalid("profile", "expected a single \"LinearAdditiveUtilitySpace\" object")
	}
	var raw struct {
		Name           string                     `json:"name"`
		Domain         json.RawMessage            `json:"domain"`
		IssueWeights   map[string]json.Number     `json:"issueWeights"`
		IssueUtilities map[string]json.RawMessage `json:"issueUtilities"`
		ReservationBid *struct {
			IssueValues map[string]json.RawMessage `json:"issuevalues"`
		} `json:"reservationBid"`
		ReservationValue *json.Number `json:"reservationValue"`
	}
	const path = "profile"
	if err := decodeStrict(body, &raw, path); err != nil {
		return nil, nil, err
	}
	var own *Domain
	if len(raw.Domain) > 0 && string(raw.Domain) != "null" {
		var rd struct {
			Name         string          `json:"name"`
			IssuesValues json.RawMessage `json:"issuesValues"`
		}
		if err := decodeStrict(raw.Domain, &rd, path+".domain"); err != nil {
			return nil, nil, err
		}
		var err error
		if own, err = domainFromIssuesValues(rd.Name, rd.IssuesValues, path+".domain"); err != nil {
			return nil, nil, err
		}
	}
	switch {
	case d == nil && own == nil:
		return nil, nil, invalid(path+".domain", "the profile names no domain")
	case d == nil:
		if err := own.Validate(); err != nil {
			return nil, nil, err
		}
		d = own
	case own != nil:
		if err := sameDomain(d, own); err != nil {
			return nil, nil, err
		}
	}
	p := &Profile{Name: raw.Name, Domain: d.Name, Issues: map[string]IssueUtility{}}
	if own != nil {
		p.Domain = own.Name
	}
	// Maps are walked in sorted key order, so that a file with several
	// faults is always refused naming the same one.
	for _, name := range sortedKeys(raw.IssueWeights) {
		w := raw.IssueWeights[name]
		if _, ok := raw.IssueUtilities[name]; !ok {
			return nil, nil, invalid(path+".issueUtilities."+name, "issue %q has a weight but no utilities", name)
		}
		if _, err := w.Float64(); err != nil {
			return nil, nil, invalid(path+".issueWeights."+name, "%q is not a number", w)
		}
	}
	for _, name := range sortedKeys(raw.IssueUtilities) {
		rawU := raw.IssueUtilities[name]
		ipath := path + ".issueUtilities." + name
		w, ok := raw.IssueWeights[name]
		if !ok {
			return nil, nil, invalid(path+".issueWeights."+name, "issue %q has no weight", name)
		}
		weight, _ := w.Float64()
		iu := IssueUtility{Weight: weight}
		var vsu struct {
			Discrete *struct {
				ValueUtilities map[string]json.Number `json:"valueUtilities"`
			} `json:"DiscreteValueSetUtilities"`
			Old *struct {
				ValueUtilities map[string]json.Number `json:"valueUtilities"`
			} `json:"discreteutils"`
			Number *struct {
				LowValue    json.Number `json:"lowValue"`
				LowUtility  json.Number `json:"lowUtility"`
				HighValue   json.Number `json:"highValue"`
				HighUtility json.Number `json:"highUtility"`
			} `json:"NumberValueSetUtilities"`
		}
		if err := decodeStrict(rawU, &vsu, ipath); err != nil {
			return nil, nil, err
		}
		if vsu.Discrete == nil {
			vsu.Discrete = vsu.Old
		}
		switch {
		case vsu.Discrete != nil:
			iu.Values = map[string]float64{}
			for _, v := range sortedKeys(vsu.Discrete.ValueUtilities) {
				u := vsu.Discrete.ValueUtilities[v]
				f, err := u.Float64()
				if err != nil {
					return nil, nil, invalid(ipath+".valueUtilities."+v, "%q is not a number", u)
				}
				iu.Values[v] = f
			}
		case vsu.Number != nil:
			n := vsu.Number
			lu, err1 := n.LowUtility.Float64()
			hu, err2 := n.HighUtility.Float64()
			if err1 != nil || err2 != nil {
				return nil, nil, invalid(ipath+".NumberValueSetUtilities", "utilities must be numbers")
			}
			iu.Number = &NumberUtility{LowValue: n.LowValue.String(), LowUtility: lu, HighValue: n.HighValue.String(), HighUtility: hu}
		default:
			return nil, nil, invalid(ipath, "expected DiscreteValueSetUtilities, discreteutils or NumberValueSetUtilities")
		}
		p.Issues[name] = iu
	}
	if raw.ReservationBid != nil {
		p.ReservationBid = Bid{}
		for _, name := range sortedKeys(raw.ReservationBid.IssueValues) {
			v := raw.ReservationBid.IssueValues[name]
			s, err := bidValue(v)
			if err != nil {
				return nil, nil, invalid(path+".reservationBid."+name, "%v", err)
			}
			p.ReservationBid[name] = s
		}
	}
	if raw.ReservationValue != nil {
		f, err := raw.ReservationValue.Float64()
		if err != nil {
			return nil, nil, invalid(path+".reservationValue", "%q is not a number", *raw.ReservationValue)
		}
		p.ReservationValue = &f
	}
	if err := ValidateProfile(d, p); err != nil {
		return nil, nil, err
	}
	if p.ReservationBid != nil {
		opts := make([][]string, len(d.Issues))
		for i, is := range d.Issues {
			opts[i], _ = is.Options()
		}
		if _, err := bidOptions(d, opts, p.ReservationBid, path+".reservationBid"); err != nil {
			return nil, nil, err
		}
	}
	return p, d, nil
}

// sortedKeys returns a map's keys in order: every walk over a map that can
// stop at a fault goes through it, so the fault reported does not depend on
// map iteration order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// bidValue reads a bid's value: a JSON string for a discrete option, a JSON
// number for a numeric one.
func bidValue(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		return "", fmt.Errorf("a value must be a string or a number")
	}
	c, ok := canonicalNumber(n.String())
	if !ok {
		return "", fmt.Errorf("%q is not a number", n)
	}
	return c, nil
}

// sameDomain checks that a profile's embedded domain is the one analysed.
func sameDomain(want, got *Domain) error {
	if want.Name != got.Name {
		return invalid("profile.domain.name", "the profile is for domain %q, not %q", got.Name, want.Name)
	}
	if len(want.Issues) != len(got.Issues) {
		return invalid("profile.domain.issuesValues", "the profile's domain has %d issues, not %d", len(got.Issues), len(want.Issues))
	}
	for _, is := range want.Issues {
		k := issueIndex(got, is.Name)
		if k < 0 {
			return invalid("profile.domain.issuesValues."+is.Name, "the profile's domain has no issue %q", is.Name)
		}
		a, errA := is.Options()
		b, errB := got.Issues[k].Options()
		if errA != nil || errB != nil || strings.Join(a, "\x00") != strings.Join(b, "\x00") {
			return invalid("profile.domain.issuesValues."+is.Name, "the options of issue %q differ", is.Name)
		}
	}
	return nil
}

// GeniusWebJSON writes the domain in GeniusWeb's format, issues in order.
func (d *Domain) GeniusWebJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := writeDomain(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeDomain(buf *bytes.Buffer, d *Domain) error {
	buf.WriteString(`{"name":`)
	writeJSON(buf, d.Name)
	buf.WriteString(`,"issuesValues":{`)
	for i, is := range d.Issues {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeJSON(buf, is.Name)
		buf.WriteByte(':')
		if is.Range != nil {
			for _, s := range []string{is.Range.Low, is.Range.High, is.Range.Step} {
				if _, ok := parseDecimal(s); !ok {
					return invalid("domain.issuesValues."+is.Name+".range", "%q is not a number", s)
				}
			}
			fmt.Fprintf(buf, `{"range":{"low":%s,"high":%s,"step":%s}}`, is.Range.Low, is.Range.High, is.Range.Step)
			continue
		}
		buf.WriteString(`{"values":`)
		writeJSON(buf, is.Values)
		buf.WriteByte('}')
	}
	buf.WriteString("}}")
	return nil
}

// GeniusWebJSON writes the profile as a GeniusWeb LinearAdditiveUtilitySpace
// for domain d, issues and options in the domain's order.
func (p *Profile) GeniusWebJSON(d *Domain) ([]byte, error) {
	if err := ValidateProfile(d, p); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(`{"LinearAdditiveUtilitySpace":{"name":`)
	writeJSON(&buf, p.Name)
	buf.WriteString(`,"domain":`)
	if err := writeDomain(&buf, d); err != nil {
		return nil, err
	}
	buf.WriteString(`,"issueWeights":{`)
	for i, is := range d.Issues {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeJSON(&buf, is.Name)
		buf.WriteByte(':')
		buf.WriteString(formatFloat(p.Issues[is.Name].Weight))
	}
	buf.WriteString(`},"issueUtilities":{`)
	for i, is := range d.Issues {
		if i > 0 {
			buf.WriteByte(',')
		}
		iu := p.Issues[is.Name]
		writeJSON(&buf, is.Name)
		if iu.Number != nil {
			fmt.Fprintf(&buf, `:{"NumberValueSetUtilities":{"lowValue":%s,"lowUtility":%s,"highValue":%s,"highUtility":%s}}`,
				iu.Number.LowValue, formatFloat(iu.Number.LowUtility), iu.Number.HighValue, formatFloat(iu.Number.HighUtility))
			continue
		}
		buf.WriteString(`:{"DiscreteValueSetUtilities":{"valueUtilities":{`)
		for k, v := range is.Values {
			if k > 0 {
				buf.WriteByte(',')
			}
			writeJSON(&buf, v)
			buf.WriteByte(':')
			buf.WriteString(formatFloat(iu.Values[v]))
		}
		buf.WriteString("}}}")
	}
	buf.WriteByte('}')
	if p.ReservationBid != nil {
		buf.WriteString(`,"reservationBid":{"issuevalues":{`)
		for i, is := range d.Issues {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSON(&buf, is.Name)
			buf.WriteByte(':')
			if is.Range != nil {
				buf.WriteString(p.ReservationBid[is.Name])
			} else {
				writeJSON(&buf, p.ReservationBid[is.Name])
			}
		}
		buf.WriteString("}}")
	}
	if p.ReservationValue != nil {
		buf.WriteString(`,"reservationValue":`)
		buf.WriteString(formatFloat(*p.ReservationValue))
	}
	buf.WriteString("}}")
	return buf.Bytes(), nil
}

// formatFloat writes the shortest decimal that reads back as f.
func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func writeJSON(buf *bytes.Buffer, v any) {
	b, _ := json.Marshal(v)
	buf.Write(b)
}

// decodeStrict decodes JSON with numbers kept exact, turning decoder errors
// into invalid errors that name the path.
func decodeStrict(data []byte, v any, path string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return invalid(path, "malformed JSON at byte %d: %v", se.Offset, se)
		case errors.As(err, &te):
			p := path
			if te.Field != "" {
				p += "." + te.Field
			}
			return invalid(p, "expected %s, found %s", te.Type, te.Value)
		default:
			return invalid(path, "malformed JSON: %v", err)
		}
	}
	if dec.More() {
		return invalid(path, "malformed JSON: data after the value")
	}
	return nil
}

// objectKeys lists a JSON object's keys in file order.
func objectKeys(data []byte, path string) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, invalid(path, "expected an object")
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, invalid(path, "malformed JSON: %v", err)
		}
		k, _ := tok.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, invalid(path+"."+k, "malformed JSON: %v", err)
		}
	}
	return keys, nil
}
