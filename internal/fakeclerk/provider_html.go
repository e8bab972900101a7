package fakeclerk

// providerHTML holds the fake provider's pages. The field names and ids
// follow the real providers' login forms, so a monitor's selectors carry over:
// GitHub #login_field, #password, input[type=submit][name=commit],
// #js-oauth-authorize-btn; Google input[type=email] + #identifierNext,
// input[type=password] + #passwordNext, #submit_approve_access.
const providerHTML = `
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}}</title>
<link rel="icon" href="data:,">
<style>
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;background:#f6f8fa;color:#1f2328;margin:0}
main{max-width:340px;margin:48px auto;padding:0 16px}
h1{font-size:24px;font-weight:300;text-align:center}
.box{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:20px}
label{display:block;font-weight:600;margin:8px 0 6px}
input[type=text],input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:6px 12px;font-size:14px;border:1px solid #d0d7de;border-radius:6px}
.btn{display:inline-block;margin-top:16px;padding:6px 16px;font-size:14px;font-weight:600;border-radius:6px;border:1px solid #d0d7de;background:#f6f8fa;cursor:pointer}
.btn-primary{background:#1f883d;color:#fff;border-color:#1f883d}.btn-block{width:100%}
.flash-error{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:12px;margin-bottom:12px}
.google{font-family:Roboto,Arial,sans-serif;background:#fff}.google .btn-primary{background:#1a73e8;border-color:#1a73e8}
code{background:#eff1f3;padding:2px 4px;border-radius:4px}
</style></head>{{end}}

{{define "github-login"}}{{template "head" "Sign in to GitHub · GitHub"}}
<body><main><h1>Sign in to GitHub</h1>
{{with .Error}}<div class="flash-error" role="alert">{{.}}</div>{{end}}
<div class="box"><form action="/oauth/github/session" accept-charset="UTF-8" method="post">
<input type="hidden" name="return_to" value="{{.ReturnTo}}">
<label for="login_field">Username or email address</label>
<input type="text" name="login" id="login_field" value="{{.Identifier}}" autocapitalize="off" autocorrect="off" autocomplete="username" autofocus>
<label for="password">Password</label>
<input type="password" name="password" id="password" autocomplete="current-password">
<input type="submit" name="commit" value="Sign in" class="btn btn-primary btn-block" data-disable-with="Signing in…">
</form></div></main></body></html>{{end}}

{{define "github-consent"}}{{template "head" "Authorize application"}}
<body><main><h1>Authorize {{.App}}</h1>
<div class="box"><p><strong>{{.App}}</strong> by <strong>Clerk</strong> wants to access your <strong>{{.Login}}</strong> account</p>
<p>Personal user data: email addresses (read-only)</p>
<form action="/oauth/github/authorize" method="post">
<input type="hidden" name="client_id" value="{{.Req.ClientID}}"><input type="hidden" name="redirect_uri" value="{{.Req.RedirectURI}}">
<input type="hidden" name="state" value="{{.Req.State}}"><input type="hidden" name="scope" value="{{.Req.Scope}}">
<button type="submit" name="authorize" value="0" id="js-oauth-deny-btn" class="btn">Cancel</button>
<button type="submit" name="authorize" value="1" id="js-oauth-authorize-btn" class="btn btn-primary">Authorize {{.App}}</button>
</form><p>Authorizing will redirect to <code>{{.Req.RedirectURI}}</code></p></div></main></body></html>{{end}}

{{define "github-error"}}{{template "head" "Authorization error · GitHub"}}
<body><main><h1>Be careful!</h1>
<div class="box flash-error" id="oauth-error" data-error="{{.Error}}"><p><code>error={{.Error}}</code></p>
<p class="error-description">{{.Description}}</p></div></main></body></html>{{end}}

{{define "google-login"}}{{template "head" "Sign in - Google Accounts"}}
<body class="google"><main><h1>Sign in</h1><p style="text-align:center">to continue to {{"Loginprobe Demo"}}</p>
<div class="box"><form action="/oauth/google/identifier" method="post">
<input type="hidden" name="return_to" value="{{.ReturnTo}}">
<label for="identifierId">Email or phone</label>
<input type="email" name="identifier" id="identifierId" value="{{.Identifier}}" autocomplete="username" autofocus>
{{with .Error}}<div class="flash-error" role="alert">{{.}}</div>{{end}}
<button type="submit" id="identifierNext" class="btn btn-primary">Next</button>
</form></div></main></body></html>{{end}}

{{define "google-password"}}{{template "head" "Sign in - Google Accounts"}}
<body class="google"><main><h1>Welcome</h1><p style="text-align:center" id="profileIdentifier">{{.Identifier}}</p>
<div class="box"><form action="/oauth/google/session" method="post">
<input type="hidden" name="return_to" value="{{.ReturnTo}}"><input type="hidden" name="identifier" value="{{.Identifier}}">
<label for="password">Enter your password</label>
<input type="password" name="password" id="password" autocomplete="current-password" autofocus>
{{with .Error}}<div class="flash-error" role="alert">{{.}}</div>{{end}}
<button type="submit" id="passwordNext" class="btn btn-primary">Next</button>
</form></div></main></body></html>{{end}}

{{define "google-consent"}}{{template "head" "Sign in - Google Accounts"}}
<body class="google"><main><h1>Sign in to {{.App}}</h1>
<div class="box"><p>Google will allow <strong>{{.App}}</strong> to access this info about you: name, profile picture and email address ({{.Login}}).</p>
<form action="/oauth/google/authorize" method="post">
<input type="hidden" name="client_id" value="{{.Req.ClientID}}"><input type="hidden" name="redirect_uri" value="{{.Req.RedirectURI}}">
<input type="hidden" name="state" value="{{.Req.State}}"><input type="hidden" name="scope" value="{{.Req.Scope}}">
<button type="submit" name="authorize" value="0" id="submit_deny_access" class="btn">Cancel</button>
<button type="submit" name="authorize" value="1" id="submit_approve_access" class="btn btn-primary">Continue</button>
</form></div></main></body></html>{{end}}

{{define "google-error"}}{{template "head" "Error 400"}}
<body class="google"><main><h1>Access blocked: this app's request is invalid</h1>
<div class="box flash-error" id="oauth-error" data-error="{{.Error}}"><p><strong>Error 400: {{.Error}}</strong></p>
<p><code>error={{.Error}}</code></p><p class="error-description">{{.Description}}</p></div></main></body></html>{{end}}
`
