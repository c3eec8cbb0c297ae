package bargain

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// The states of a round's analysis.
const (
	// StatusReady: the analysis of two to five profiles is there.
	StatusReady = "ready"
	// StatusWaiting: no domain yet, or fewer than two usable profiles.
	StatusWaiting = "waiting"
	// StatusFailed: the analysis could not be computed (too large, or more
	// than five parties); Problem says why.
	StatusFailed = "failed"
)

// Reasons an analysis is waiting.
const (
	WaitingNoDomain = "no_domain"
	WaitingProfiles = "need_profiles"
)

// AnalysisParty is one party in an analysis, in the order of the
// utilities.
type AnalysisParty struct {
	OrgID   string `json:"org_id"`
	OrgName string `json:"org_name"`
	// Shared: the party lets the mediation read its weights and ratings.
	Shared bool `json:"shared"`
	// Cardinal: the party's utilities in this analysis are its utilities
	// and its reservation value is shown, because it shared its profile.
	// Otherwise they are its rank order of the packages shown, on a 0–1
	// axis, and its reservation value is withheld (conceal).
	Cardinal bool `json:"cardinal"`
}

// RoundAnalysis is a round's package analysis as the mediation reads it:
// the efficient packages and the solutions, with each party's utilities on
// its own 0–1 scale when it shared its profile and its rank order of the
// packages otherwise (AnalysisParty.Cardinal); never weights or ratings of
// a party that did not share them.
type RoundAnalysis struct {
	ID      string `json:"id"`
	RoundID string `json:"round_id"`
	Status  string `json:"status"`
	// Waiting is WaitingNoDomain or WaitingProfiles when Status is
	// StatusWaiting.
	Waiting string `json:"waiting,omitempty"`
	// Problem explains StatusFailed.
	Problem       string          `json:"problem,omitempty"`
	DomainVersion int             `json:"domain_version"`
	Parties       []AnalysisParty `json:"parties"`
	// Missing are the round's parties whose profile is absent or does not
	// fit the current domain.
	Missing []AnalysisParty `json:"missing"`
	// Outcomes is the number of packages, as a decimal string (it may
	// exceed 64 bits).
	Outcomes          string  `json:"outcomes"`
	Exact             bool    `json:"exact"`
	Epsilon           float64 `json:"epsilon"`
	FrontierOmitted   bool    `json:"frontier_omitted"`
	FrontierTruncated bool    `json:"frontier_truncated"`
	FrontierSize      int     `json:"frontier_size"`
	Frontier          []Point `json:"frontier"`
	Nash              *Point  `json:"nash"`
	Kalai             *Point  `json:"kalai"`
	MaxWelfare        *Point  `json:"max_welfare"`
	WelfareWarning    string  `json:"welfare_warning"`
	// Disagreement is each party's utility of no agreement (its
	// reservation value), null for a party that did not share.
	Disagreement []*float64 `json:"disagreement"`
	// Draft compares the mediation's draft package with the frontier; nil
	// without a draft (or when the draft no longer fits the domain).
	Draft      *DraftComparison `json:"draft"`
	ComputedAt time.Time        `json:"computed_at"`
	ElapsedMS  float64          `json:"elapsed_ms"`
}

// inputsOf names what a round's analysis is computed from: the ledger
// indexes of its domain, its latest profile and its draft, and the number
// of its participants. Any write that changes an input changes it.
func inputsOf(ctx context.Context, q access.Querier, roundID string) (string, error) {
	var d, p, n, dr int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT ledger_idx FROM bargain_domains WHERE round_id = $1), -1),
		(SELECT COALESCE(MAX(ledger_idx), -1) FROM bargain_profiles WHERE round_id = $1),
		(SELECT COUNT(*) FROM orgs o WHERE `+access.TakesPart("o.id", "$1")+`),
		COALESCE((SELECT ledger_idx FROM bargain_drafts WHERE round_id = $1), -1)`, roundID).Scan(&d, &p, &n, &dr)
	return fmt.Sprint(d, " ", p, " ", n, " ", dr), err
}

// refresh computes the round's analysis after a write to one of its inputs
// has committed, and stores it for the mediation.
//
// The analysis of a large domain can take seconds. It is computed from a
// read transaction's snapshot, outside any write transaction, so that it
// never holds the database's write lock (on SQLite, every other write in
// parley, messages included, would wait for it). It is then stored in a
// short write transaction, only if its inputs are still the ones it was
// computed from: when a later write changed them, that write's own refresh
// stores the analysis of the newer inputs. refresh runs in the request that
// made the write, so the analysis is stored when that request answers. A
// failure is logged: the write it follows has committed.
func (s *Service) refresh(ctx context.Context, roundID string) {
	ctx = context.WithoutCancel(ctx)
	var ra RoundAnalysis
	var inputs string
	var med access.Audience
	err := s.db.ReadTx(ctx, func(tx *store.Reader) error {
		var err error
		if med, err = access.RoundOrgs(ctx, tx, roundID, access.Mediation); err != nil || len(med) == 0 {
			// No mediation in the round: nobody may read an analysis.
			return err
		}
		if inputs, err = inputsOf(ctx, tx, roundID); err != nil {
			return err
		}
		ra = RoundAnalysis{RoundID: roundID, Status: StatusWaiting, WelfareWarning: WelfareWarning,
			ComputedAt: store.Time(store.Stamp(s.now())), Parties: []AnalysisParty{}, Missing: []AnalysisParty{}}
		if err := s.analyse(ctx, tx, &ra); err != nil {
			return err
		}
		if s.analysed != nil {
			s.analysed()
		}
		return nil
	})
	if err == nil && len(med) > 0 {
		err = s.db.Tx(ctx, func(tx *sql.Tx) error {
			if now, err := inputsOf(ctx, tx, roundID); err != nil || now != inputs {
				return err
			}
			// Not every mediation: one that joined late reads it only
			// once the parties let it read their earlier profiles.
			readers, err := analysisReaders(ctx, tx, roundID)
			if err != nil {
				return err
			}
			return s.storeAnalysis(ctx, tx, &ra, readers)
		})
	}
	if err != nil {
		s.log.Error("bargain: the package analysis was not stored", "round", roundID, "err", err)
	}
}

// storeAnalysis writes ra as the round's analysis, readable by med.
func (s *Service) storeAnalysis(ctx context.Context, tx *sql.Tx, ra *RoundAnalysis, med access.Audience) error {
	var id string
	switch err := tx.QueryRowContext(ctx, "SELECT id FROM bargain_analyses WHERE round_id = $1", ra.RoundID).Scan(&id); err {
	case sql.ErrNoRows:
		id = store.NewID()
	case nil:
	default:
		return err
	}
	ra.ID = id
	doc, err := json.Marshal(ra)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO bargain_analyses(round_id, id, document, computed_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (round_id) DO UPDATE SET document = excluded.document, computed_at = excluded.computed_at`,
		ra.RoundID, id, string(doc), store.Stamp(ra.ComputedAt)); err != nil {
		return err
	}
	// A mediation organisation added to the round since sees it too,
	// once the parties let it (analysisReaders).
	if len(med) == 0 {
		return nil
	}
	return access.Grant(ctx, tx, id, med)
}

// analyse fills ra from the stored inputs.
func (s *Service) analyse(ctx context.Context, tx access.Querier, ra *RoundAnalysis) error {
	rd, err := scanDomain(tx.QueryRowContext(ctx, "SELECT "+domainColumns+" FROM bargain_domains d WHERE d.round_id = $1", ra.RoundID))
	if err == sql.ErrNoRows {
		ra.Waiting = WaitingNoDomain
		return nil
	}
	if err != nil {
		return err
	}
	d := &rd.Domain
	ra.DomainVersion = rd.Version
	ra.Outcomes = d.OutcomeCount().String()
	// Every party of the round, with its profile if it has one.
	rows, err := tx.QueryContext(ctx, `SELECT o.id, o.name, COALESCE(p.document, ''), COALESCE(p.shared, FALSE)
		FROM orgs o LEFT JOIN bargain_profiles p ON p.round_id = $1 AND p.org_id = o.id
		WHERE `+access.TakesPart("o.id", "$1", access.Party)+` ORDER BY o.name, o.id`, ra.RoundID)
	if err != nil {
		return err
	}
	var profiles []*Profile
	for rows.Next() {
		var ap AnalysisParty
		var doc string
		if err := rows.Scan(&ap.OrgID, &ap.OrgName, &doc, &ap.Shared); err != nil {
			rows.Close()
			return err
		}
		var p Profile
		if doc == "" || json.Unmarshal([]byte(doc), &p) != nil || checkProfile(d, &p) != nil {
			ap.Shared = false
			ra.Missing = append(ra.Missing, ap)
			continue
		}
		ra.Parties = append(ra.Parties, ap)
		profiles = append(profiles, &p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(profiles) < 2 {
		ra.Waiting = WaitingProfiles
		return nil
	}
	if len(profiles) > 5 {
		ra.Status, ra.Problem = StatusFailed, fmt.Sprintf("the analysis handles 2 to 5 parties; %d have entered profiles", len(profiles))
		return nil
	}
	a, err := Analyze(d, profiles, s.opt)
	if err != nil {
		ra.Status, ra.Problem = StatusFailed, err.Error()
		return nil
	}
	ra.Status = StatusReady
	ra.Exact, ra.Epsilon, ra.FrontierOmitted = a.Exact, a.Epsilon, a.FrontierOmitted
	ra.Nash, ra.Kalai, ra.MaxWelfare = a.Nash, a.Kalai, a.MaxWelfare
	for _, v := range a.Disagreement {
		ra.Disagreement = append(ra.Disagreement, &v)
	}
	ra.ElapsedMS = float64(a.Elapsed.Microseconds()) / 1000
	ra.FrontierSize = len(a.Frontier)
	ra.Frontier = a.Frontier
	if len(ra.Frontier) > MaxStoredFrontier {
		ra.Frontier, ra.FrontierTruncated = ra.Frontier[:MaxStoredFrontier], true
	}
	if ra.Frontier == nil {
		ra.Frontier = []Point{}
	}
	var bid string
	switch err := tx.QueryRowContext(ctx, "SELECT bid FROM bargain_drafts WHERE round_id = $1", ra.RoundID).Scan(&bid); err {
	case sql.ErrNoRows:
	case nil:
		var b Bid
		if json.Unmarshal([]byte(bid), &b) == nil {
			if dc, err := a.CompareDraft(b); err == nil {
				ra.Draft = dc
			}
		}
	default:
		return err
	}
	ra.conceal()
	return nil
}

// Analysis returns the round's package analysis: the round's mediation
// only. Anyone else finds none.
func (s *Service) Analysis(ctx context.Context, actor access.Actor, roundID string) (ra RoundAnalysis, err error) {
	defer errs.Wrap(&err, "bargain.Analysis")
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		if err := enterRound(ctx, tx, actor, roundID); err != nil {
			return err
		}
		cond, arg := access.ReadableBy(actor, "a.id", 2)
		var doc string
		err := tx.QueryRowContext(ctx, "SELECT a.document FROM bargain_analyses a WHERE a.round_id = $1 AND "+cond, roundID, arg).Scan(&doc)
		if err == sql.ErrNoRows {
			// The mediation of a round where nothing has been entered yet
			// sees an analysis waiting for its domain; anyone else sees
			// nothing at all.
			if c, err := access.RoundCapacity(ctx, tx, actor, roundID); err != nil {
				return err
			} else if c.Mediates() {
				ra = RoundAnalysis{RoundID: roundID, Status: StatusWaiting, Waiting: WaitingNoDomain,
					WelfareWarning: WelfareWarning, Parties: []AnalysisParty{}, Missing: []AnalysisParty{}, Frontier: []Point{}}
				return nil
			}
			return errs.NotFoundf("analysis")
		}
		if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(doc), &ra); err != nil {
			return err
		}
		// An analysis stored before concealment existed is concealed
		// when read.
		ra.conceal()
		return nil
	})
	return ra, err
}

// Draft returns the mediation's draft package for the round, or nil when it
// has set none.
func (s *Service) Draft(ctx context.Context, actor access.Actor, roundID string) (b Bid, err error) {
	defer errs.Wrap(&err, "bargain.Draft")
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		if err := enterRound(ctx, tx, actor, roundID); err != nil {
			return err
		}
		cond, arg := access.ReadableBy(actor, "dr.id", 2)
		var doc string
		err := tx.QueryRowContext(ctx, "SELECT dr.bid FROM bargain_drafts dr WHERE dr.round_id = $1 AND "+cond, roundID, arg).Scan(&doc)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		return json.Unmarshal([]byte(doc), &b)
	})
	return b, err
}

// SetDraft records the package the mediation is drafting, so that the
// analysis places it against the frontier. The round's mediation only.
func (s *Service) SetDraft(ctx context.Context, actor access.Actor, roundID string, b Bid) (ra RoundAnalysis, err error) {
	defer errs.Wrap(&err, "bargain.SetDraft")
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		if err := enterRound(ctx, tx, actor, roundID); err != nil {
			return err
		}
		if err := requireCapacity(ctx, tx, actor, roundID, access.Mediation, "sets the draft package"); err != nil {
			return err
		}
		if err := s.lockRound(ctx, tx, roundID); err != nil {
			return err
		}
		rd, err := domainIn(ctx, tx, actor, roundID)
		if errs.Code(err) == errs.NotFound {
			return errs.New(errs.Conflict, "set up the negotiation domain first")
		}
		if err != nil {
			return err
		}
		opts := make([][]string, len(rd.Domain.Issues))
		for i, is := range rd.Domain.Issues {
			opts[i], _ = is.Options()
		}
		idx, err := bidOptions(&rd.Domain, opts, b, "draft")
		if err != nil {
			return asErr(err)
		}
		// Store the canonical options (a numeric "2000.0" becomes "2000").
		canon := Bid{}
		for i, o := range idx {
			canon[rd.Domain.Issues[i].Name] = opts[i][o]
		}
		doc, err := json.Marshal(canon)
		if err != nil {
			return err
		}
		med, err := access.RoundOrgs(ctx, tx, roundID, access.Mediation)
		if err != nil {
			return err
		}
		id := store.NewID()
		ev, err := event(ctx, rec, actor, "bargain.draft.saved", roundID, "bargain_draft", id, med,
			map[string]any{"round": roundID, "sha256": hashHex(doc)})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bargain_drafts(round_id, id, bid, updated_at, updated_by, ledger_idx)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (round_id) DO UPDATE SET id = excluded.id, bid = excluded.bid, updated_at = excluded.updated_at,
				updated_by = excluded.updated_by, ledger_idx = excluded.ledger_idx`,
			roundID, id, string(doc), store.Stamp(s.now()), actor.User, ev.Index); err != nil {
			return err
		}
		return access.Grant(ctx, tx, id, med)
	})
	if err != nil {
		return RoundAnalysis{}, err
	}
	s.refresh(ctx, roundID)
	return s.Analysis(ctx, actor, roundID)
}

// ProposalLine is one issue of a proposed package.
type ProposalLine struct {
	Issue string `json:"issue"`
	// AgendaItem and AgendaTitle name the agenda item the issue belongs
	// to, when the mediation linked one.
	AgendaItem  string `json:"agenda_item,omitempty"`
	AgendaTitle string `json:"agenda_title,omitempty"`
	Option      string `json:"option"`
}

// Proposal is a package turned into words the mediation can put into a
// message or a paragraph of the negotiating text.
type Proposal struct {
	Which string         `json:"which"`
	Bid   Bid            `json:"bid"`
	Lines []ProposalLine `json:"lines"`
	// Text is a plain-text rendering in English; pages render Lines in the
	// reader's language.
	Text string `json:"text"`
}

// Points a proposal can be made from.
const (
	ProposeNash       = "nash"
	ProposeKalai      = "kalai"
	ProposeMaxWelfare = "max_welfare"
	ProposeDraft      = "draft"
	// ProposeFrontier is followed by ":" and a frontier index, e.g.
	// "frontier:3".
	ProposeFrontier = "frontier"
)

// Propose turns a package of the analysis into a proposal: which is
// "nash", "kalai", "max_welfare", "draft" or "frontier:N". The round's
// mediation only.
func (s *Service) Propose(ctx context.Context, actor access.Actor, roundID, which string) (pr Proposal, err error) {
	defer errs.Wrap(&err, "bargain.Propose")
	ra, err := s.Analysis(ctx, actor, roundID)
	if err != nil {
		return Proposal{}, err
	}
	var pt *Point
	switch {
	case which == ProposeNash:
		pt = ra.Nash
	case which == ProposeKalai:
		pt = ra.Kalai
	case which == ProposeMaxWelfare:
		pt = ra.MaxWelfare
	case which == ProposeDraft:
		if ra.Draft != nil {
			pt = &ra.Draft.Draft
		}
	case strings.HasPrefix(which, ProposeFrontier+":"):
		k, err := strconv.Atoi(strings.TrimPrefix(which, ProposeFrontier+":"))
		if err != nil || k < 0 || k >= len(ra.Frontier) {
			return Proposal{}, errs.Field("which", "no frontier package %q", which)
		}
		pt = &ra.Frontier[k]
	default:
		return Proposal{}, errs.Field("which", "which is nash, kalai, max_welfare, draft or frontier:N")
	}
	if pt == nil {
		return Proposal{}, errs.New(errs.Conflict, "the analysis has no %s package", which)
	}
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		rd, err := domainIn(ctx, tx, actor, roundID)
		if err != nil {
			return err
		}
		if rd.Version != ra.DomainVersion {
			return errs.New(errs.Conflict, "the domain changed since the analysis")
		}
		pr = Proposal{Which: which, Bid: pt.Bid}
		var b strings.Builder
		b.WriteString("Proposed package:\n")
		for _, is := range rd.Domain.Issues {
			line := ProposalLine{Issue: is.Name, Option: pt.Bid[is.Name], AgendaItem: rd.Agenda[is.Name]}
			if line.AgendaItem != "" {
				cond, arg := access.ReadableBy(actor, "a.id", 2)
				if err := tx.QueryRowContext(ctx, "SELECT a.title FROM agenda_items a WHERE a.id = $1 AND "+cond,
					line.AgendaItem, arg).Scan(&line.AgendaTitle); err != nil && err != sql.ErrNoRows {
					return err
				}
			}
			pr.Lines = append(pr.Lines, line)
			b.WriteString("- ")
			b.WriteString(line.Issue)
			if line.AgendaTitle != "" {
				b.WriteString(" (" + line.AgendaTitle + ")")
			}
			b.WriteString(": " + line.Option + "\n")
		}
		pr.Text = b.String()
		return nil
	})
	return pr, err
}
