package channel

import (
	"context"
	"slices"

	"parley/internal/access"
	"parley/internal/errs"
)

// Recipient is one audience a compose box may offer in a round, with the
// channel's own answer on it: the pages ask it instead of re-deriving the
// rules of Send.
type Recipient struct {
	// To is what Send takes: ToKeywordMediation, ToKeywordInternal,
	// ToKeywordPlenary, or an organisation id.
	To string
	// Kind is the kind of message a send to it makes (for an
	// organisation: Direct between parties, ToMediation when the mediation
	// writes to one).
	Kind Kind
	// Refused is empty when the actor may write to it now; otherwise the
	// error code Send would answer (no_direct_consent,
	// recipient_not_allowed, no_mediation), the reason to show.
	Refused string
}

// Recipients lists the audiences of the round the actor may name, each with
// Send's answer for it, by the same rules (resolve): the three keywords,
// then every other participant. A round the actor does not read is not
// found.
func (s *Service) Recipients(ctx context.Context, actor access.Actor, roundID string) (out []Recipient, err error) {
	defer errs.Wrap(&err, "channel.Recipients")
	tx, err := s.db.R.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	sc := newStmtCache(tx, s.db.Dialect)
	rs, err := s.enterRound(ctx, sc, actor, roundID, map[string]roundState{})
	if err != nil {
		return nil, err
	}
	candidates := []string{ToKeywordMediation, ToKeywordInternal, ToKeywordPlenary}
	var orgs []string
	for org := range rs.parts {
		if org != actor.Org {
			orgs = append(orgs, org)
		}
	}
	slices.Sort(orgs)
	for _, to := range append(candidates, orgs...) {
		r := Recipient{To: to}
		rt, err := s.resolve(ctx, sc, actor, rs, []string{to})
		switch e, ok := errs.As(err); {
		case err == nil:
			r.Kind = rt.kind
		case ok && e.Code != errs.Internal:
			r.Refused = e.Code
		default:
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
