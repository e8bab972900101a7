package browser

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/chromedp/chromedp"
)

// chromeNames are the executables looked up in PATH, in order, when no path
// is configured.
var chromeNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// resolveExec finds the Chromium executable: the configured path, then
// $LOGINPROBE_CHROME, then chromeNames in PATH (read through env). A path that
// is configured but missing is an error: it does not fall back to PATH,
// because silently running another browser would hide a config mistake.
// from says which setting chose it, for error messages: from (when path is
// set), "LOGINPROBE_CHROME", or the default lookup.
func resolveExec(path, from string, env func(string) string) (found, chosenBy string, err error) {
	chosenBy = from
	if path == "" {
		path, chosenBy = env("LOGINPROBE_CHROME"), "LOGINPROBE_CHROME"
	} else if chosenBy == "" {
		chosenBy = "the browser path option"
	}
	if path != "" {
		found, err := lookExec(path, env("PATH"))
		if err != nil {
			return "", "", fmt.Errorf("browser path %q (set by %s): %v: %w", path, chosenBy, err, ErrNoChromium)
		}
		return found, chosenBy, nil
	}
	for _, name := range chromeNames {
		if found, err := lookExec(name, env("PATH")); err == nil {
			return found, "the default lookup of " + strings.Join(chromeNames, ", ") + " in PATH", nil
		}
	}
	return "", "", ErrNoChromium
}

// lookExec is exec.LookPath with an explicit PATH, so that the lookup reads
// the same environment as the rest of Options.
func lookExec(name, pathEnv string) (string, error) {
	if strings.Contains(name, "/") {
		return name, checkExecutable(name)
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if checkExecutable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in PATH", name)
}

func checkExecutable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", p)
	}
	return nil
}

// chromeFlags returns the command-line flags, built from scratch rather than
// from chromedp.DefaultExecAllocatorOptions, because the defaults contain
// --enable-automation: it sets navigator.webdriver, and clerk-js then hides
// network errors (see docs/fakeclerk.md §4). --disable-web-security is never
// set: it strips the Origin header and Clerk rejects the requests.
func chromeFlags(width, height int, extra []string) [][2]string {
	flags := [][2]string{
		{"headless", "new"},
		{"no-sandbox", ""}, // Chromium runs as root in the container
		{"disable-gpu", ""},
		{"disable-dev-shm-usage", ""},
		{"disable-background-networking", ""},
		{"disable-quic", ""},
		{"disable-component-update", ""},
		{"disable-sync", ""},
		{"no-first-run", ""},
		{"no-default-browser-check", ""},
		{"disable-extensions", ""},
		{"mute-audio", ""},
		{"hide-scrollbars", ""},
		{"disable-blink-features", "AutomationControlled"},
		{"window-size", fmt.Sprintf("%d,%d", width, height)},
		// From chromedp's defaults, without enable-automation: keep timers
		// and rendering at full speed in every window, no crash uploads,
		// no keyring prompts.
		{"disable-background-timer-throttling", ""},
		{"disable-backgrounding-occluded-windows", ""},
		{"disable-renderer-backgrounding", ""},
		{"disable-breakpad", ""},
		{"disable-client-side-phishing-detection", ""},
		{"disable-default-apps", ""},
		{"disable-hang-monitor", ""},
		{"disable-popup-blocking", ""},
		{"disable-prompt-on-repost", ""},
		{"disable-features", "Translate,MediaRouter,OptimizationHints"},
		{"metrics-recording-only", ""},
		{"password-store", "basic"},
		{"use-mock-keychain", ""},
		{"force-color-profile", "srgb"},
	}
	for _, f := range extra {
		name, value, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		if name == "" || name == "disable-web-security" || name == "enable-automation" {
			continue
		}
		flags = append(flags, [2]string{name, value})
	}
	return flags
}

// allocatorOptions turns the flags into chromedp options. A flag set twice
// keeps its first place with the last value (chromedp.Flag semantics).
func allocatorOptions(execPath string, flags [][2]string, env func(string) string) []chromedp.ExecAllocatorOption {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		// The Go process may hold CLERK_SECRET_KEY and other secrets;
		// Chromium gets only what it needs to run.
		chromedp.NoInheritEnv,
		chromedp.Env(browserEnv(env)...),
	}
	for _, f := range flags {
		if f[1] == "" {
			opts = append(opts, chromedp.Flag(f[0], true))
		} else {
			opts = append(opts, chromedp.Flag(f[0], f[1]))
		}
	}
	return opts
}

// browserEnv is the environment Chromium starts with. The Debian launcher
// script needs PATH; Chromium needs HOME and a temporary directory.
func browserEnv(env func(string) string) []string {
	var out []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "TZ",
		"XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "FONTCONFIG_PATH"} {
		if v := env(k); v != "" {
			out = append(out, k+"="+v)
		}
	}
	if env("HOME") == "" {
		out = append(out, "HOME="+os.TempDir())
	}
	if env("PATH") == "" {
		out = append(out, "PATH=/usr/local/bin:/usr/bin:/bin")
	}
	return out
}
