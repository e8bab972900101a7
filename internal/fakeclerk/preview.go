package fakeclerk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// StartPreview serves the instance on a second listener (a free port on
// 127.0.0.1), as a preview deployment of the same app would be: its pages are
// the app's pages, and they load Clerk's scripts and call the Frontend API at
// the instance's own URL (a preview shares its Clerk instance), cross-origin.
// The Frontend API allows the preview's origin (CORS with credentials), as a
// development instance allows any origin. It returns the preview's base URL;
// Close stops it. Start must have been called first.
func (s *Server) StartPreview() (string, error) {
	if s.URL() == "" {
		return "", errors.New("fakeclerk: StartPreview needs a started server (call Start first)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("fakeclerk: preview listener: %w", err)
	}
	u := "http://" + ln.Addr().String()
	s.mu.Lock()
	s.previews = append(s.previews, u)
	s.mu.Unlock()
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return s.closeCtx },
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("fakeclerk: serve preview", "err", err)
		}
	}()
	context.AfterFunc(s.closeCtx, func() { _ = srv.Close() })
	s.log.Info("fakeclerk: preview listening", "url", u)
	return u, nil
}

// isPreviewOrigin reports whether origin is one of the preview listeners.
func (s *Server) isPreviewOrigin(origin string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.previews {
		if p == origin {
			return true
		}
	}
	return false
}

// allowPreviews answers the CORS requests of preview pages to the Frontend
// API and Clerk's scripts: the preview's origin, with credentials, and
// preflights for any method and header clerk-js sends.
func (s *Server) allowPreviews(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || !strings.HasPrefix(r.URL.Path, "/__clerk/") || !s.isPreviewOrigin(origin) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
			if rh := r.Header.Get("Access-Control-Request-Headers"); rh != "" {
				h.Set("Access-Control-Allow-Headers", rh)
			}
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
