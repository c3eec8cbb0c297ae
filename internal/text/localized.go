package text

import (
	"context"

	"parley/internal/access"
	"parley/internal/localized"
)

// LocalizedKind is the negotiating text as internal/localized keeps it: its
// title in other languages, read by whoever reads the text and edited by
// the mediation that keeps it. The text's own language is the
// authoritative one.
func (s *Service) LocalizedKind() localized.Kind {
	return localized.Kind{
		Name:     "text",
		Fields:   []localized.Field{{Name: "title", Max: MaxTitle}},
		Readable: localized.ByAudience,
		Item: func(ctx context.Context, q access.Querier, actor access.Actor, id string) (localized.Item, error) {
			t, err := s.textIn(ctx, q, actor, id, false)
			if err != nil {
				return localized.Item{}, err
			}
			c, err := access.RoundCapacity(ctx, q, actor, t.RoundID)
			if err != nil {
				return localized.Item{}, err
			}
			aud, err := access.AudienceOf(ctx, q, id)
			if err != nil {
				return localized.Item{}, err
			}
			lang := t.Language
			if !localized.Supported(lang) {
				lang = ""
			}
			return localized.Item{Round: t.RoundID, Values: map[string]string{"title": t.Title}, Audience: aud,
				Authoritative: lang, Editable: c.Mediates()}, nil
		},
	}
}
