// Package app wires parley together: it opens the store, builds the domain
// services, registers the web pages and the JSON API on one route table and
// wraps it in the middleware every request passes through.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"parley/internal/api"
	"parley/internal/auth"
	"parley/internal/bargain"
	"parley/internal/ceasefire"
	"parley/internal/channel"
	"parley/internal/detainees"
	"parley/internal/humanitarian"
	"parley/internal/ledger"
	"parley/internal/localized"
	"parley/internal/notify"
	"parley/internal/router"
	"parley/internal/store"
	"parley/internal/talks"
	"parley/internal/text"
	"parley/internal/web"
)

// Config is everything an operator can set. cmd/parley fills it from flags
// and PARLEY_* environment variables; docs/operations.md lists them.
type Config struct {
	Addr    string // listen address, default "127.0.0.1:8080"
	DataDir string // folder for the SQLite file, keys and attachments
	DB      string // "" (SQLite in DataDir), "sqlite:FILE" or "postgres://..."
	// Secure says the server is reached over TLS (directly or through a
	// proxy that terminates it): cookies are Secure and HSTS is sent.
	Secure bool
	// MaxBody caps request bodies; default 1 MiB.
	MaxBody int64
	// Auth tunes sessions and second factors.
	Auth auth.Options
	// LedgerOrigin names the log in its checkpoints; it is fixed when the
	// signing key is first created. Empty means a random install id.
	LedgerOrigin string
	// CheckpointEvery and CheckpointEvents bound how far the latest signed
	// checkpoint may lag the tree: a new one is signed when either has
	// passed since the last. Defaults: one minute, 1000 events.
	CheckpointEvery  time.Duration
	CheckpointEvents int64
	// VerifyOnStart runs the full "parley verify" in the background once
	// the server serves (ledger_guard.go).
	VerifyOnStart bool
	// MapTiles is the ceasefire map's base-tile URL template
	// ("https://tile.example/{z}/{x}/{y}.png"); empty draws markers and
	// zones on a plain background, which works with no internet.
	MapTiles string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (proxy.go); none by default.
	TrustedProxies []netip.Prefix
	// BaseURL is the address users reach parley at ("https://talks.example"):
	// every absolute link (the statements feed, the record bundle) is built
	// from it, never from the request's Host header. Empty: root-relative
	// links.
	BaseURL string
}

func (c *Config) defaults() {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.MaxBody == 0 {
		c.MaxBody = 1 << 20
	}
}

// App is a running parley: its database, services and route table.
type App struct {
	Config  Config
	Log     *slog.Logger
	DB      *store.DB
	Ledger  *ledger.Ledger
	Auth    *auth.Service
	Talks   *talks.Service
	Channel *channel.Service
	Text    *text.Service
	Bargain *bargain.Service
	// Ceasefire is the ceasefire monitoring mechanism.
	Ceasefire *ceasefire.Service
	Mux       *router.Mux

	Detainees *detainees.Service

	Humanitarian *humanitarian.Service
	// Localized keeps items' names in other languages (internal/localized).
	Localized *localized.Service

	metrics      *metrics
	checkpointer *ledger.Checkpointer
	master       []byte // the master key, for verify at start
}

// New opens the database named by cfg (applying migrations) and builds the
// services and routes.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	cfg.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data folder: %w", err)
		}
		if abs, err := filepath.Abs(cfg.DataDir); err == nil {
			cfg.DataDir = abs
		}
	} else if cfg.DB == "" {
		return nil, errors.New("no data folder and no database given")
	}
	db, err := store.Open(ctx, cfg.DB, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: db, Mux: router.New()}
	a.Ledger = ledger.New(db)
	a.Ledger.SetLogger(log)
	if cfg.DataDir != "" {
		signer, vkey, err := ledger.LoadOrCreateKey(cfg.DataDir, cfg.LedgerOrigin)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("ledger key: %w", err)
		}
		a.Ledger.SetKey(signer, vkey)
		a.checkpointer = ledger.NewCheckpointer(a.Ledger, cfg.CheckpointEvery, cfg.CheckpointEvents)
		a.guardLedger(ctx)
	}
	// The master key seals the talks' content (channel) and, through a key
	// derived from it, TOTP secrets (internal/auth/secret.go).
	master, err := channel.LoadMasterKey(cfg.DataDir)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("master key: %w", err)
	}
	a.master = master
	cfg.Auth.SecretKey = channel.DeriveKey(master, "parley totp seal v1")
	a.Auth = auth.New(db, a.Ledger, log, cfg.Auth)
	if n, err := a.Auth.SealSecrets(ctx); err != nil {
		db.Close()
		return nil, err
	} else if n > 0 {
		log.Info("sealed TOTP secrets stored in clear by an earlier version", "users", n)
	}
	a.Talks = talks.New(db, a.Ledger)
	a.Channel, err = channel.Open(db, a.Ledger, a.Talks, cfg.DataDir, master, log)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("channel: %w", err)
	}
	a.Channel.OnDamage(a.recordDamage)
	a.Text = text.New(db, a.Ledger, a.Auth)
	a.Bargain = bargain.New(db, a.Ledger)
	if a.Detainees, err = detainees.New(db, a.Ledger, channel.DeriveKey(master, detainees.SealLabel)); err != nil {
		db.Close()
		return nil, err
	}
	a.Humanitarian = humanitarian.New(db, a.Ledger)
	// A dashboard an earlier version made without an event gets one, so
	// that parley verify checks its audience (docs/ledger.md, "The
	// state"); a read-only ledger leaves it for a later start.
	if n, err := a.Humanitarian.RecordDashboards(ctx); err != nil {
		log.Warn("humanitarian: recording the dashboards made by an earlier version", "err", err)
	} else if n > 0 {
		log.Info("humanitarian: recorded the events of dashboards made by an earlier version", "dashboards", n)
	}
	// An organisation joining a round reads the negotiating texts and the
	// package analysis's items it would have read had it been there.
	a.Talks.OnJoin(a.Text.Joined)
	a.Talks.OnJoin(a.Bargain.Joined)
	a.Talks.OnJoin(a.Detainees.Joined)
	if a.Ceasefire, err = openCeasefire(db, a.Ledger, cfg.DataDir, master); err != nil {
		db.Close()
		return nil, err
	}
	a.Talks.OnJoin(a.Ceasefire.Joined)
	a.Talks.OnJoin(a.Humanitarian.Joined)
	// A later mediation reads what an organisation sent the mediation
	// before it came only when that organisation's head lets it.
	a.Talks.OnPastShare(a.Channel.PastShared)
	a.Talks.OnPastShare(a.Text.PastShared)
	a.Talks.OnPastShare(a.Bargain.PastShared)
	a.Localized = localized.New(db, a.Ledger)
	a.Localized.Register(talks.LocalizedKinds()...)
	a.Localized.Register(a.Channel.LocalizedKind(), a.Text.LocalizedKind())
	w, err := web.New(web.Deps{Auth: a.Auth, Talks: a.Talks, Ledger: a.Ledger, Channel: a.Channel, Text: a.Text,
		Bargain: a.Bargain, Detainees: a.Detainees, Ceasefire: a.Ceasefire, Humanitarian: a.Humanitarian,
		MapTiles: cfg.MapTiles, Log: log, Secure: cfg.Secure, BaseURL: cfg.BaseURL, Notify: notify.New(db), Localized: a.Localized})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("web: %w", err)
	}
	w.Register(a.Mux)
	api.New(api.Deps{Auth: a.Auth, Talks: a.Talks, Ledger: a.Ledger, Channel: a.Channel, Text: a.Text,
		Bargain: a.Bargain, Detainees: a.Detainees, Ceasefire: a.Ceasefire, Humanitarian: a.Humanitarian, Localized: a.Localized, Log: log}).Register(a.Mux)
	a.metrics = newMetrics(prometheus.NewRegistry(), db)
	return a, nil
}

// Close stops the channel's listener for other processes' events and
// closes the database.
func (a *App) Close() error {
	a.Channel.Close()
	return a.DB.Close()
}

// Serve answers HTTP on the listener until ctx is cancelled, then shuts down
// gracefully: it stops accepting, lets in-flight requests finish (up to
// grace), and returns. The caller closes the database afterwards.
func (a *App) Serve(ctx context.Context, srv *http.Server, serve func() error, grace time.Duration) error {
	bg, stopBackground := context.WithCancel(context.Background())
	defer stopBackground()
	if a.checkpointer != nil {
		// Sign what was written while the server was down (or seeded), so
		// that the checkpoint route answers from the first request.
		if _, err := a.checkpointer.Sign(ctx); err != nil {
			a.Log.Warn("checkpoint at start", "err", err)
		}
		go a.checkpointer.Run(bg)
		if a.Config.VerifyOnStart {
			go a.verifyInBackground(bg)
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	stopBackground()
	// A last checkpoint, so that what was written before the stop is signed.
	if a.checkpointer != nil {
		if _, err := a.checkpointer.Sign(context.Background()); err != nil {
			a.Log.Warn("final checkpoint", "err", err)
		}
	}
	return nil
}

// Server returns an http.Server for the app with conservative timeouts. The
// write timeout is left to handlers, since live streams stay open.
func (a *App) Server() *http.Server {
	return &http.Server{
		Addr:              a.Config.Addr,
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
}
