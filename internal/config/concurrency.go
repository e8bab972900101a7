package config

import "fmt"

// Browser contexts open at once in one Chromium: the default suits a small
// container (two cores); each one adds a renderer of roughly 100-150 MiB.
const (
	DefaultMaxConcurrent = 2
	MaxMaxConcurrent     = 16
)

// validateConcurrency checks browser.max_concurrent.
func (c *Config) validateConcurrency(v *validator) {
	if n := c.Browser.MaxConcurrent; n < 1 || n > MaxMaxConcurrent {
		v.add("browser.max_concurrent", fmt.Sprintf("%d is not between 1 and %d", n, MaxMaxConcurrent),
			fmt.Sprintf("use the number of flows one Chromium may run at once, e.g. %d", DefaultMaxConcurrent))
	}
}
