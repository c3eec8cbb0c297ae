package bargain

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const analyzeUsage = `usage: parley bargain analyze [--json] [--exact] [--memory MiB] DOMAIN.json PROFILE.json...

Reads a GeniusWeb domain and 2 to 5 GeniusWeb profiles (LinearAdditiveUtilitySpace)
and prints the Pareto frontier, the Nash bargaining solution, the Kalai–Smorodinsky
point and the maximum social welfare, utilities on GeniusWeb's 0–1 scale.

`

// cliPoint is a package as the command prints it.
type cliPoint struct {
	Bid       Bid       `json:"bid"`
	Utilities []float64 `json:"utilities"`
}

// cliOutput is the --json document.
type cliOutput struct {
	Outcomes        json.Number `json:"outcomes"`
	Parties         []string    `json:"parties"`
	Exact           bool        `json:"exact"`
	Epsilon         float64     `json:"epsilon"`
	FrontierOmitted bool        `json:"frontier_omitted,omitempty"`
	Frontier        []cliPoint  `json:"frontier"`
	Nash            *cliPoint   `json:"nash"`
	Kalai           *cliPoint   `json:"kalai"`
	MaxWelfare      *cliPoint   `json:"max_welfare"`
	WelfareWarning  string      `json:"welfare_warning"`
	Disagreement    []float64   `json:"disagreement"`
	PeakBytes       int64       `json:"peak_bytes"`
	ElapsedMS       float64     `json:"elapsed_ms"`
}

func toCLI(p *Point) *cliPoint {
	if p == nil {
		return nil
	}
	return &cliPoint{Bid: p.Bid, Utilities: p.Utilities}
}

// RunAnalyzeCLI implements `parley bargain analyze`. args are the arguments
// after "analyze" (a leading "analyze" is skipped too). It returns the exit
// status: 0 on success, 1 when the files are refused or the analysis is too
// large, 2 on bad usage.
func RunAnalyzeCLI(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "analyze" {
		args = args[1:]
	}
	fs := flag.NewFlagSet("parley bargain analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "emit JSON instead of text")
	exact := fs.Bool("exact", false, "fail rather than approximate a frontier too large to list")
	memory := fs.Int64("memory", DefaultMemoryLimit>>20, "memory bound of the analysis, in MiB")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), analyzeUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return 0
		}
		return 2
	}
	if fs.NArg() < 3 {
		fmt.Fprintln(stderr, "parley bargain analyze: need a domain and at least two profiles")
		fs.Usage()
		return 2
	}
	fail := func(file string, err error) int {
		fmt.Fprintf(stderr, "parley bargain analyze: %s: %v\n", file, err)
		return 1
	}
	files := fs.Args()
	data, err := os.ReadFile(files[0])
	if err != nil {
		return fail(files[0], err)
	}
	d, err := ParseGeniusWebDomain(data)
	if err != nil {
		return fail(files[0], err)
	}
	var profiles []*Profile
	for _, file := range files[1:] {
		data, err := os.ReadFile(file)
		if err != nil {
			return fail(file, err)
		}
		p, _, err := ParseGeniusWebProfile(data, d)
		if err != nil {
			return fail(file, err)
		}
		if p.Name == "" {
			p.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		}
		profiles = append(profiles, p)
	}
	a, err := Analyze(d, profiles, Options{ExactOnly: *exact, MemoryLimit: *memory << 20})
	if err != nil {
		return fail(files[0], err)
	}
	names := make([]string, len(profiles))
	for i, p := range profiles {
		names[i] = p.Name
	}
	if *asJSON {
		out := cliOutput{
			Outcomes: json.Number(a.Outcomes.String()), Parties: names,
			Exact: a.Exact, Epsilon: a.Epsilon, FrontierOmitted: a.FrontierOmitted,
			Frontier: []cliPoint{},
			Nash:     toCLI(a.Nash), Kalai: toCLI(a.Kalai), MaxWelfare: toCLI(a.MaxWelfare),
			WelfareWarning: a.WelfareWarning, Disagreement: a.Disagreement,
			PeakBytes: a.PeakBytes, ElapsedMS: float64(a.Elapsed) / float64(time.Millisecond),
		}
		for i := range a.Frontier {
			out.Frontier = append(out.Frontier, *toCLI(&a.Frontier[i]))
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fail("stdout", err)
		}
		return 0
	}
	writeText(stdout, d, names, a)
	return 0
}

func writeText(w io.Writer, d *Domain, names []string, a *Analysis) {
	fmt.Fprintf(w, "Domain %q: %s packages, %d parties (%s)\n", d.Name, a.Outcomes, len(names), strings.Join(names, ", "))
	fmt.Fprintf(w, "Disagreement utilities: %s\n", formatUtilities(a.Disagreement))
	switch {
	case a.FrontierOmitted:
		fmt.Fprintln(w, "\nPareto frontier: too large to list even approximately; Nash and maximum welfare below are exact.")
	case a.Exact:
		fmt.Fprintf(w, "\nPareto frontier: %d packages (exact)\n", len(a.Frontier))
	default:
		fmt.Fprintf(w, "\nPareto frontier: %d packages (approximate: every efficient package is within %.4g of one listed, for every party)\n", len(a.Frontier), a.Epsilon)
	}
	for _, p := range a.Frontier {
		fmt.Fprintf(w, "  %s  %s\n", formatUtilities(p.Utilities), formatBid(d, p.Bid))
	}
	show := func(title string, p *Point) {
		if p == nil {
			fmt.Fprintf(w, "%s: none\n", title)
			return
		}
		fmt.Fprintf(w, "%s: %s  %s\n", title, formatUtilities(p.Utilities), formatBid(d, p.Bid))
	}
	fmt.Fprintln(w)
	show("Nash bargaining solution", a.Nash)
	show("Kalai–Smorodinsky point", a.Kalai)
	show("Maximum social welfare", a.MaxWelfare)
	fmt.Fprintf(w, "  warning: %s\n", a.WelfareWarning)
	fmt.Fprintf(w, "\nTime: %.1f ms; peak memory of the frontier: %.2f MiB\n",
		float64(a.Elapsed)/float64(time.Millisecond), float64(a.PeakBytes)/(1<<20))
}

func formatUtilities(u []float64) string {
	parts := make([]string, len(u))
	for i, v := range u {
		parts[i] = fmt.Sprintf("%.4f", v)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func formatBid(d *Domain, b Bid) string {
	parts := make([]string, len(d.Issues))
	for i, is := range d.Issues {
		parts[i] = is.Name + "=" + b[is.Name]
	}
	return strings.Join(parts, ", ")
}
