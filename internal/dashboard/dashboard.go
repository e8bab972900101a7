// Package dashboard serves loginprobe's pages over the store: the overview
// (every flow's state, uptime, 90-day bars and duration sparklines, Clerk's
// status), a page per flow, per run (the diagnosis first, steps, Clerk
// requests, console, screenshots, and a failed run beside the last passing
// run of its flow), the incidents, and the public status page with its badges.
// Pages are html/template with embedded assets and server-rendered SVG: no
// CDN, no JavaScript needed. Every page is also JSON (Accept:
// application/json, or a .json suffix).
//
// New returns one http.Handler; `loginprobe serve` mounts it beside
// /healthz and /metrics, `loginprobe dashboard` serves it alone over an
// existing database. Everything except /status, /status.json, /badge/* and
// the stylesheet needs credentials when Options.RequireAuth is set (the
// listener is not loopback) or credentials are configured.
package dashboard

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/loginprobe/loginprobe/internal/secret"
	"github.com/loginprobe/loginprobe/internal/store"
)

//go:embed templates/*.html static/*
var files embed.FS

// Options configure the pages.
type Options struct {
	// Title heads the public status page (default "Login status").
	Title string
	// Components are the public status page's components (default
	// DefaultComponents).
	Components []Component
	// RequireAuth refuses private pages without credentials: set it when
	// the listener is not loopback.
	RequireAuth bool
	// Token is accepted as "Authorization: Bearer <token>".
	Token secret.Secret
	// Username and Password are accepted as basic auth.
	Username string
	Password secret.Secret
	// ClerkStatus fetches Clerk's status page; nil shows none. It is called
	// in the background with a short deadline and cached (see StatusCache).
	ClerkStatus *StatusCache
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives errors of pages (default: discarded).
	Log *slog.Logger
}

// Component is one public status component: a name and the flows it stands for.
type Component struct {
	Name  string   `json:"name"`
	Flows []string `json:"-"` // internal names stay off the public page
}

// DefaultComponents are the user-facing features and the flows that probe them.
func DefaultComponents() []Component {
	return []Component{
		{Name: "Sign in", Flows: []string{"sign-in"}},
		{Name: "Sign up", Flows: []string{"sign-up"}},
		{Name: "Social login", Flows: []string{"oauth-github", "oauth-google"}},
		{Name: "Password reset", Flows: []string{"password-reset"}},
		{Name: "Sessions", Flows: []string{"session"}},
	}
}

type handler struct {
	db   store.Dashboard
	o    Options
	tmpl map[string]*template.Template
	mux  *http.ServeMux
}

// New returns the pages over db.
func New(db store.Dashboard, o Options) (http.Handler, error) {
	if o.Title == "" {
		o.Title = "Login status"
	}
	if o.Components == nil {
		o.Components = DefaultComponents()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	h := &handler{db: db, o: o, tmpl: tmpl, mux: http.NewServeMux()}
	h.routes()
	return h, nil
}

func (h *handler) routes() {
	m := h.mux
	m.HandleFunc("GET /{$}", h.serveOverview)
	m.HandleFunc("GET /overview.json", h.serveOverview)
	m.HandleFunc("GET /flows/{flow}", h.serveFlow)
	m.HandleFunc("GET /runs/{id}", h.serveRun)
	m.HandleFunc("GET /runs/{id}/compare", h.serveCompare)
	m.HandleFunc("GET /runs/{id}/screenshots/{n}", h.serveScreenshot)
	m.HandleFunc("GET /incidents", h.serveIncidents)
	m.HandleFunc("GET /incidents.json", h.serveIncidents)
	m.HandleFunc("GET /status", h.serveStatus)
	m.HandleFunc("GET /status.json", h.serveStatus)
	m.HandleFunc("GET /badge/{file}", h.serveBadge)
	m.Handle("GET /static/", http.FileServerFS(files))
}

// ServeHTTP sets the security headers, checks access, and routes.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	if !isPublic(r.URL.Path) && !h.allowed(r) {
		hd.Set("WWW-Authenticate", `Basic realm="loginprobe", charset="UTF-8"`)
		http.Error(w, "401 unauthorized: this page needs dashboard.auth credentials (a bearer token or basic auth)", http.StatusUnauthorized)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// csp allows nothing but this origin's stylesheet and images: no script at
// all, no inline style, no frames, forms only to this origin.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func (h *handler) now() time.Time { return h.o.Now() }

// fail answers a page that could not be built. A store error's text stays in
// the log: it may name the database's path.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, errNotFound) {
		http.Error(w, "404 not found", http.StatusNotFound)
		return
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	h.o.Log.Error("dashboard page", "path", r.URL.Path, "err", err)
	http.Error(w, "500: the page could not be built; the server log says why", http.StatusInternalServerError)
}

var errNotFound = errors.New("not found")
