package api_test

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/api"
	"parley/internal/auth"
	"parley/internal/channel"
	"parley/internal/demo"
	"parley/internal/ledger"
	"parley/internal/router"
	"parley/internal/store"
	"parley/internal/talks"
)

// chanWorld is the demo served by the API with the channel: every demo
// user logged in with an API token.
type chanWorld struct {
	srv   *httptest.Server
	db    *store.DB
	led   *ledger.Ledger
	ch    *channel.Service
	dir   string
	round string
	org   map[string]string // demo org key → id
	user  map[string]string // username → org key
	token map[string]string // username → token
}

const chanPassword = "correct horse battery staple"

func newChanWorld(t testing.TB, db *store.DB, opts ...func(*channel.Options)) *chanWorld {
	t.Helper()
	return demoAPI(t, db, withChannel(t, db, opts...))
}

// withChannel adds the channel, with its key and attachments in a
// temporary directory, to the API demoAPI builds.
func withChannel(t testing.TB, db *store.DB, opts ...func(*channel.Options)) func(*chanWorld, *api.Deps) {
	return func(w *chanWorld, d *api.Deps) {
		dir := t.TempDir()
		key, err := channel.LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
		if err != nil {
			t.Fatal(err)
		}
		o := channel.Options{MasterKey: key, AttachmentDir: filepath.Join(dir, "attachments")}
		for _, opt := range opts {
			opt(&o)
		}
		if w.ch, err = channel.New(db, d.Ledger, d.Talks, o); err != nil {
			t.Fatal(err)
		}
		d.Channel, w.dir = w.ch, o.AttachmentDir
	}
}

// demoAPI is the demo seeded into db and served by the API that with adds
// its services to (the accounts, talks and ledger are there already; with
// runs before the demo is seeded, so that the services' join hooks see
// it), every demo user logged in with an API token.
func demoAPI(t testing.TB, db *store.DB, with func(*chanWorld, *api.Deps)) *chanWorld {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	led := ledger.New(db)
	as := auth.New(db, led, log, auth.Options{HashParams: cheapHash})
	ts := talks.New(db, led)
	w := &chanWorld{db: db, led: led, org: map[string]string{}, user: map[string]string{}, token: map[string]string{}}
	d := api.Deps{Auth: as, Talks: ts, Ledger: led, Log: log}
	with(w, &d)
	if _, err := demo.Seed(ctx, ts, as, chanPassword); err != nil {
		t.Fatal(err)
	}
	mux := router.New()
	api.New(d).Register(mux)
	w.srv = httptest.NewServer(mux)
	t.Cleanup(w.srv.Close)
	orgs, err := ts.Orgs(ctx, access.System)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range demo.Orgs {
		for _, x := range orgs {
			if x.Name == o.Name {
				w.org[o.Key] = x.ID
			}
		}
	}
	for _, a := range demo.Accounts {
		w.user[a.Username] = a.OrgKey
		res := w.do(t, "", "POST", "/api/v1/auth/login", map[string]string{"username": a.Username, "password": chanPassword})
		if res.status != 200 {
			t.Fatalf("login %s: %d %s", a.Username, res.status, res.body)
		}
		var l api.LoginJSON
		res.decode(t, &l)
		w.token[a.Username] = l.Token
	}
	rounds, err := ts.Rounds(ctx, access.Actor{User: "reader", Org: w.org["host"]})
	if err != nil || len(rounds) == 0 {
		t.Fatalf("demo round: %v", err)
	}
	w.round = rounds[0].ID
	return w
}

// chanResp is one answer, as the other API tests read it.
type chanResp = response

// do sends a request as username ("" for none) with a JSON body.
func (w *chanWorld) do(t testing.TB, username, method, path string, body any) chanResp {
	t.Helper()
	return w.send(t, username, jsonRequest(t, w.srv, "", method, path, body))
}

func (w *chanWorld) send(t testing.TB, username string, req *http.Request) chanResp {
	t.Helper()
	if username != "" {
		req.Header.Set("Authorization", "Bearer "+w.token[username])
	}
	return roundTrip(t, w.srv, req)
}

// file is one attachment part.
type file struct {
	name, ctype string
	data        []byte
}

// multipartMessage posts a message with attachments.
func (w *chanWorld) multipartMessage(t testing.TB, username string, to []string, body string, files ...file) chanResp {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, x := range to {
		mw.WriteField("to", x)
	}
	mw.WriteField("body", body)
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="attachment"; filename="`+f.name+`"`)
		h.Set("Content-Type", f.ctype)
		p, _ := mw.CreatePart(h)
		p.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", w.srv.URL+"/api/v1/rounds/"+w.round+"/messages", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return w.send(t, username, req)
}

// sseEvent is one event read from a stream.
type sseEvent struct {
	id, name string
	data     []byte
}

// readStream opens the round's stream as username with Last-Event-ID last
// and reads events until until returns true for one (or fails after 15 s).
func (w *chanWorld) readStream(t testing.TB, username, last string, until func(sseEvent) bool) []sseEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", w.srv.URL+"/api/v1/rounds/"+w.round+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+w.token[username])
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%s stream: %d %s", username, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	var out []sseEvent
	var cur sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.id != "" {
				out = append(out, cur)
				if until(cur) {
					return out
				}
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			cur.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			cur.name = line[7:]
		case strings.HasPrefix(line, "data: "):
			cur.data = append(cur.data, line[6:]...)
		}
	}
	t.Fatalf("%s stream ended before the marker (%v): %d events", username, sc.Err(), len(out))
	return nil
}
