package bargain

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
	"parley/internal/talks"
)

// Lengths of names in a round's domain.
const (
	maxNameLen   = 200
	maxAnswers   = 10
	formatGenius = "geniusweb"
	formatXML    = "genius_xml"
)

// Profile formats accepted by ImportProfile and ExportProfile.
const (
	FormatGeniusWeb = formatGenius // GeniusWeb LinearAdditiveUtilitySpace JSON
	FormatGeniusXML = formatXML    // Genius utility_space XML
)

// domainAudience is who reads a round's domain: its mediation and parties.
func domainAudience(ctx context.Context, q access.Querier, roundID string) (access.Audience, error) {
	return access.RoundOrgs(ctx, q, roundID, access.Mediation, access.Party)
}

// checkRoundDomain applies the limits of a round's domain on top of
// Domain.Validate.
func checkRoundDomain(d *Domain) error {
	if err := d.Validate(); err != nil {
		return asErr(err)
	}
	if len(d.Issues) > MaxIssues {
		return errs.Field("domain.issues", "a round's domain has at most %d issues", MaxIssues)
	}
	if err := checkName("domain.name", d.Name); err != nil {
		return err
	}
	for _, is := range d.Issues {
		path := "domain.issuesValues." + is.Name
		if err := checkName(path, is.Name); err != nil {
			return err
		}
		opts, _ := is.Options()
		if len(opts) > MaxOptions {
			return errs.Field(path, "an issue has at most %d options here", MaxOptions)
		}
		for _, o := range opts {
			if err := checkName(path+"."+o, o); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkName(path, s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return errs.Field(path, "a name is empty")
	case !utf8.ValidString(s):
		return errs.Field(path, "a name is not valid UTF-8")
	case utf8.RuneCountInString(s) > maxNameLen:
		return errs.Field(path, "a name is longer than %d characters", maxNameLen)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return errs.Field(path, "a name contains a control character")
		}
	}
	return nil
}

const domainColumns = "d.id, d.round_id, d.version, d.document, d.updated_at, d.updated_by, d.ledger_idx"

func scanDomain(sc interface{ Scan(...any) error }) (RoundDomain, error) {
	var rd RoundDomain
	var doc string
	var at int64
	if err := sc.Scan(&rd.ID, &rd.RoundID, &rd.Version, &doc, &at, &rd.UpdatedBy, &rd.LedgerIndex); err != nil {
		return rd, err
	}
	rd.UpdatedAt = store.Time(at)
	var dd domainDoc
	if err := json.Unmarshal([]byte(doc), &dd); err != nil {
		return rd, fmt.Errorf("stored domain of round %s: %w", rd.RoundID, err)
	}
	rd.Domain, rd.Agenda = dd.Domain, dd.Agenda
	if rd.Agenda == nil {
		rd.Agenda = map[string]string{}
	}
	return rd, nil
}

// domainIn reads the round's domain as actor sees it.
func domainIn(ctx context.Context, q access.Querier, actor access.Actor, roundID string) (RoundDomain, error) {
	cond, arg := access.ReadableBy(actor, "d.id", 2)
	rd, err := scanDomain(q.QueryRowContext(ctx, "SELECT "+domainColumns+" FROM bargain_domains d WHERE d.round_id = $1 AND "+cond, roundID, arg))
	if err == sql.ErrNoRows {
		return RoundDomain{}, errs.NotFoundf("negotiation domain")
	}
	return rd, err
}

// Domain returns the round's negotiation domain, for the round's mediation
// and parties; anyone else finds none.
func (s *Service) Domain(ctx context.Context, actor access.Actor, roundID string) (rd RoundDomain, err error) {
	defer errs.Wrap(&err, "bargain.Domain")
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		if err := enterRound(ctx, tx, actor, roundID); err != nil {
			return err
		}
		rd, err = domainIn(ctx, tx, actor, roundID)
		return err
	})
	return rd, err
}

// SetDomain saves the round's negotiation domain: the mediation of the
// round only. agenda links issues to agenda items of the round. Profiles
// that no longer fit are kept and marked stale.
func (s *Service) SetDomain(ctx context.Context, actor access.Actor, roundID string, d Domain, agenda map[string]string) (rd RoundDomain, err error) {
	defer errs.Wrap(&err, "bargain.SetDomain")
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		if err := enterRound(ctx, tx, actor, roundID); err != nil {
			return err
		}
		if err := requireCapacity(ctx, tx, actor, roundID, access.Mediation, "sets the negotiation domain"); err != nil {
			return err
		}
		if err := s.lockRound(ctx, tx, roundID); err != nil {
			return err
		}
		if err := checkRoundDomain(&d); err != nil {
			return err
		}
		links := map[string]string{}
		for issue, item := range agenda {
			if item == "" {
				continue
			}
			if issueIndex(&d, issue) < 0 {
				return errs.Field("agenda."+issue, "%q is not an issue of the domain", issue)
			}
			ok, err := agendaItemIn(ctx, tx, actor, roundID, item)
			if err != nil {
				return err
			}
			if !ok {
				return errs.Field("agenda."+issue, "no such agenda item in this round")
			}
			links[issue] = item
		}
		doc, err := json.Marshal(domainDoc{Domain: d, Agenda: links})
		if err != nil {
			return err
		}
		version := 0
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM bargain_domains WHERE round_id = $1", roundID).Scan(&version); err != nil {
			return err
		}
		aud, err := domainAudience(ctx, tx, roundID)
		if err != nil {
			return err
		}
		rd = RoundDomain{ID: store.NewID(), RoundID: roundID, Version: version + 1, Domain: d, Agenda: links,
			UpdatedAt: store.Time(store.Stamp(s.now())), UpdatedBy: actor.User}
		ev, err := event(ctx, rec, actor, "bargain.domain.saved", roundID, "bargain_domain", rd.ID, aud,
			map[string]any{"round": roundID, "version": rd.Version, "sha256": hashHex(doc)})
		if err != nil {
			return err
		}
		rd.LedgerIndex = ev.Index
		if _, err := tx.ExecContext(ctx, `INSERT INTO bargain_domains(round_id, id, version, document, updated_at, updated_by, ledger_idx)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (round_id) DO UPDATE SET id = excluded.id, version = excluded.version, document = excluded.document,
				updated_at = excluded.updated_at, updated_by = excluded.updated_by, ledger_idx = excluded.ledger_idx`,
			roundID, rd.ID, rd.Version, string(doc), store.Stamp(rd.UpdatedAt), actor.User, rd.LedgerIndex); err != nil {
			return err
		}
		return access.Grant(ctx, tx, rd.ID, aud)
	})
	if err != nil {
		return RoundDomain{}, err
	}
	s.refresh(ctx, roundID)
	return rd, nil
}

// agendaItemIn reports whether item is an agenda item of the round that
// actor may read.
func agendaItemIn(ctx context.Context, q access.Querier, actor access.Actor, roundID, item string) (bool, error) {
	if !store.ValidID(item) {
		return false, nil
	}
	cond, arg := access.ReadableBy(actor, "a.id", 3)
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM agenda_items a WHERE a.id = $1 AND a.round_id = $2 AND "+cond, item, roundID, arg).Scan(&n)
	return n > 0, err
}

// ImportDomain reads a GeniusWeb domain and saves it as the round's domain,
// keeping the agenda links of issues whose names did not change. A bad file
// is refused with the offending path, and nothing is saved.
func (s *Service) ImportDomain(ctx context.Context, actor access.Actor, roundID string, data []byte) (RoundDomain, error) {
	// The rights first, as SetDomain checks them: a caller outside the
	// round finds no round (404) whatever its file holds, and one who may
	// not set the domain learns nothing from how its file would parse.
	err := s.db.ReadTx(ctx, func(tx *store.Reader) error {
		if err := enterRound(ctx, tx, actor, roundID); err != nil {
			return err
		}
		return requireCapacity(ctx, tx, actor, roundID, access.Mediation, "sets the negotiation domain")
	})
	if err != nil {
		return RoundDomain{}, err
	}
	d, err := ParseGeniusWebDomain(data)
	if err != nil {
		return RoundDomain{}, asErr(err)
	}
	links := map[string]string{}
	if cur, err := s.Domain(ctx, actor, roundID); err == nil {
		for issue, item := range cur.Agenda {
			if issueIndex(d, issue) >= 0 {
				links[issue] = item
			}
		}
	} else if errs.Code(err) != errs.NotFound {
		return RoundDomain{}, err
	}
	return s.SetDomain(ctx, actor, roundID, *d, links)
}

// ExportDomain writes the round's domain as GeniusWeb JSON.
func (s *Service) ExportDomain(ctx context.Context, actor access.Actor, roundID string) ([]byte, error) {
	rd, err := s.Domain(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	b, err := rd.Domain.GeniusWebJSON()
	return b, asErr(err)
}

const profileColumns = "p.id, p.round_id, p.org_id, o.name, p.document, p.answers, p.shared, p.updated_at, p.updated_by, p.ledger_idx"

func scanProfile(sc interface{ Scan(...any) error }) (StoredProfile, error) {
	var sp StoredProfile
	var doc, answers string
	var at int64
	if err := sc.Scan(&sp.ID, &sp.RoundID, &sp.OrgID, &sp.OrgName, &doc, &answers, &sp.Shared, &at, &sp.UpdatedBy, &sp.LedgerIndex); err != nil {
		return sp, err
	}
	sp.UpdatedAt = store.Time(at)
	if err := json.Unmarshal([]byte(doc), &sp.Profile); err != nil {
		return sp, fmt.Errorf("stored profile %s: %w", sp.ID, err)
	}
	if err := json.Unmarshal([]byte(answers), &sp.Answers); err != nil {
		return sp, fmt.Errorf("stored answers %s: %w", sp.ID, err)
	}
	return sp, nil
}

// markStale sets Stale on profiles that do not fit the domain.
func markStale(d *Domain, ps []StoredProfile) {
	for i := range ps {
		ps[i].Stale = d == nil || checkProfile(d, &ps[i].Profile) != nil
	}
}

// Profile returns the actor's own organisation's profile for the round. A
// party sees its own profile and no other.
func (s *Service) Profile(ctx context.Context, actor access.Actor, roundID string) (sp StoredProfile, err error) {
	defer errs.Wrap(&err, "bargain.Profile")
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		if err := enterRound(ctx, tx, actor, roundID); err != nil {
			return err
		}
		cond, arg := access.ReadableBy(actor, "p.id", 3)
		sp, err = scanProfile(tx.QueryRowContext(ctx, "SELECT "+profileColumns+
			" FROM bargain_profiles p JOIN orgs o ON o.id = p.org_id WHERE p.round_id = $1 AND p.org_id = $2 AND "+cond,
			roundID, actor.Org, arg))
		if err == sql.ErrNoRows {
			return errs.NotFoundf("profile")
		}
		if err != nil {
			return err
		}
		one := []StoredProfile{sp}
		if rd, err := domainIn(ctx, tx, actor, roundID); err == nil {
			markStale(&rd.Domain, one)
		} else {
			markStale(nil, one)
		}
		sp = one[0]
		return nil
	})
	return sp, err
}

// Profiles lists every profile of the round that actor may read: for a
// party its own, for the mediation those the parties share with it.
func (s *Service) Profiles(ctx context.Context, actor access.Actor, roundID string) (ps []StoredProfile, err error) {
	defer errs.Wrap(&err, "bargain.Profiles")
	err = s.db.ReadTx(ctx, func(tx *store.Reader) error {
		if err := enterRound(ctx, tx, actor, roundID); err != nil {
			return err
		}
		cond, arg := access.ReadableBy(actor, "p.id", 2)
		rows, err := tx.QueryContext(ctx, "SELECT "+profileColumns+
			" FROM bargain_profiles p JOIN orgs o ON o.id = p.org_id WHERE p.round_id = $1 AND "+cond+" ORDER BY o.name, o.id", roundID, arg)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			sp, err := scanProfile(rows)
			if err != nil {
				return err
			}
			ps = append(ps, sp)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if rd, err := domainIn(ctx, tx, actor, roundID); err == nil {
			markStale(&rd.Domain, ps)
		} else {
			markStale(nil, ps)
		}
		return nil
	})
	return ps, err
}

// checkProfile validates a profile against a domain, its reservation
// included.
func checkProfile(d *Domain, p *Profile) error {
	if err := ValidateProfile(d, p); err != nil {
		return err
	}
	if p.ReservationBid != nil {
		opts := make([][]string, len(d.Issues))
		for i, is := range d.Issues {
			opts[i], _ = is.Options()
		}
		if _, err := bidOptions(d, opts, p.ReservationBid, "profile.reservationBid"); err != nil {
			return err
		}
	}
	if p.ReservationValue != nil && !validUnit(*p.ReservationValue) {
		return invalid("profile.reservationValue", "the reservation value must be between 0 and 1")
	}
	return nil
}

// SetProfile saves the actor's own organisation's profile for the round:
// a party of the round only. Its audience is the party, plus the mediation
// when in.Shared; the ledger records a hash of it, never its content.
func (s *Service) SetProfile(ctx context.Context, actor access.Actor, roundID string, in ProfileInput) (sp StoredProfile, err error) {
	defer errs.Wrap(&err, "bargain.SetProfile")
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		sp, err = s.saveProfile(ctx, tx, rec, actor, roundID, in)
		return err
	})
	if err != nil {
		return StoredProfile{}, err
	}
	s.refresh(ctx, roundID)
	return sp, nil
}

// SetShared changes whether the mediation may read the actor's own
// profile. Withdrawing the share takes effect at once: the profile is
// stored under a new id whose audience is the party alone.
func (s *Service) SetShared(ctx context.Context, actor access.Actor, roundID string, shared bool) (sp StoredProfile, err error) {
	defer errs.Wrap(&err, "bargain.SetShared")
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		if err := enterRound(ctx, tx, actor, roundID); err != nil {
			return err
		}
		cond, arg := access.ReadableBy(actor, "p.id", 3)
		cur, err := scanProfile(tx.QueryRowContext(ctx, "SELECT "+profileColumns+
			" FROM bargain_profiles p JOIN orgs o ON o.id = p.org_id WHERE p.round_id = $1 AND p.org_id = $2 AND "+cond,
			roundID, actor.Org, arg))
		if err == sql.ErrNoRows {
			return errs.NotFoundf("profile")
		}
		if err != nil {
			return err
		}
		sp, err = s.saveProfile(ctx, tx, rec, actor, roundID, ProfileInput{Profile: cur.Profile, Shared: shared, Answers: cur.Answers})
		return err
	})
	if err != nil {
		return StoredProfile{}, err
	}
	s.refresh(ctx, roundID)
	return sp, nil
}

func (s *Service) saveProfile(ctx context.Context, tx *sql.Tx, rec *ledger.Recorder, actor access.Actor, roundID string, in ProfileInput) (StoredProfile, error) {
	if err := enterRound(ctx, tx, actor, roundID); err != nil {
		return StoredProfile{}, err
	}
	if err := requireCapacity(ctx, tx, actor, roundID, access.Party, "enters its own profile"); err != nil {
		return StoredProfile{}, err
	}
	if err := s.lockRound(ctx, tx, roundID); err != nil {
		return StoredProfile{}, err
	}
	// Sharing the profile with the mediation (its weights, its cardinal
	// utilities and its reservation value in the analysis) is the
	// delegation's act, taken by its head; a member may save the profile
	// as it is shared now.
	var wasShared bool
	if err := tx.QueryRowContext(ctx, "SELECT shared FROM bargain_profiles WHERE round_id = $1 AND org_id = $2",
		roundID, actor.Org).Scan(&wasShared); err != nil && err != sql.ErrNoRows {
		return StoredProfile{}, err
	}
	if in.Shared != wasShared {
		if c, err := access.RoundCapacity(ctx, tx, actor, roundID); err != nil {
			return StoredProfile{}, err
		} else if !c.Head() {
			return StoredProfile{}, errs.New(errs.Forbidden, "only a head of the delegation decides whether the mediation reads its profile")
		}
	}
	rd, err := domainIn(ctx, tx, actor, roundID)
	if errs.Code(err) == errs.NotFound {
		return StoredProfile{}, errs.New(errs.Conflict, "the mediation has not set up the negotiation domain of this round yet")
	}
	if err != nil {
		return StoredProfile{}, err
	}
	p := in.Profile
	p.Domain = rd.Domain.Name
	if err := checkName("profile.name", p.Name); err != nil {
		var org string
		if err := tx.QueryRowContext(ctx, "SELECT name FROM orgs WHERE id = $1", actor.Org).Scan(&org); err != nil {
			return StoredProfile{}, err
		}
		p.Name = org
	}
	if err := checkProfile(&rd.Domain, &p); err != nil {
		return StoredProfile{}, asErr(err)
	}
	if len(in.Answers) > maxAnswers {
		return StoredProfile{}, errs.Field("answers", "at most %d answers", maxAnswers)
	}
	opts := make([][]string, len(rd.Domain.Issues))
	for i, is := range rd.Domain.Issues {
		opts[i], _ = is.Options()
	}
	answers := make([]Answer, 0, len(in.Answers))
	for k, a := range in.Answers {
		path := fmt.Sprintf("answers[%d]", k)
		if a.Prefer != "" && a.Prefer != "a" && a.Prefer != "b" {
			return StoredProfile{}, errs.Field(path+".prefer", "prefer is \"a\", \"b\" or empty")
		}
		if _, err := bidOptions(&rd.Domain, opts, a.A, path+".a"); err != nil {
			return StoredProfile{}, asErr(err)
		}
		if _, err := bidOptions(&rd.Domain, opts, a.B, path+".b"); err != nil {
			return StoredProfile{}, asErr(err)
		}
		answers = append(answers, a)
	}
	doc, err := json.Marshal(p)
	if err != nil {
		return StoredProfile{}, err
	}
	ans, err := json.Marshal(answers)
	if err != nil {
		return StoredProfile{}, err
	}
	aud := access.Of(actor.Org)
	if in.Shared {
		med, err := access.RoundOrgs(ctx, tx, roundID, access.Mediation)
		if err != nil {
			return StoredProfile{}, err
		}
		aud = access.Of(append(med, actor.Org)...)
	}
	sp := StoredProfile{ID: store.NewID(), RoundID: roundID, OrgID: actor.Org, Profile: p, Shared: in.Shared, Answers: answers,
		UpdatedAt: store.Time(store.Stamp(s.now())), UpdatedBy: actor.User}
	if err := tx.QueryRowContext(ctx, "SELECT name FROM orgs WHERE id = $1", actor.Org).Scan(&sp.OrgName); err != nil {
		return StoredProfile{}, err
	}
	// The event names the profile and carries its hash: the party can
	// later prove what it entered, and nobody learns a weight from the
	// ledger.
	ev, err := event(ctx, rec, actor, "bargain.profile.saved", roundID, "bargain_profile", sp.ID, aud,
		profileContent(roundID, actor.Org, rd.Version, in.Shared, string(doc)))
	if err != nil {
		return StoredProfile{}, err
	}
	sp.LedgerIndex = ev.Index
	if _, err := tx.ExecContext(ctx, `INSERT INTO bargain_profiles(id, round_id, org_id, document, answers, shared, updated_at, updated_by, ledger_idx, domain_version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (round_id, org_id) DO UPDATE SET id = excluded.id, document = excluded.document, answers = excluded.answers,
			shared = excluded.shared, updated_at = excluded.updated_at, updated_by = excluded.updated_by, ledger_idx = excluded.ledger_idx,
			domain_version = excluded.domain_version`,
		sp.ID, roundID, actor.Org, string(doc), string(ans), in.Shared, store.Stamp(sp.UpdatedAt), actor.User, sp.LedgerIndex, rd.Version); err != nil {
		return StoredProfile{}, err
	}
	if err := access.Grant(ctx, tx, sp.ID, aud); err != nil {
		return StoredProfile{}, err
	}
	return sp, nil
}

// ImportProfile reads the actor's own profile from a GeniusWeb JSON or
// Genius XML file (format FormatGeniusWeb or FormatGeniusXML) and saves
// it. The file must be for the round's domain; a bad file is refused with
// the offending path, and nothing is saved.
func (s *Service) ImportProfile(ctx context.Context, actor access.Actor, roundID, format string, data []byte, shared bool) (StoredProfile, error) {
	// The rights first, as SetProfile checks them, so that a caller who may
	// not enter a profile learns nothing from how its file would parse.
	var rd RoundDomain
	err := s.db.ReadTx(ctx, func(tx *store.Reader) error {
		if err := enterRound(ctx, tx, actor, roundID); err != nil {
			return err
		}
		if err := requireCapacity(ctx, tx, actor, roundID, access.Party, "enters its own profile"); err != nil {
			return err
		}
		var err error
		rd, err = domainIn(ctx, tx, actor, roundID)
		if errs.Code(err) == errs.NotFound {
			return errs.New(errs.Conflict, "the mediation has not set up the negotiation domain of this round yet")
		}
		return err
	})
	if err != nil {
		return StoredProfile{}, err
	}
	var p *Profile
	switch format {
	case FormatGeniusWeb:
		p, _, err = ParseGeniusWebProfile(data, &rd.Domain)
	case FormatGeniusXML:
		p, _, err = ParseGeniusXML(data, "", &rd.Domain)
	default:
		return StoredProfile{}, errs.Field("format", "format is %q or %q", FormatGeniusWeb, FormatGeniusXML)
	}
	if err != nil {
		return StoredProfile{}, asErr(err)
	}
	var answers []Answer
	if cur, err := s.Profile(ctx, actor, roundID); err == nil {
		answers = cur.Answers
	}
	return s.SetProfile(ctx, actor, roundID, ProfileInput{Profile: *p, Shared: shared, Answers: answers})
}

// ExportProfile writes the actor's own profile as GeniusWeb JSON or Genius
// XML.
func (s *Service) ExportProfile(ctx context.Context, actor access.Actor, roundID, format string) ([]byte, error) {
	sp, err := s.Profile(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	rd, err := s.Domain(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	if sp.Stale {
		return nil, errs.New(errs.Conflict, "the profile does not fit the round's current domain; save it again first")
	}
	var b []byte
	switch format {
	case FormatGeniusWeb:
		b, err = sp.Profile.GeniusWebJSON(&rd.Domain)
	case FormatGeniusXML:
		b, err = sp.Profile.GeniusXML(&rd.Domain)
	default:
		return nil, errs.Field("format", "format is %q or %q", FormatGeniusWeb, FormatGeniusXML)
	}
	return b, asErr(err)
}

// Joined is the bargain package's talks.JoinHook: an organisation joining a
// round reads what it would have read had it been there when the items
// were saved, of the round's shared material: a party or a mediation reads
// the round's domain. A mediation that joins late does not read the draft
// package, the analysis or the profiles shared with the mediation before
// it came (docs/security.md): the parties shared them with the mediation
// that was there. A party's profile stays its own.
func (s *Service) Joined(ctx context.Context, tx *sql.Tx, roundID string, p talks.Participant) error {
	var queries []string
	switch p.Capacity {
	case access.Party, access.Mediation:
		queries = []string{"SELECT id FROM bargain_domains WHERE round_id = $1"}
	}
	for _, q := range queries {
		if err := access.WidenAll(ctx, tx, p.Org.ID, q, roundID); err != nil {
			return err
		}
	}
	return nil
}
