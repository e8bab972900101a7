package fakeclerk

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Pinned versions of the cached bundles (scripts/fetch-clerk-assets.sh).
const (
	ClerkJSVersion = "6.40.0"
	ClerkUIVersion = "1.36.0"
)

// fetchHint is the fix named by every asset error.
const fetchHint = "run scripts/fetch-clerk-assets.sh (or set LOGINPROBE_CLERK_ASSETS to the folder it fills)"

// assets is the cache of Clerk's browser bundles: dir/clerk-js and dir/ui.
type assets struct {
	dir   string
	files map[string]map[string]string // package ("clerk-js", "ui") → file name → path
}

// loadAssets finds and checks the asset cache. It needs clerk.browser.js,
// ui.browser.js and the ui chunks that ui.browser.js names by hash.
func loadAssets(dir string) (*assets, error) {
	if dir == "" {
		dir = defaultAssetsDir()
	}
	if dir == "" {
		return nil, fmt.Errorf("fakeclerk: no Clerk asset cache: LOGINPROBE_CLERK_ASSETS is unset and no .cache/clerk-assets was found above the working directory: %s", fetchHint)
	}
	a := &assets{dir: dir, files: map[string]map[string]string{}}
	for _, pkg := range []string{"clerk-js", "ui"} {
		entries, err := os.ReadDir(filepath.Join(dir, pkg))
		if err != nil {
			return nil, fmt.Errorf("fakeclerk: Clerk asset cache %s is missing or unreadable (%v): %s", dir, errors.Unwrap(err), fetchHint)
		}
		m := map[string]string{}
		for _, e := range entries {
			if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".js") {
				m[e.Name()] = filepath.Join(dir, pkg, e.Name())
			}
		}
		a.files[pkg] = m
	}
	if err := a.check(); err != nil {
		return nil, err
	}
	return a, nil
}

// ui.browser.js names its chunks "<name>_ui_"+h().slice(0,6)+"_<version>.js" with h=()=>"<hash>".
var uiHashRe = regexp.MustCompile(`\.h=\(\)=>"([0-9a-f]{6})`)

// check verifies the entry bundles and the ui chunk hash they load.
func (a *assets) check() error {
	for pkg, name := range map[string]string{"clerk-js": "clerk.browser.js", "ui": "ui.browser.js"} {
		if _, ok := a.files[pkg][name]; !ok {
			return fmt.Errorf("fakeclerk: Clerk asset cache %s has no %s/%s: %s", a.dir, pkg, name, fetchHint)
		}
	}
	for pkg, want := range map[string]string{"clerk-js": ClerkJSVersion, "ui": ClerkUIVersion} {
		b, err := os.ReadFile(filepath.Join(a.dir, pkg, "VERSION"))
		if err == nil && strings.TrimSpace(string(b)) != want {
			return fmt.Errorf("fakeclerk: Clerk asset cache %s holds %s %s, want %s: %s", a.dir, pkg, strings.TrimSpace(string(b)), want, fetchHint)
		}
	}
	ui, err := os.ReadFile(a.files["ui"]["ui.browser.js"])
	if err != nil {
		return fmt.Errorf("fakeclerk: read ui.browser.js: %w", err)
	}
	hash := "58d0c7"
	if m := uiHashRe.FindSubmatch(ui); m != nil {
		hash = string(m[1])
	}
	chunk := "signin_ui_" + hash + "_" + ClerkUIVersion + ".js"
	if _, ok := a.files["ui"][chunk]; !ok {
		return fmt.Errorf("fakeclerk: Clerk asset cache %s has no ui/%s (ui.browser.js loads it): %s", a.dir, chunk, fetchHint)
	}
	return nil
}

// defaultAssetsDir is $LOGINPROBE_CLERK_ASSETS, else the first
// .cache/clerk-assets found walking up from the working directory.
func defaultAssetsDir() string {
	if d := os.Getenv("LOGINPROBE_CLERK_ASSETS"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		c := filepath.Join(d, ".cache", "clerk-assets")
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// assetPathRe matches /__clerk/npm/@clerk/<pkg>@<any version>/dist/<file>.
var assetPathRe = regexp.MustCompile(`^/__clerk/npm/@clerk/(clerk-js|ui)@[^/]+/dist/([A-Za-z0-9._-]+)$`)

// handleAsset serves a cached bundle file; anything else is a 404.
func (s *Server) handleAsset(w http.ResponseWriter, r *http.Request) {
	m := assetPathRe.FindStringSubmatch(r.URL.Path)
	if m == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		s.notFound(w, r)
		return
	}
	path, ok := s.assets.files[m[1]][m[2]]
	if !ok {
		s.notFound(w, r)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		s.log.Error("fakeclerk: open asset", "file", m[2], "err", err)
		http.Error(w, "asset unreadable", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		http.Error(w, "asset unreadable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/javascript")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	http.ServeContent(w, r, "", st.ModTime(), f)
}
