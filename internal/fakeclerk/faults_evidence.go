package fakeclerk

import "net/http"

// The faults of issue 7: evidence the verdicts must read at once (a refused
// script, a 502 on the client, a JWKS without the token's key, a page whose
// Clerk talks to a Frontend API that does not answer).

// elsewhere is the path prefix of the dead proxy URL page_proxy_unreachable
// gives the page's Clerk: every connection to it is reset.
const elsewhere = "/__elsewhere"

// pageProxyURL is the proxy URL the app's pages give Clerk.
func (s *Server) pageProxyURL(base string) string {
	if s.faults.Active(FaultPageProxyUnreachable) {
		return base + elsewhere
	}
	return base + "/__clerk"
}

// injectEvidenceFault answers the request as one of these faults would.
func (s *Server) injectEvidenceFault(w http.ResponseWriter, r *http.Request, q faultReq) (Fault, bool) {
	on := s.faults.Active
	jwks := q.kind == kindJWKS || q.kind == kindFAPI && q.path == "/v1/jwks"
	switch {
	case on(FaultPageProxyUnreachable) && q.kind == kindElsewhere:
		resetConn(w) // a proxy that does not answer
		return FaultPageProxyUnreachable, true
	case on(FaultClerkJSWrongMIME) && q.kind == kindClerkJS:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write([]byte("window.Clerk = {};\n"))
		return FaultClerkJSWrongMIME, true
	case on(FaultClient502) && q.fapi(http.MethodGet, "/v1/client"):
		writeHTMLError(w, http.StatusBadGateway, "502 Bad Gateway", "The upstream server did not answer.")
		return FaultClient502, true
	case on(FaultJWKSEmpty) && jwks:
		sendJSON(w, http.StatusOK, map[string]any{"keys": []any{}})
		return FaultJWKSEmpty, true
	case on(FaultJWKSWrongKey) && jwks:
		sendJSON(w, http.StatusOK, map[string]any{"keys": []any{jwkOf(&s.signingKey.PublicKey, s.kid+"_rotated")}})
		return FaultJWKSWrongKey, true
	}
	return "", false
}
