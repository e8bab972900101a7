package metrics

import "github.com/prometheus/client_golang/prometheus"

// Register adds collectors of serve's other parts (the replica's role, the
// write buffer) to the metrics' own registry.
func (m *Metrics) Register(cs ...prometheus.Collector) {
	m.reg.MustRegister(cs...)
}
