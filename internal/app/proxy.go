package app

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Deployment behind a reverse proxy (docs/operations.md, docs/security.md).
// The client address keys the login throttle and the security log, so it
// must not be whatever a client writes in a header: X-Forwarded-For is
// believed only when the TCP peer is one of Config.TrustedProxies, and then
// only its last hop that is not itself a trusted proxy. Every other request
// keeps its peer address.

// ParseTrustedProxies reads a comma-separated list of CIDR prefixes or
// single addresses ("127.0.0.1/32,10.0.0.0/8", "::1"); empty gives none.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", f, err)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", f, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// trusted reports whether addr is one of the trusted proxies.
func trusted(proxies []netip.Prefix, addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range proxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// peerAddr parses the host of a RemoteAddr ("ip:port", "[v6]:port", "ip").
func peerAddr(remote string) (netip.Addr, bool) {
	host := remote
	if h, _, err := net.SplitHostPort(remote); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return a.Unmap(), err == nil
}

// forwardedClient returns the client address of r: the peer, or, when the
// peer is a trusted proxy, the last address of X-Forwarded-For that is not
// a trusted proxy (the hops before it could have been written by the
// client). A malformed header leaves the peer.
func forwardedClient(proxies []netip.Prefix, r *http.Request) (netip.Addr, bool) {
	peer, ok := peerAddr(r.RemoteAddr)
	if !ok || !trusted(proxies, peer) {
		return peer, ok
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" {
			continue
		}
		a, ok := peerAddr(h)
		if !ok {
			return peer, true
		}
		client = a
		if !trusted(proxies, a) {
			break
		}
	}
	return client, true
}

// trustProxies rewrites RemoteAddr to the client address forwardedClient
// finds, so that every layer below (throttle, security log, access log)
// sees the same address, and drops the forwarding header either way.
func (a *App) trustProxies(next http.Handler) http.Handler {
	proxies := a.Config.TrustedProxies
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(proxies) > 0 {
			if c, ok := forwardedClient(proxies, r); ok {
				r.RemoteAddr = netip.AddrPortFrom(c, 0).String()
			}
		}
		r.Header.Del("X-Forwarded-For")
		next.ServeHTTP(w, r)
	})
}

// MetricsHandler serves the Prometheus metrics. It is not on the main
// listener: the operator serves it on its own address (--metrics-addr),
// which the proxy in front of parley does not expose.
func (a *App) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metrics.handler())
	return mux
}
