package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"parley/internal/app"
)

// The flags of a deployment behind a reverse proxy (docs/operations.md).

func (s *serveFlags) registerProxy(fs *flag.FlagSet) {
	fs.StringVar(&s.trustedProxies, "trusted-proxies", os.Getenv("PARLEY_TRUSTED_PROXIES"),
		"CIDR[,CIDR]: the reverse proxies whose X-Forwarded-For is believed (its last hop that is not one of them); none by default (env PARLEY_TRUSTED_PROXIES)")
	fs.StringVar(&s.baseURL, "base-url", os.Getenv("PARLEY_BASE_URL"),
		"the address users reach parley at, e.g. https://talks.example; absolute links come from it, never from the Host header (env PARLEY_BASE_URL)")
	fs.StringVar(&s.metricsAddr, "metrics-addr", os.Getenv("PARLEY_METRICS_ADDR"),
		"serve Prometheus metrics at /metrics on this address only (e.g. 127.0.0.1:9090); off by default (env PARLEY_METRICS_ADDR)")
}

// proxy copies the proxy flags into cfg, checking them.
func (s *serveFlags) proxy(cfg *app.Config) error {
	p, err := app.ParseTrustedProxies(s.trustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	cfg.TrustedProxies = p
	if s.baseURL != "" {
		u, err := url.Parse(s.baseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("--base-url %q: give the scheme and host, e.g. https://talks.example", s.baseURL)
		}
		cfg.BaseURL = u.Scheme + "://" + u.Host + u.EscapedPath()
	}
	return nil
}

// serveMetrics serves the app's metrics on addr, apart from the main
// listener, until stop is called; an empty addr serves nothing.
func serveMetrics(ctx context.Context, a *app.App, addr string) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	srv := &http.Server{Handler: a.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Log.Error("metrics listener", "err", err)
		}
	}()
	a.Log.Info("serving metrics", "url", "http://"+displayAddr(ln.Addr())+"/metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}
