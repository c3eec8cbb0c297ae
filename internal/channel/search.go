package channel

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
)

// SearchResult is what a search finds among what the reader reads.
type SearchResult struct {
	Messages   []Message
	Statements []Statement
}

// MaxQueryTerms caps the words of a search.
const MaxQueryTerms = 16

// Search finds the messages and statements the actor reads that contain
// every word of q, after the folding of Normalize. The blind index matches
// whole words only (see docs/channel.md); the audience filter is part of
// the query, so a search can never count or return what the reader may not
// read.
func (s *Service) Search(ctx context.Context, actor access.Actor, q string, limit int) (res SearchResult, err error) {
	defer errs.Wrap(&err, "channel.Search")
	if actor.Anonymous() {
		return res, errs.New(errs.Unauthorized, "log in first")
	}
	toks := Tokens(q)
	if len(toks) == 0 {
		return res, errs.Field("q", "search for at least one word")
	}
	if len(toks) > MaxQueryTerms {
		return res, errs.Field("q", "search for at most %d words", MaxQueryTerms)
	}
	if limit <= 0 || limit > MaxLimit {
		limit = 100
	}
	// $1 reader, $2 second parameter of the select (unused by messages:
	// bound to the limit), terms from $3.
	var in strings.Builder
	terms := make([]any, len(toks))
	for i, t := range toks {
		if i > 0 {
			in.WriteString(", ")
		}
		in.WriteString("$" + strconv.Itoa(i+3))
		terms[i] = s.keys.term(t)
	}
	match := " IN (SELECT item_id FROM search_terms WHERE term IN (" + in.String() + ") GROUP BY item_id HAVING COUNT(*) = " + strconv.Itoa(len(toks)) + ")"
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		sel, arg := messageSelect(actor)
		args := append([]any{arg, limit}, terms...)
		rows, err := tx.QueryContext(ctx, sel+" AND m.id"+match+" ORDER BY m.ledger_idx DESC LIMIT $2", args...)
		if err != nil {
			return err
		}
		if res.Messages, err = s.scanMessages(ctx, tx, actor, rows); err != nil {
			return err
		}
		ssel, sarg := statementSelect(actor)
		args = append([]any{sarg, store.Now()}, terms...)
		rows, err = tx.QueryContext(ctx, ssel+" AND s.id"+match+" ORDER BY s.created_at DESC LIMIT "+strconv.Itoa(limit), args...)
		if err != nil {
			return err
		}
		res.Statements, err = s.scanStatements(rows)
		return err
	})
	if res.Messages == nil {
		res.Messages = []Message{}
	}
	return res, err
}
