// Package api is parley's JSON API under /api/v1: everything the web pages
// do, for programs. Handlers are thin: authenticate the bearer token, decode
// and validate the body, call one domain method with the actor, and write the
// result or the error. Domain rules and every read check live in the domain
// packages; the API never touches SQL.
//
// docs/api.md describes the conventions (errors, limits, tokens); the
// OpenAPI 3.1 document served at /api/v1/openapi.json describes each route,
// and a test keeps it equal to the routes registered here.
package api

import (
	"log/slog"
	"net"
	"net/http"
	"strings"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/bargain"
	"parley/internal/ceasefire"
	"parley/internal/channel"
	"parley/internal/detainees"
	"parley/internal/errs"
	"parley/internal/humanitarian"
	"parley/internal/ledger"
	"parley/internal/localized"
	"parley/internal/router"
	"parley/internal/talks"
	"parley/internal/text"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// MethodNotAllowed is the code for a known API path called with a method it
// does not serve.
const MethodNotAllowed = "method_not_allowed"

func init() {
	errs.Register(MethodNotAllowed, http.StatusMethodNotAllowed)
}

// Deps are the services the API calls.
type Deps struct {
	Auth    *auth.Service
	Talks   *talks.Service
	Ledger  *ledger.Ledger
	Log     *slog.Logger
	Channel *channel.Service // messages, relays, statements, search, live stream
	Text    *text.Service    // the negotiating text
	Bargain *bargain.Service // the package analysis

	Detainees *detainees.Service // lists, matching, exchanges, releases
	// Ceasefire is the ceasefire monitoring mechanism.
	Ceasefire    *ceasefire.Service
	Humanitarian *humanitarian.Service // humanitarian access
	Localized    *localized.Service    // names of items in other languages
}

// API serves the JSON API.
type API struct {
	auth    *auth.Service
	talks   *talks.Service
	led     *ledger.Ledger
	log     *slog.Logger
	mux     *router.Mux
	channel *channel.Service
	text    *text.Service
	bargain *bargain.Service

	detainees    *detainees.Service
	ceasefire    *ceasefire.Service
	humanitarian *humanitarian.Service
	localized    *localized.Service
}

// New returns the API over its services.
func New(d Deps) *API {
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	return &API{auth: d.Auth, talks: d.Talks, led: d.Ledger, log: log, channel: d.Channel, text: d.Text, bargain: d.Bargain,
		detainees: d.Detainees, ceasefire: d.Ceasefire, humanitarian: d.Humanitarian, localized: d.Localized}
}

// call is what an authenticated handler knows about its caller.
type call struct {
	Actor access.Actor
	User  auth.User
	Token string
}

// Register adds the API's routes, and GET /healthz, to mux.
func (a *API) Register(mux *router.Mux) {
	a.mux = mux
	mux.HandleFunc("GET /healthz", a.healthz)

	mux.HandleFunc("GET "+Prefix+"/openapi.json", a.openAPI)
	mux.Handle("POST "+Prefix+"/auth/login", a.open(a.login))
	mux.Handle("POST "+Prefix+"/auth/logout", a.serve(a.logout))

	mux.Handle("GET "+Prefix+"/me", a.serve(a.me))
	mux.Handle("PUT "+Prefix+"/me/password", a.serve(a.changePassword))
	mux.Handle("PUT "+Prefix+"/me/locale", a.serve(a.setLocale))
	mux.Handle("POST "+Prefix+"/me/totp", a.serve(a.beginTOTP))
	mux.Handle("POST "+Prefix+"/me/totp/confirm", a.serve(a.confirmTOTP))
	mux.Handle("POST "+Prefix+"/me/totp/disable", a.serve(a.disableTOTP))

	mux.Handle("GET "+Prefix+"/orgs", a.serve(a.listOrgs))
	mux.Handle("POST "+Prefix+"/orgs", a.serve(a.addOrg))
	mux.Handle("GET "+Prefix+"/users", a.serve(a.listUsers))
	mux.Handle("POST "+Prefix+"/users", a.serve(a.inviteUser))
	mux.Handle("POST "+Prefix+"/users/{id}/disable", a.serve(a.disableUser))
	mux.Handle("GET "+Prefix+"/security-events", a.serve(a.securityEvents))
	mux.Handle("GET "+Prefix+"/policies/second-factor", a.serve(a.secondFactorPolicy))
	mux.Handle("PUT "+Prefix+"/policies/second-factor", a.serve(a.setSecondFactorPolicy))

	mux.Handle("GET "+Prefix+"/processes", a.serve(a.listProcesses))
	mux.Handle("POST "+Prefix+"/processes", a.serve(a.addProcess))
	mux.Handle("GET "+Prefix+"/rounds", a.serve(a.listRounds))
	mux.Handle("POST "+Prefix+"/rounds", a.serve(a.createRound))
	mux.Handle("GET "+Prefix+"/rounds/{id}", a.serve(a.showRound))
	mux.Handle("POST "+Prefix+"/rounds/{id}/participants", a.serve(a.addParticipant))
	mux.Handle("PUT "+Prefix+"/rounds/{id}/participants/{org}", a.serve(a.answerParticipant))
	mux.Handle("GET "+Prefix+"/invitations", a.serve(a.listInvitations))
	mux.Handle("POST "+Prefix+"/rounds/{id}/past-shares", a.serve(a.sharePast))
	mux.Handle("POST "+Prefix+"/rounds/{id}/sessions", a.serve(a.scheduleSession))
	mux.Handle("POST "+Prefix+"/rounds/{id}/agenda", a.serve(a.addAgendaItem))
	mux.Handle("PUT "+Prefix+"/rounds/{id}/consent", a.serve(a.setConsent))
	mux.Handle("PUT "+Prefix+"/agenda/{id}/stance", a.serve(a.setStance))

	mux.Handle("GET "+Prefix+"/ledger/key", a.open(a.ledgerKey))
	mux.Handle("GET "+Prefix+"/ledger/checkpoint", a.serve(a.ledgerCheckpoint))
	mux.Handle("POST "+Prefix+"/ledger/checkpoint", a.serve(a.ledgerSignNow))
	mux.Handle("GET "+Prefix+"/ledger/events", a.serve(a.ledgerEvents))
	mux.Handle("GET "+Prefix+"/ledger/inclusion", a.serve(a.ledgerInclusion))
	mux.Handle("GET "+Prefix+"/ledger/consistency", a.serve(a.ledgerConsistency))
	mux.Handle("GET "+Prefix+"/ledger/witnesses", a.open(a.listWitnesses))
	mux.Handle("POST "+Prefix+"/ledger/witnesses", a.serve(a.registerWitness))
	mux.Handle("POST "+Prefix+"/ledger/cosignatures", a.serve(a.addCosignature))

	a.registerAdministration(mux)
	a.registerChannel(mux)
	a.registerText(mux)
	a.registerBargain(mux)
	a.registerDetainees(mux)
	a.registerCeasefire(mux)
	a.registerHumanitarian(mux)
	a.registerNames(mux)

	// Anything else under the prefix answers in JSON, not with the web
	// layer's HTML 404 page.
	mux.Handle(Prefix+"/", a.open(a.unknownRoute))
}

// caller is the authenticated caller of r. A missing, unknown, expired or
// web-session token, and one still waiting for its second factor, all get
// the same 401.
func (a *API) caller(w http.ResponseWriter, r *http.Request) (call, error) {
	tok, ok := bearer(r)
	if !ok {
		return call{}, unauthorized(w)
	}
	s, err := a.auth.Authenticate(r.Context(), tok, auth.API)
	if err != nil {
		if errs.Code(err) == errs.Internal {
			return call{}, err
		}
		return call{}, unauthorized(w)
	}
	if s.MFAPending || s.Actor.Anonymous() {
		return call{}, unauthorized(w)
	}
	return call{Actor: s.Actor, User: s.User, Token: tok}, nil
}

func unauthorized(w http.ResponseWriter) error {
	w.Header().Set("WWW-Authenticate", `Bearer realm="parley"`)
	return errs.New(errs.Unauthorized, "a valid bearer token is required (POST /api/v1/auth/login)")
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	if tok == "" || len(tok) > 512 {
		return "", false
	}
	return tok, true
}

// remote is the client address given to login throttling. The app decides
// whether to trust proxy headers and rewrites RemoteAddr if so.
func remote(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}

// unknownRoute answers an /api/v1 request that no route serves: 405 when
// the path exists with another method, 404 otherwise.
func (a *API) unknownRoute(w http.ResponseWriter, r *http.Request) error {
	if allow := a.allowed(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		return errs.New(MethodNotAllowed, "%s is not served on this path (allowed: %s)", r.Method, strings.Join(allow, ", "))
	}
	return errs.New(errs.NotFound, "no such API route")
}

// allowed lists the methods that a route of the mux serves on r's path.
func (a *API) allowed(r *http.Request) []string {
	if a.mux == nil {
		return nil
	}
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := a.mux.ServeMux.Handler(probe); pattern != "" && pattern != Prefix+"/" && strings.HasPrefix(pattern, m+" ") {
			allow = append(allow, m)
		}
	}
	return allow
}
