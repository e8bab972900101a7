// Package flows holds loginprobe's flows, one file each: the user journeys a
// Clerk outage or misconfiguration breaks. Every flow is built from the
// shared steps in page.go and live.go and the selectors in internal/clerk.
package flows

import "github.com/loginprobe/loginprobe/internal/probe"

// All returns every flow, in the order `loginprobe run` runs them: the cheap
// preflight first, so a run's report starts with whether Clerk answers at all.
func All() []probe.Flow {
	return []probe.Flow{
		ClerkHealth{},
		SignIn{},
		SignUp{},
		OAuth{Provider: "github"},
		OAuth{Provider: "google"},
		PasswordReset{},
		Session{},
		UserAPI{},
	}
}

// ByName returns the flow called name, or nil.
func ByName(name string) probe.Flow {
	for _, f := range All() {
		if f.Name() == name {
			return f
		}
	}
	return nil
}
