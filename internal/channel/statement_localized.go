package channel

import (
	"context"
	"encoding/base64"
	"strconv"
	"time"

	"parley/internal/access"
	"parley/internal/localized"
	"parley/internal/store"
)

// LocalizedKind is the statement as internal/localized keeps it: its title
// and body in other languages, read by whoever reads the statement (its
// draft audience, or everyone once it is released and past its embargo),
// edited like the draft itself (by its organisation, before release), and
// encrypted at rest like the statement.
func (s *Service) LocalizedKind() localized.Kind {
	return localized.Kind{
		Name:     "statement",
		Fields:   []localized.Field{{Name: "title", Max: MaxStatementTitle}, {Name: "body", Max: MaxBody, Multiline: true}},
		Readable: statementReadable,
		Item: func(ctx context.Context, q access.Querier, actor access.Actor, id string) (localized.Item, error) {
			st, err := s.statementIn(ctx, q, actor, id, time.Now())
			if err != nil {
				return localized.Item{}, err
			}
			aud, err := access.AudienceOf(ctx, q, id)
			if err != nil {
				return localized.Item{}, err
			}
			return localized.Item{
				Round:    st.Round.ID,
				Values:   map[string]string{"title": st.Title, "body": st.Body},
				Audience: aud,
				Editable: !actor.Anonymous() && st.Org.ID == actor.Org && st.ReleasedAt.IsZero(),
			}, nil
		},
		Seal: func(id, field, lang, v string) string {
			return base64.StdEncoding.EncodeToString(s.keys.seal(statementPurpose(field, lang), id, []byte(v)))
		},
		Open: func(id, field, lang, v string) (string, error) {
			b, err := base64.StdEncoding.DecodeString(v)
			if err == nil {
				b, err = s.keys.open(statementPurpose(field, lang), id, b)
			}
			return string(b), err
		},
	}
}

// statementPurpose binds a sealed translation to its field and language,
// so that one cannot be swapped for another.
func statementPurpose(field, lang string) string { return "statement-" + field + "-" + lang }

// statementReadable is statementSelect's condition for the statement whose
// id is in col.
func statementReadable(actor access.Actor, col string, n int) (string, []any) {
	draft, arg := access.ReadableBy(actor, col, n)
	public, _ := access.ReadableBy(actor, "('public:' || "+col+")", n)
	now := "$" + strconv.Itoa(n+1)
	return "(" + draft + " OR (" + public + " AND EXISTS (SELECT 1 FROM statements ls WHERE ls.id = " + col +
		" AND ls.released_at > 0 AND ls.released_at <= " + now + ")))", []any{arg, store.Now()}
}
