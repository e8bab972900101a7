package fakeclerk

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/loginprobe/loginprobe/internal/clerk"
)

// DefaultInstanceHost is the Frontend API host encoded in the publishable key.
// It ends in .accounts.dev, so clerk-js does the development-browser
// handshake exactly as against a real development instance.
const DefaultInstanceHost = "loginprobe-local-00.clerk.accounts.dev"

// Options configures a Server. The zero value is safe for tests: no rate
// limits, no faults, logs discarded, assets found from the environment or the
// working directory.
type Options struct {
	Addr         string           // listen address for Start; "127.0.0.1:0" picks a free port
	AssetsDir    string           // default: $LOGINPROBE_CLERK_ASSETS, else .cache/clerk-assets found upward from the working directory
	InstanceHost string           // FAPI host in the publishable key; default DefaultInstanceHost (must end in .accounts.dev)
	RateLimits   bool             // enforce Clerk's per-IP FAPI rate limits (the CLI turns this on)
	Faults       []Fault          // faults active from the start
	Logger       *slog.Logger     // default: discard
	Now          func() time.Time // default: time.Now
	// DeterministicTokens mints session tokens without a jti and with
	// whole-second times: two tokens minted for a session within one second
	// are byte-identical, as Clerk's may be (RS256 signatures are
	// deterministic and nothing promises a per-token unique claim).
	DeterministicTokens bool
}

// Server is one local Clerk development instance: Frontend API (under
// /__clerk), Backend API (under /__bapi), the app's pages, a fake OAuth
// provider and a status page, all on one origin.
type Server struct {
	faults *Faults
	log    *slog.Logger
	now    func() time.Time

	opts        Options
	assets      *assets
	pk          string
	secretKey   string
	signingKey  *rsa.PrivateKey
	kid         string
	seeds       seeds
	store       *store
	limits      *limiter
	handler     http.Handler
	mu          sync.Mutex // guards url, httpSrv, listener, previews
	url         string
	previews    []string // origins of the preview listeners (StartPreview)
	httpSrv     *http.Server
	listener    net.Listener
	serveDone   chan struct{}
	closeCtx    context.Context
	closeCancel context.CancelFunc
}

// New builds a Server: it checks the asset cache, makes the signing key and
// seeds the instance. A missing asset cache is an error, never skipped.
func New(opts Options) (*Server, error) {
	if opts.InstanceHost == "" {
		opts.InstanceHost = DefaultInstanceHost
	}
	if !strings.HasSuffix(opts.InstanceHost, ".accounts.dev") {
		return nil, fmt.Errorf("fakeclerk: instance host %q must end in .accounts.dev (clerk-js only does the development handshake for those)", opts.InstanceHost)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a, err := loadAssets(opts.AssetsDir)
	if err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("fakeclerk: generate signing key: %w", err)
	}
	s := &Server{
		faults:     &Faults{},
		log:        opts.Logger,
		now:        opts.Now,
		opts:       opts,
		assets:     a,
		pk:         clerk.NewPublishableKey(opts.InstanceHost, false),
		secretKey:  "sk_test_" + randomAlnum(40),
		signingKey: key,
		kid:        "ins_" + randomAlnum(27),
		store:      newStore(),
		limits:     newLimiter(),
	}
	s.closeCtx, s.closeCancel = context.WithCancel(context.Background())
	if err := s.faults.Set(opts.Faults); err != nil {
		return nil, fmt.Errorf("fakeclerk: %w", err)
	}
	s.seed()
	s.handler = adminOnlyLoopback(s.allowPreviews(s.faultMiddleware(s.routes())))
	return s, nil
}

// Handler is the whole instance as one http.Handler. Every request passes
// through the admin guard (adminOnlyLoopback) and the fault middleware first. When no URL is known yet (neither Start
// nor SetURL was called), URLs in answers are derived from the request's Host,
// so httptest.NewServer(s.Handler()) works; call SetURL(ts.URL) to make Info
// complete.
func (s *Server) Handler() http.Handler { return s.handler }

// SetURL sets the base URL (scheme://host:port, no trailing slash) used in
// answers and Info, for servers not started with Start.
func (s *Server) SetURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.url = strings.TrimRight(u, "/")
}

// URL is the base URL, e.g. http://127.0.0.1:8787, or "" before Start/SetURL.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Start listens on Options.Addr and serves in the background.
func (s *Server) Start() error {
	addr := s.opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("fakeclerk: address %s is already in use: pass --addr with a free port", addr)
		}
		return fmt.Errorf("fakeclerk: listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn), // handler panics, superfluous WriteHeader
		BaseContext:       func(net.Listener) context.Context { return s.closeCtx },
	}
	s.mu.Lock()
	s.listener, s.httpSrv = ln, srv
	s.url = "http://" + ln.Addr().String()
	s.serveDone = make(chan struct{})
	done := s.serveDone
	s.mu.Unlock()
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("fakeclerk: serve", "err", err)
		}
	}()
	s.log.Info("fakeclerk: listening", "url", s.URL())
	s.warnIfExposed(ln.Addr())
	return nil
}

// Close stops the server at once: it closes the listener and every
// connection, including requests that hang (fapi_slow, clerk_js_timeout).
func (s *Server) Close() error {
	s.closeCancel()
	s.mu.Lock()
	srv, done := s.httpSrv, s.serveDone
	s.httpSrv = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Close()
	<-done
	return err
}

// SetFaults replaces the active faults.
func (s *Server) SetFaults(f ...Fault) error { return s.faults.Set(f) }

// Faults returns the active faults, sorted.
func (s *Server) Faults() []Fault { return s.faults.List() }

// base is the base URL for answers to r.
func (s *Server) base(r *http.Request) string {
	if u := s.URL(); u != "" {
		return u
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// fapiURL is the Frontend API base URL (the proxy path) for answers to r.
func (s *Server) fapiURL(r *http.Request) string { return s.base(r) + "/__clerk" }
