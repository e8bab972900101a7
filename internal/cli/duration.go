package cli

import (
	"fmt"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// heldText is what a run's duration says about loginprobe's own holds:
// "" without any, else " (2.1s without 3.0s held by loginprobe's pacing)".
func heldText(r *result.Run, round time.Duration) string {
	if r.Held <= 0 {
		return ""
	}
	return fmt.Sprintf(" (%s without %s held by loginprobe's pacing)", r.FlowDuration().Round(round), r.Held.Round(round))
}
