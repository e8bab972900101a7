package fakeclerk

import (
	"html/template"
	"net/http"
)

// The app's own pages. They load Clerk as Clerk's framework SDKs do: both
// bundles from the Frontend API (here its proxy path), the publishable key in
// exactly one place (data-clerk-publishable-key on the clerk-js tag, which
// the invalid_publishable_key fault rewrites), a 15 s script-load timeout, and
// console.error of a failed load as @clerk/react does.

type pageData struct {
	Page, Title, PK, ProxyURL, ClerkJS, ClerkUI string
}

// appPages maps a path to its page name.
var appPages = map[string]struct{ name, title string }{
	"/":                     {"home", "Home"},
	"/sign-in":              {"sign-in", "Sign in"},
	"/sign-up":              {"sign-up", "Sign up"},
	"/sign-in/sso-callback": {"sso-callback", "Signing in…"},
	"/sign-up/sso-callback": {"sso-callback", "Signing up…"},
}

// handlePage serves the app's pages; any other path is an unknown path.
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	p, ok := appPages[r.URL.Path]
	if !ok {
		s.notFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	base := s.base(r)
	d := pageData{Page: p.name, Title: p.title + " · " + ApplicationName, PK: s.pk, ProxyURL: s.pageProxyURL(base),
		ClerkJS: base + "/__clerk/npm/@clerk/clerk-js@6/dist/clerk.browser.js",
		ClerkUI: base + "/__clerk/npm/@clerk/ui@1/dist/ui.browser.js"}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := pageTemplate.Execute(w, d); err != nil {
		s.log.Error("fakeclerk: render page", "page", p.name, "err", err)
	}
}

var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

const pageHTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="icon" href="data:,">
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#fafafa;color:#18181b}
header{display:flex;justify-content:space-between;align-items:center;padding:12px 24px;background:#fff;border-bottom:1px solid #e4e4e7}
header a{color:#6c47ff;text-decoration:none;margin-left:16px}
main{display:flex;flex-direction:column;align-items:center;padding:48px 16px}
.card{background:#fff;border:1px solid #e4e4e7;border-radius:12px;padding:24px 32px;min-width:320px}
#load-error{color:#b91c1c;white-space:pre-wrap}
button{font:inherit;padding:8px 16px;border-radius:8px;border:1px solid #d4d4d8;background:#fff;cursor:pointer}
</style>
<script>
// Watch the two Clerk script tags as @clerk/shared's loader does: a load
// error or 15 s without a load fails with the SDK's message.
window.__clerkScripts = (function () {
  function waiter(part, label, code) {
    var w = {};
    w.promise = new Promise(function (resolve, reject) {
      var fail = function () { reject(new Error('Clerk: Failed to load Clerk ' + label + '\n\n(code="' + code + '")')); };
      var timer = setTimeout(fail, 15000);
      w.load = function () { clearTimeout(timer); resolve(); };
      w.error = function () { clearTimeout(timer); fail(); };
    });
    w.part = part;
    return w;
  }
  var ws = [waiter('/@clerk/clerk-js@', 'JS', 'failed_to_load_clerk_js'), waiter('/@clerk/ui@', 'UI', 'failed_to_load_clerk_ui')];
  function find(ev) {
    var t = ev.target;
    if (!t || t.tagName !== 'SCRIPT' || !t.src) return null;
    for (var i = 0; i < ws.length; i++) if (t.src.indexOf(ws[i].part) >= 0) return ws[i];
    return null;
  }
  document.addEventListener('load', function (ev) { var w = find(ev); if (w) w.load(); }, true);
  document.addEventListener('error', function (ev) { var w = find(ev); if (w) w.error(); }, true);
  return { js: ws[0].promise, ui: ws[1].promise };
})();
</script>
</head>
<body data-page="{{.Page}}">
<header><strong>Loginprobe Demo</strong><nav><a href="/">Home</a><a href="/sign-in">Sign in</a><a href="/sign-up">Sign up</a></nav></header>
<main>
<div id="app"></div>
<div class="card" id="signed-in" hidden>
  <p>Signed in as <strong id="user-email"></strong></p>
  <p>User id <code id="user-id"></code></p>
  <button id="sign-out" type="button">Sign out</button>
</div>
<div class="card" id="signed-out" hidden><p>You are signed out.</p><p><a href="/sign-in">Sign in</a> or <a href="/sign-up">create an account</a>.</p></div>
<p id="load-error" role="alert" hidden></p>
</main>
<script async crossorigin="anonymous" data-clerk-publishable-key="{{.PK}}" data-clerk-proxy-url="{{.ProxyURL}}" src="{{.ClerkJS}}"></script>
<script async crossorigin="anonymous" data-clerk-proxy-url="{{.ProxyURL}}" src="{{.ClerkUI}}"></script>
<script>
(async function () {
  var page = document.body.dataset.page;
  var app = document.getElementById('app');
  try {
    await Promise.all([window.__clerkScripts.js, window.__clerkScripts.ui]);
    if (!window.Clerk) throw new Error('Clerk: Failed to load Clerk JS\n\n(code="failed_to_load_clerk_js")');
    await window.Clerk.load({
      ui: { ClerkUI: window.__internal_ClerkUICtor }, telemetry: false,
      signInUrl: '/sign-in', signUpUrl: '/sign-up', afterSignOutUrl: '/',
      signInFallbackRedirectUrl: '/', signUpFallbackRedirectUrl: '/'
    });
    if (page === 'sign-in') {
      window.Clerk.mountSignIn(app, { routing: 'hash', signUpUrl: '/sign-up', fallbackRedirectUrl: '/', signUpFallbackRedirectUrl: '/' });
    } else if (page === 'sign-up') {
      window.Clerk.mountSignUp(app, { routing: 'hash', signInUrl: '/sign-in', fallbackRedirectUrl: '/', signInFallbackRedirectUrl: '/' });
    } else if (page === 'sso-callback') {
      await window.Clerk.handleRedirectCallback({ signInUrl: '/sign-in', signUpUrl: '/sign-up', signInFallbackRedirectUrl: '/', signUpFallbackRedirectUrl: '/' });
    } else {
      var u = window.Clerk.user;
      if (u) {
        var email = u.primaryEmailAddress ? u.primaryEmailAddress.emailAddress : null;
        window.__app = { userId: u.id, email: email };
        document.getElementById('user-id').textContent = u.id;
        document.getElementById('user-email').textContent = email || '';
        document.getElementById('signed-in').hidden = false;
        document.getElementById('sign-out').addEventListener('click', function () { window.Clerk.signOut({ redirectUrl: '/' }); });
      } else {
        window.__app = { userId: null, email: null };
        document.getElementById('signed-out').hidden = false;
      }
    }
  } catch (err) {
    window.__loadError = String((err && err.message) || err);
    console.error(err);
    var p = document.getElementById('load-error');
    p.textContent = window.__loadError;
    p.hidden = false;
  }
})();
</script>
</body></html>
`
