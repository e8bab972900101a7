package fakeclerk

import (
	"net/http"
	"time"
)

// The status page, in Atlassian Statuspage's format, with Clerk's components.

var statusComponents = []string{
	"User and authentication", "Session management", "Machine authentication", "Account Portal",
	"Webhooks", "Email delivery", "SMS delivery", "Platform API", "Dashboard", "Development Services",
}

// outageComponents are the ones status_major_outage takes down.
var outageComponents = map[string]bool{"User and authentication": true, "Session management": true}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	outage := s.faults.Active(FaultStatusMajorOutage)
	now := s.now().UTC()
	page := map[string]any{"id": "loginprobelocal", "name": "Clerk", "url": s.base(r),
		"time_zone": "Etc/UTC", "updated_at": now.Format(time.RFC3339)}
	status := map[string]any{"indicator": "none", "description": "All Systems Operational"}
	if outage {
		status = map[string]any{"indicator": "major", "description": "Major System Outage"}
	}
	switch r.URL.Path {
	case "/api/v2/status.json":
		sendJSON(w, http.StatusOK, map[string]any{"page": page, "status": status})
	case "/api/v2/summary.json":
		sendJSON(w, http.StatusOK, map[string]any{"page": page, "status": status,
			"components": components(outage, now), "incidents": incidents(outage, now),
			"scheduled_maintenances": []any{}})
	case "/api/v2/components.json":
		sendJSON(w, http.StatusOK, map[string]any{"page": page, "components": components(outage, now)})
	case "/api/v2/incidents.json", "/api/v2/incidents/unresolved.json":
		sendJSON(w, http.StatusOK, map[string]any{"page": page, "incidents": incidents(outage, now)})
	case "/api/v2/scheduled-maintenances/active.json", "/api/v2/scheduled-maintenances/upcoming.json":
		sendJSON(w, http.StatusOK, map[string]any{"page": page, "scheduled_maintenances": []any{}})
	default:
		s.notFound(w, r)
	}
}

func components(outage bool, now time.Time) []any {
	out := []any{}
	since := now.Add(-30 * 24 * time.Hour).Format(time.RFC3339)
	for i, name := range statusComponents {
		st := "operational"
		if outage && outageComponents[name] {
			st = "major_outage"
		}
		out = append(out, map[string]any{
			"id": "cmp" + string(rune('a'+i)) + "loginprobelocal", "name": name, "status": st,
			"created_at": since, "updated_at": now.Format(time.RFC3339), "position": i + 1, "description": nil,
			"showcase": true, "start_date": nil, "group_id": nil, "page_id": "loginprobelocal", "group": false, "only_show_if_degraded": false,
		})
	}
	return out
}

func incidents(outage bool, now time.Time) []any {
	if !outage {
		return []any{}
	}
	started := now.Add(-12 * time.Minute).Format(time.RFC3339)
	return []any{map[string]any{
		"id": "inc_loginprobe_local", "name": "Elevated errors on sign-in and session requests", "status": "investigating",
		"impact": "major", "created_at": started, "updated_at": now.Format(time.RFC3339), "monitoring_at": nil, "resolved_at": nil,
		"shortlink": "https://stspg.io/loginprobe", "started_at": started, "page_id": "loginprobelocal",
		"incident_updates": []any{map[string]any{
			"id": "upd_loginprobe_local", "status": "investigating",
			"body":       "We are investigating elevated error rates on the Frontend API affecting sign-ins and session refresh.",
			"created_at": started, "updated_at": started, "display_at": started,
		}},
		"components": []any{map[string]any{"name": "User and authentication", "status": "major_outage"},
			map[string]any{"name": "Session management", "status": "major_outage"}},
	}}
}
