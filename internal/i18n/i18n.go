// Package i18n holds parley's message catalogues (English, Arabic, Russian and
// Turkish) and picks the language of a request: the account's setting, else
// the browser's Accept-Language, else English.
//
// Every user-facing string of the web pages comes from these catalogues. The
// catalogues are flat JSON objects (message id → text, go-i18n's format) with
// no plural forms: the pages are written so that they never need one, which
// keeps four very different plural systems out of the templates and lets a
// test prove that every language has every key.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales
var files embed.FS

// Language is one language parley is translated into.
type Language struct {
	Tag  string // BCP 47 tag: "en", "ar", "ru", "tr"
	Name string // the language's own name for itself
	Dir  string // "ltr" or "rtl", for <html dir>
}

// Languages lists the supported languages; the first is the fallback.
var Languages = []Language{
	{Tag: "en", Name: "English", Dir: "ltr"},
	{Tag: "ar", Name: "العربية", Dir: "rtl"},
	{Tag: "ru", Name: "Русский", Dir: "ltr"},
	{Tag: "tr", Name: "Türkçe", Dir: "ltr"},
}

// Supported reports whether tag names a supported language exactly.
func Supported(tag string) bool {
	return slices.ContainsFunc(Languages, func(l Language) bool { return l.Tag == tag })
}

// Catalogue is the loaded set of messages in every language. It is immutable
// once loaded and safe for concurrent use.
type Catalogue struct {
	bundle   *goi18n.Bundle
	matcher  language.Matcher
	messages map[string]map[string]string // tag → id → text
}

// Load parses the embedded catalogues. It fails when a file is malformed or
// a supported language has no file.
func Load() (*Catalogue, error) {
	c := &Catalogue{
		bundle:   goi18n.NewBundle(language.English),
		messages: map[string]map[string]string{},
	}
	c.bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	var tags []language.Tag
	for _, l := range Languages {
		// A language's messages are its main file plus one file per
		// domain (locales/<domain>/<tag>.json), so that each domain keeps
		// its words beside the others without editing one shared file.
		names, err := fs.Glob(files, "locales/*/"+l.Tag+".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		names = append([]string{"locales/" + l.Tag + ".json"}, names...)
		flat := map[string]string{}
		for _, name := range names {
			buf, err := fs.ReadFile(files, name)
			if err != nil {
				return nil, fmt.Errorf("i18n: %w", err)
			}
			// Decode once more as a flat map: a nested object (a plural
			// form) is refused here, and the map serves the completeness
			// test.
			var part map[string]string
			if err := json.Unmarshal(buf, &part); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w (messages must be plain strings)", name, err)
			}
			for k, v := range part {
				if _, dup := flat[k]; dup {
					return nil, fmt.Errorf("i18n: %s: message %q is defined twice", name, k)
				}
				flat[k] = v
			}
			if _, err := c.bundle.ParseMessageFileBytes(buf, name); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
		}
		c.messages[l.Tag] = flat
		tags = append(tags, language.MustParse(l.Tag))
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// Keys returns the message ids of one language, sorted.
func (c *Catalogue) Keys(tag string) []string {
	keys := make([]string, 0, len(c.messages[tag]))
	for k := range c.messages[tag] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Choose returns the language for a request: the account's setting when it
// is supported, else the best match for the Accept-Language header, else
// English.
func (c *Catalogue) Choose(account, acceptLanguage string) string {
	if Supported(account) {
		return account
	}
	if acceptLanguage != "" {
		prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(prefs) > 0 {
			_, i, conf := c.matcher.Match(prefs...)
			if conf != language.No {
				return Languages[i].Tag
			}
		}
	}
	return Languages[0].Tag
}

// Localizer returns the localizer for a supported language tag (English for
// anything else).
func (c *Catalogue) Localizer(tag string) *Localizer {
	lang := Languages[0]
	for _, l := range Languages {
		if l.Tag == tag {
			lang = l
		}
	}
	return &Localizer{Lang: lang.Tag, Dir: lang.Dir, c: c, l: goi18n.NewLocalizer(c.bundle, lang.Tag)}
}

// Localizer translates messages into one language. Pages receive it in their
// page data, so templates never reach for per-request state elsewhere.
type Localizer struct {
	Lang string // the chosen language tag, for <html lang>
	Dir  string // "ltr" or "rtl", for <html dir>
	c    *Catalogue
	l    *goi18n.Localizer
}

// T returns the message id in the localizer's language. Optional arguments
// are name/value pairs filling the message's {{.Name}} placeholders:
//
//	l.T("round.consent_line", "Party", a, "Counterpart", b)
//
// A missing message shows its id, which the completeness test prevents from
// ever reaching a user.
func (l *Localizer) T(id string, pairs ...any) string {
	// Most messages are plain text: answer them from the map, without a
	// template execution each (a round page asks for hundreds).
	if len(pairs) == 0 {
		if s, ok := l.c.messages[l.Lang][id]; ok && !strings.Contains(s, "{{") {
			return s
		}
	}
	var data map[string]any
	if len(pairs) > 0 {
		data = make(map[string]any, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			data[fmt.Sprint(pairs[i])] = pairs[i+1]
		}
	}
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Has reports whether the catalogue has a message id; the pages use it to
// translate open-ended values (a custom track, an error code) only when a
// translation exists.
func (l *Localizer) Has(id string) bool {
	_, ok := l.c.messages[l.Lang][id]
	return ok
}

// Value translates a domain value (a track, a format, an org kind) under a
// prefix, such as Value("track", "political") → "Political"; values with no
// message, such as a custom track name, are shown as they are.
// It takes any string-kinded value (talks.Format, access.OrgKind, ...).
func (l *Localizer) Value(prefix string, v any) string {
	s := fmt.Sprint(v)
	id := prefix + "." + strings.ToLower(s)
	if l.Has(id) {
		return l.T(id)
	}
	return s
}

// Languages returns the supported languages, for a language picker.
func (l *Localizer) Languages() []Language { return Languages }
