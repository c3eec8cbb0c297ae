package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"

	"parley/internal/app"
)

// serveFlags are the flags of the commands that serve HTTP.
type serveFlags struct {
	addr      string
	tlsCert   string
	tlsKey    string
	behindTLS bool
	grace     time.Duration
	// checkpointEvery and checkpointEvents bound how far the latest signed
	// checkpoint lags the ledger (app.Config); 0 keeps the defaults.
	checkpointEvery  time.Duration
	checkpointEvents int64
	verifyOnStart    bool
	mapTiles         string // the ceasefire map's base tiles (app.Config.MapTiles)
	// trustedProxies, baseURL and metricsAddr: deployment behind a proxy
	// (app.Config, proxy_flags.go).
	trustedProxies string
	baseURL        string
	metricsAddr    string
}

func (s *serveFlags) register(fs *flag.FlagSet, defAddr string) {
	fs.StringVar(&s.addr, "addr", envOr("PARLEY_ADDR", defAddr), "listen address (env PARLEY_ADDR)")
	fs.StringVar(&s.tlsCert, "tls-cert", os.Getenv("PARLEY_TLS_CERT"), "TLS certificate file; serve HTTPS (env PARLEY_TLS_CERT)")
	fs.StringVar(&s.tlsKey, "tls-key", os.Getenv("PARLEY_TLS_KEY"), "TLS private key file (env PARLEY_TLS_KEY)")
	behind, _ := strconv.ParseBool(os.Getenv("PARLEY_BEHIND_TLS"))
	fs.BoolVar(&s.behindTLS, "behind-tls", behind, "a proxy terminates TLS in front of parley: Secure cookies and HSTS (env PARLEY_BEHIND_TLS)")
	fs.DurationVar(&s.grace, "shutdown-grace", 20*time.Second, "how long in-flight requests may finish on SIGTERM")
	every, _ := time.ParseDuration(os.Getenv("PARLEY_CHECKPOINT_EVERY"))
	fs.DurationVar(&s.checkpointEvery, "checkpoint-every", every, "sign a ledger checkpoint at most this often when the ledger grew; 0 means 1m (env PARLEY_CHECKPOINT_EVERY)")
	events, _ := strconv.ParseInt(os.Getenv("PARLEY_CHECKPOINT_EVENTS"), 10, 64)
	fs.Int64Var(&s.checkpointEvents, "checkpoint-events", events, "also sign one as soon as this many events were appended; 0 means 1000 (env PARLEY_CHECKPOINT_EVENTS)")
	verify, _ := strconv.ParseBool(os.Getenv("PARLEY_VERIFY_ON_START"))
	fs.BoolVar(&s.verifyOnStart, "verify-on-start", verify, "run the full ledger verify in the background at start; damage makes the server read-only (env PARLEY_VERIFY_ON_START)")
	fs.StringVar(&s.mapTiles, "map-tiles", os.Getenv("PARLEY_MAP_TILES"), "base-tile URL of the ceasefire map, e.g. https://tile.example/{z}/{x}/{y}.png; empty: a plain background that works offline (env PARLEY_MAP_TILES)")
	s.registerProxy(fs)
}

// checkpoints copies the checkpoint schedule into cfg.
func (s *serveFlags) checkpoints(cfg *app.Config) {
	cfg.CheckpointEvery, cfg.CheckpointEvents = s.checkpointEvery, s.checkpointEvents
	cfg.VerifyOnStart = s.verifyOnStart
	cfg.MapTiles = s.mapTiles
}

func (s *serveFlags) tls() bool { return s.tlsCert != "" || s.tlsKey != "" }

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("serve", "serve [--addr ADDR] [--data-dir DIR] [--db DSN] [--tls-cert F --tls-key F]", stderr)
	var sf storeFlags
	var hf serveFlags
	sf.register(fs)
	hf.register(fs, "127.0.0.1:8080")
	if code := parse(fs, args, stdout); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "serve: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if (hf.tlsCert == "") != (hf.tlsKey == "") {
		fmt.Fprintln(stderr, "serve: --tls-cert and --tls-key go together")
		return 2
	}
	log := newLogger(stderr)
	cfg := sf.config()
	cfg.Addr = hf.addr
	cfg.Secure = hf.tls() || hf.behindTLS
	hf.checkpoints(&cfg)
	if err := hf.proxy(&cfg); err != nil {
		fmt.Fprintln(stderr, "serve:", err)
		return 2
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		log.Error("start failed", "err", err)
		return 1
	}
	defer a.Close()
	if err := serveApp(ctx, a, hf, func(url string) {
		log.Info("serving", "url", url, "database", a.DB.Dialect)
	}); err != nil {
		log.Error("serve failed", "err", err)
		return 1
	}
	return 0
}

// serveApp listens, reports the URL through ready, and serves until ctx ends;
// then it shuts down gracefully.
func serveApp(ctx context.Context, a *app.App, hf serveFlags, ready func(url string)) error {
	ln, err := net.Listen("tcp", hf.addr)
	if err != nil {
		return err
	}
	srv := a.Server()
	scheme := "http"
	serve := func() error { return srv.Serve(ln) }
	if hf.tls() {
		scheme = "https"
		serve = func() error { return srv.ServeTLS(ln, hf.tlsCert, hf.tlsKey) }
	}
	ready(scheme + "://" + displayAddr(ln.Addr()))
	stopMetrics, err := serveMetrics(ctx, a, hf.metricsAddr)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopMetrics()
	err = a.Serve(ctx, srv, serve, hf.grace)
	if err == nil {
		a.Log.Info("stopped cleanly")
	}
	return err
}

// displayAddr turns a listen address into one a browser can open.
func displayAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
