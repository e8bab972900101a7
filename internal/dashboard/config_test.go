package dashboard

import (
	"testing"

	"github.com/loginprobe/loginprobe/internal/config"
)

// TestListenClassification: which listen addresses count as loopback, and
// so whether FromConfig requires credentials.
func TestListenClassification(t *testing.T) {
	for addr, loop := range map[string]bool{
		"127.0.0.1:9465": true, "127.0.0.2:9465": true, "localhost:9465": true, "[::1]:9465": true,
		":9465": false, "0.0.0.0:9465": false, "[::]:9465": false, "192.168.1.10:9465": false,
		"probe.example.com:9465": false, "localhost": false, "": false,
	} {
		if got := IsLoopback(addr); got != loop {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, loop)
		}
		if o := FromConfig(&config.Config{}, addr); o.RequireAuth != !loop {
			t.Errorf("FromConfig(listen %q).RequireAuth = %v, want %v", addr, o.RequireAuth, !loop)
		}
	}
}
