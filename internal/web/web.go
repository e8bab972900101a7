// Package web is the HTTP side of `loginprobe serve`: one listener and one
// mux with /healthz (the process is alive), /readyz (each readiness check,
// and which one failed) and /metrics. Other pages (the dashboard, the status
// page) mount their handlers on the same mux with Handle.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultListen is where serve listens unless --listen says otherwise:
// loopback only, since metrics and (later) the dashboard show internals.
const DefaultListen = "127.0.0.1:9464"

// checkTimeout bounds each readiness check.
const checkTimeout = 3 * time.Second

// Check is one readiness check: nil means ready.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
	// Detail, when set, is shown after "ok" (for example a replica's role).
	Detail func() string
}

// Server is the listener and its mux.
type Server struct {
	mux    *http.ServeMux
	checks []Check
	log    *slog.Logger
	srv    *http.Server
	ln     net.Listener
	done   chan struct{}
	mu     sync.Mutex
}

// New returns a server with /healthz and /readyz (running checks in order)
// and, if metrics is not nil, /metrics.
func New(checks []Check, metrics http.Handler, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{mux: http.NewServeMux(), checks: checks, log: log}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	s.mux.HandleFunc("GET /readyz", s.readyz)
	if metrics != nil {
		s.mux.Handle("GET /metrics", metrics)
	}
	return s
}

// Handle adds a handler to the mux (http.ServeMux patterns), for pages
// served beside health and metrics. Call it before Serve.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Handler returns the mux, for tests and for embedding.
func (s *Server) Handler() http.Handler { return s.mux }

// readyz runs every check and answers 200 when all pass, else 503; the body
// has one line per check: "db: ok" or "db: failed: …".
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	ok := true
	for _, c := range s.checks {
		ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
		err := c.Fn(ctx)
		cancel()
		if err != nil {
			ok = false
			fmt.Fprintf(&b, "%s: failed: %s\n", c.Name, oneLine(err.Error()))
		} else if c.Detail != nil {
			fmt.Fprintf(&b, "%s: ok: %s\n", c.Name, oneLine(c.Detail()))
		} else {
			fmt.Fprintf(&b, "%s: ok\n", c.Name)
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	fmt.Fprint(w, b.String())
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// CheckListen refuses a listen address that is not loopback unless the
// operator gave it explicitly (--listen): metrics and pages show internals,
// and binding every interface must be a decision, never a default.
func CheckListen(addr string, explicit bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %w: write it as HOST:PORT, e.g. %s", addr, err, DefaultListen)
	}
	if port == "" {
		return fmt.Errorf("--listen %q: no port: write it as HOST:PORT, e.g. %s", addr, DefaultListen)
	}
	if explicit || isLoopback(host) {
		return nil
	}
	return fmt.Errorf("listen address %s is not loopback: pass --listen %s explicitly to serve health and metrics on every interface", addr, addr)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Listen binds addr (after CheckListen).
func (s *Server) Listen(addr string, explicit bool) error {
	if err := CheckListen(addr, explicit); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another loginprobe serve running? choose another --listen)", addr, err)
	}
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	return nil
}

// Addr returns the bound address ("" before Listen).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Start serves on the bound listener in the background.
func (s *Server) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.srv = &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	s.done = make(chan struct{})
	srv, ln, done := s.srv, s.ln, s.done
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", "err", err)
		}
	}()
}

// Shutdown stops the server, letting requests in progress finish until ctx
// is done.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	<-done
	return err
}

// Close closes the listener if Start was never called (a start-up that
// failed after Listen); after Start, use Shutdown.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil && s.ln != nil {
		s.ln.Close()
	}
}
