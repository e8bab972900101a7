package dashboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// page is what the layout gets: the page's data under Data.
type page struct {
	Title   string
	Nav     string // which nav entry is current; "" hides the nav (public pages)
	Refresh int    // seconds; 0: no refresh
	Data    any
}

// parseTemplates parses the layout with each page's template.
func parseTemplates() (map[string]*template.Template, error) {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("dashboard template %s: %w", n, err)
		}
		out[base] = t
	}
	return out, nil
}

// wantsJSON reports whether the client asked for JSON: a .json suffix, or
// an Accept header that prefers it.
func wantsJSON(r *http.Request) bool {
	if strings.HasSuffix(r.URL.Path, ".json") {
		return true
	}
	acc := r.Header.Get("Accept")
	return strings.HasPrefix(acc, "application/json") || (strings.Contains(acc, "application/json") && !strings.Contains(acc, "text/html"))
}

// trimJSON strips a .json suffix from a path value ("12.json" → "12").
func trimJSON(s string) string { return strings.TrimSuffix(s, ".json") }

// render writes data as JSON or through the page's template.
func (h *handler) render(w http.ResponseWriter, r *http.Request, name, title string, data any) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Add("Vary", "Accept")
	if wantsJSON(r) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(data); err != nil {
			h.o.Log.Error("dashboard json", "path", r.URL.Path, "err", err)
		}
		return
	}
	p := page{Title: title, Nav: name, Data: data}
	switch name {
	case "overview":
		p.Refresh = 60
	case "status":
		p.Title, p.Nav, p.Refresh = h.o.Title, "", 60
	}
	var buf bytes.Buffer
	if err := h.tmpl[name].Execute(&buf, p); err != nil {
		h.fail(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

var funcs = template.FuncMap{
	"dur":       fmtDur,
	"when":      func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"clock":     func(t time.Time) string { return t.UTC().Format("15:04:05.000") },
	"short":     func(t time.Time) string { return t.UTC().Format("Jan 2 15:04 UTC") },
	"pct":       fmtPct,
	"bars":      barsSVG,
	"spark":     sparkSVG,
	"waterfall": waterfallSVG,
	"causeText": causeText,
	"add":       func(a, b int) int { return a + b },
	"sub":       func(a, b int) int { return a - b },
}

// fmtDur shows a duration to the millisecond below a minute.
func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func fmtPct(p *float64) string {
	switch {
	case p == nil:
		return "–"
	case *p == 100:
		return "100%"
	case *p >= 99:
		return fmt.Sprintf("%.2f%%", *p)
	}
	return fmt.Sprintf("%.1f%%", *p)
}
