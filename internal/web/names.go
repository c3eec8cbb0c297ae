package web

import (
	"html/template"
	"net/http"
	"parley/internal/access"
	"parley/internal/channel"
	"slices"

	"parley/internal/i18n"
	"parley/internal/localized"
	"parley/internal/talks"
)

// names are the names, in other languages, of the items a page shows
// (internal/localized), with the viewer's language: a page puts them in
// its data and each name in a template is one call,
//
//	{{loc $.Names .Round.ID "name" .Round.Name}}
//
// which shows the name in the viewer's language, or the authoritative one,
// marked with its own language and direction.
type names struct {
	lang   string
	values map[string]localized.Values // item id → values
}

// loadNames reads the names of the items of each kind (kind → ids) that
// the viewer reads, in one query per kind. A failure leaves the
// authoritative names in place: the page still says everything it says
// in one language.
func (w *Web) loadNames(r *http.Request, actor access.Actor, items map[string][]string) names {
	n := names{lang: w.localizer(r).Lang, values: map[string]localized.Values{}}
	if w.localized == nil {
		// Pages built without the service (tests of one page) show the
		// authoritative names.
		return n
	}
	if v := viewerFrom(r.Context()); v != nil && v.Actor().Org != "" {
		// The navigation names the viewer's own organisation (organisation
		// names are public, so a public page read as anonymous has it too).
		items["org"] = append(slices.Clip(items["org"]), v.Actor().Org)
	}
	for kind, ids := range items {
		vs, err := w.localized.Load(r.Context(), actor, kind, ids...)
		if err != nil {
			w.log.Error("web: load names", "kind", kind, "err", err)
			continue
		}
		for id, val := range vs {
			n.values[id] = val
		}
	}
	return n
}

// pick returns a field of item id in the viewer's language (or fallback,
// the authoritative value) and the language of what it returns.
func (n names) pick(id, field, fallback string) (string, string) {
	return n.values[id].Pick(field, n.lang, fallback)
}

// localName is the "loc" template function: the value in a <bdi> carrying
// its language and direction, so that an Arabic name inside an English
// page is set right to left and an English one inside an Arabic page left
// to right. A value whose language nobody gave keeps <bdi>'s own isolation.
// An optional class is put on the <bdi>.
func localName(n names, id, field, fallback string, class ...string) template.HTML {
	v, _ := n.pick(id, field, fallback)
	attrs := string(localAttrs(n, id, field, fallback))
	if len(class) > 0 {
		attrs += ` class="` + template.HTMLEscapeString(class[0]) + `"`
	}
	return template.HTML("<bdi" + attrs + ">" + template.HTMLEscapeString(v) + "</bdi>")
}

// localAttrs is the "locAttrs" template function: the lang and dir
// attributes of the value localName would show, for an element of the
// page's own (a paragraph holding a description).
func localAttrs(n names, id, field, fallback string) template.HTMLAttr {
	if _, lang := n.pick(id, field, fallback); lang != "" {
		return template.HTMLAttr(` lang="` + lang + `" dir="` + direction(lang) + `"`)
	}
	return ` dir="auto"`
}

// localText is the "locText" template function: the value alone, for
// places that take no markup (a page's <title>, an attribute, a sentence).
func localText(n names, id, field, fallback string) string {
	v, _ := n.pick(id, field, fallback)
	return v
}

// direction is the writing direction of one of the interface's languages.
func direction(lang string) string {
	for _, l := range i18n.Languages {
		if l.Tag == lang {
			return l.Dir
		}
	}
	return "auto"
}

// statementNameItems are the items a list of statements names: the
// statements, their organisations and their rounds.
func statementNameItems(sts ...channel.Statement) map[string][]string {
	items := map[string][]string{}
	for _, st := range sts {
		items["statement"] = append(items["statement"], st.ID)
		items["org"] = append(items["org"], st.Org.ID)
		if st.Round.ID != "" {
			items["round"] = append(items["round"], st.Round.ID)
		}
	}
	return items
}

// participantNames names the participants of a round by id, in the
// viewer's language: the organisations in the sentences of the record.
func (w *Web) participantNames(r *http.Request, v *viewer, round talks.Round) map[string]string {
	var ids []string
	for _, pt := range round.Participants {
		ids = append(ids, pt.Org.ID)
	}
	n := w.loadNames(r, v.Actor(), map[string][]string{"org": ids})
	out := map[string]string{}
	for _, pt := range round.Participants {
		out[pt.Org.ID] = localText(n, pt.Org.ID, "name", pt.Org.Name)
	}
	return out
}
