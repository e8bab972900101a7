package dashboard

import "github.com/loginprobe/loginprobe/internal/result"

// causeText is a cause in plain words, for people who do not know the codes;
// the public status page uses nothing else to explain an incident.
func causeText(c result.Cause) string {
	switch c {
	case result.CauseClerkOutage:
		return "our authentication provider is having problems"
	case "clerk_degraded":
		return "our authentication provider is slow or partly failing"
	case result.CauseConfig:
		return "a configuration problem on our side"
	case result.CauseTestData:
		return "a problem with our monitoring account, not with logins"
	case result.CauseRateLimited:
		return "requests are being rate limited"
	case result.CauseApp:
		return "our login pages are failing to load"
	case "bot_protection":
		return "bot protection is refusing sign-ins"
	case "network":
		return "a network problem between our monitor and the service"
	case "ui_changed":
		return "the login pages changed and are being checked"
	case result.CauseMonitor:
		return "our monitor could not check"
	case result.CauseNone:
		return ""
	}
	return "we are investigating"
}
