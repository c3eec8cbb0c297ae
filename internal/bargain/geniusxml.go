package bargain

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Genius XML (the Java Genius platform's utility_space files):
//
//	<utility_space number_of_issues="2">
//	  <objective index="0" etype="objective" type="objective" name="root">
//	    <issue index="1" etype="discrete" type="discrete" vtype="discrete" name="Food">
//	      <item index="1" value="Chips" evaluation="3"/> …
//	    </issue>
//	    <issue index="2" etype="integer" type="integer" vtype="integer" name="Price"
//	           lowerbound="1" upperbound="10">
//	      <evaluator ftype="linear" utilLowestValue="1.0" utilHighestValue="0.0"/>
//	    </issue>
//	    <weight index="1" value="0.6"/> <weight index="2" value="0.4"/>
//	  </objective>
//	  <reservation value="0.3"/>
//	</utility_space>
//
// Discrete evaluations are normalised per issue by the largest one, as Genius
// does. Integer issues accept utilLowestValue/utilHighestValue or the older
// slope/offset form (utility = slope × x + offset).

type xmlUtilitySpace struct {
	XMLName     xml.Name     `xml:"utility_space"`
	Objective   xmlObjective `xml:"objective"`
	Reservation *xmlValue    `xml:"reservation"`
}

type xmlObjective struct {
	Name    string     `xml:"name,attr"`
	Issues  []xmlIssue `xml:"issue"`
	Weights []xmlIndex `xml:"weight"`
}

type xmlIssue struct {
	Index      string       `xml:"index,attr"`
	Name       string       `xml:"name,attr"`
	Type       string       `xml:"type,attr"`
	Etype      string       `xml:"etype,attr"`
	Lower      string       `xml:"lowerbound,attr"`
	Upper      string       `xml:"upperbound,attr"`
	Items      []xmlItem    `xml:"item"`
	Evaluators []xmlEvaluat `xml:"evaluator"`
}

type xmlItem struct {
	Index      string  `xml:"index,attr"`
	Value      string  `xml:"value,attr"`
	Evaluation *string `xml:"evaluation,attr"`
}

type xmlEvaluat struct {
	Ftype       string `xml:"ftype,attr"`
	UtilLowest  string `xml:"utilLowestValue,attr"`
	UtilHighest string `xml:"utilHighestValue,attr"`
	Slope       string `xml:"slope,attr"`
	Offset      string `xml:"offset,attr"`
}

type xmlIndex struct {
	Index string `xml:"index,attr"`
	Value string `xml:"value,attr"`
}

type xmlValue struct {
	Value string `xml:"value,attr"`
}

// ParseGeniusXML reads a Genius XML utility_space. When d is not nil the
// file must describe d's issues and options; otherwise a domain named after
// the objective is built from the file. The profile and its domain are
// returned.
func ParseGeniusXML(data []byte, name string, d *Domain) (*Profile, *Domain, error) {
	var us xmlUtilitySpace
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&us); err != nil {
		return nil, nil, invalid("utility_space", "malformed XML: %v", err)
	}
	own := &Domain{Name: us.Objective.Name}
	if own.Name == "" {
		own.Name = "genius"
	}
	p := &Profile{Name: name, Issues: map[string]IssueUtility{}}
	weights := map[string]string{}
	for _, w := range us.Objective.Weights {
		weights[w.Index] = w.Value
	}
	for _, x := range us.Objective.Issues {
		path := "utility_space.objective.issue[" + x.Name + "]"
		if x.Name == "" {
			return nil, nil, invalid("utility_space.objective.issue", "an issue has no name")
		}
		ws, ok := weights[x.Index]
		if !ok {
			return nil, nil, invalid("utility_space.objective.weight["+x.Index+"]", "issue %q has no weight", x.Name)
		}
		w, err := strconv.ParseFloat(strings.TrimSpace(ws), 64)
		if err != nil {
			return nil, nil, invalid("utility_space.objective.weight["+x.Index+"]", "%q is not a number", ws)
		}
		iu := IssueUtility{Weight: w}
		is := Issue{Name: x.Name}
		kind := x.Type
		if kind == "" {
			kind = x.Etype
		}
		switch kind {
		case "discrete", "":
			iu.Values = map[string]float64{}
			evals := make([]*big.Rat, len(x.Items))
			top := new(big.Rat)
			for k, it := range x.Items {
				ipath := path + ".item[" + it.Value + "]"
				if it.Evaluation == nil {
					return nil, nil, invalid(ipath+".evaluation", "option %q has no evaluation", it.Value)
				}
				e, ok := parseDecimal(*it.Evaluation)
				if !ok || e.Sign() < 0 {
					return nil, nil, invalid(ipath+".evaluation", "%q is not a non-negative number", *it.Evaluation)
				}
				evals[k] = e
				if e.Cmp(top) > 0 {
					top = e
				}
				is.Values = append(is.Values, it.Value)
			}
			for k, it := range x.Items {
				r := new(big.Rat)
				if top.Sign() > 0 {
					r.Quo(evals[k], top)
				}
				f, _ := r.Float64()
				iu.Values[it.Value] = f
			}
		case "integer":
			lo, err1 := strconv.ParseInt(strings.TrimSpace(x.Lower), 10, 64)
			hi, err2 := strconv.ParseInt(strings.TrimSpace(x.Upper), 10, 64)
			if err1 != nil || err2 != nil || hi <= lo {
				return nil, nil, invalid(path, "an integer issue needs lowerbound < upperbound")
			}
			is.Range = &NumberRange{Low: strconv.FormatInt(lo, 10), High: strconv.FormatInt(hi, 10), Step: "1"}
			if len(x.Evaluators) != 1 {
				return nil, nil, invalid(path+".evaluator", "an integer issue needs one evaluator")
			}
			ev := x.Evaluators[0]
			var lu, hu float64
			if ev.UtilLowest != "" || ev.UtilHighest != "" {
				lu, err1 = strconv.ParseFloat(ev.UtilLowest, 64)
				hu, err2 = strconv.ParseFloat(ev.UtilHighest, 64)
			} else {
				var slope, offset float64
				slope, err1 = strconv.ParseFloat(ev.Slope, 64)
				offset, err2 = strconv.ParseFloat(ev.Offset, 64)
				lu, hu = slope*float64(lo)+offset, slope*float64(hi)+offset
			}
			if err1 != nil || err2 != nil {
				return nil, nil, invalid(path+".evaluator", "the evaluator needs utilLowestValue and utilHighestValue (or slope and offset)")
			}
			iu.Number = &NumberUtility{LowValue: is.Range.Low, LowUtility: lu, HighValue: is.Range.High, HighUtility: hu}
		default:
			return nil, nil, invalid(path+".type", "issue type %q is not supported (discrete and integer are)", kind)
		}
		own.Issues = append(own.Issues, is)
		p.Issues[x.Name] = iu
	}
	if us.Reservation != nil {
		r, err := strconv.ParseFloat(strings.TrimSpace(us.Reservation.Value), 64)
		if err != nil {
			return nil, nil, invalid("utility_space.reservation", "%q is not a number", us.Reservation.Value)
		}
		p.ReservationValue = &r
	}
	if d == nil {
		if err := own.Validate(); err != nil {
			return nil, nil, err
		}
		d = own
	} else {
		own.Name = d.Name
		if err := sameDomain(d, own); err != nil {
			e := err.(*Error)
			e.Path = "utility_space"
			return nil, nil, e
		}
	}
	p.Domain = d.Name
	if err := ValidateProfile(d, p); err != nil {
		return nil, nil, err
	}
	return p, d, nil
}

// GeniusXML writes the profile as a Genius XML utility_space. Discrete
// ratings are written as evaluations directly (their maximum need not be 1:
// readers normalise), numeric issues must be integer ranges with step 1.
func (p *Profile) GeniusXML(d *Domain) ([]byte, error) {
	if err := ValidateProfile(d, p); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "<utility_space number_of_issues=\"%d\">\n", len(d.Issues))
	fmt.Fprintf(&buf, "  <objective index=\"0\" etype=\"objective\" type=\"objective\" description=\"\" name=%s>\n", xmlAttr(d.Name))
	for i, is := range d.Issues {
		iu := p.Issues[is.Name]
		if is.Range != nil {
			if is.Range.Step != "1" || strings.Contains(is.Range.Low+is.Range.High, ".") {
				return nil, invalid("domain.issuesValues."+is.Name+".range", "Genius XML holds only integer ranges with step 1")
			}
			fmt.Fprintf(&buf, "    <issue index=\"%d\" etype=\"integer\" type=\"integer\" vtype=\"integer\" name=%s lowerbound=\"%s\" upperbound=\"%s\">\n",
				i+1, xmlAttr(is.Name), is.Range.Low, is.Range.High)
			if iu.Number.LowValue != is.Range.Low || iu.Number.HighValue != is.Range.High {
				return nil, invalid("profile.issueUtilities."+is.Name, "Genius XML needs the utility defined on the issue's whole range")
			}
			fmt.Fprintf(&buf, "      <evaluator ftype=\"linear\" utilLowestValue=\"%s\" utilHighestValue=\"%s\"/>\n",
				formatFloat(iu.Number.LowUtility), formatFloat(iu.Number.HighUtility))
		} else {
			fmt.Fprintf(&buf, "    <issue index=\"%d\" etype=\"discrete\" type=\"discrete\" vtype=\"discrete\" name=%s>\n", i+1, xmlAttr(is.Name))
			for k, v := range is.Values {
				fmt.Fprintf(&buf, "      <item index=\"%d\" value=%s evaluation=\"%s\"/>\n", k+1, xmlAttr(v), formatFloat(iu.Values[v]))
			}
		}
		buf.WriteString("    </issue>\n")
	}
	for i, is := range d.Issues {
		fmt.Fprintf(&buf, "    <weight index=\"%d\" value=\"%s\"/>\n", i+1, formatFloat(p.Issues[is.Name].Weight))
	}
	buf.WriteString("  </objective>\n")
	if p.ReservationValue != nil {
		fmt.Fprintf(&buf, "  <reservation value=\"%s\"/>\n", formatFloat(*p.ReservationValue))
	}
	buf.WriteString("</utility_space>\n")
	return buf.Bytes(), nil
}

func xmlAttr(s string) string {
	var b bytes.Buffer
	b.WriteByte('"')
	_ = xml.EscapeText(&b, []byte(s))
	b.WriteByte('"')
	return b.String()
}
