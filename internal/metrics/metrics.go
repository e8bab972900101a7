// Package metrics holds loginprobe's Prometheus metrics for `loginprobe
// serve`, on a registry of its own (never the global one, so nothing else
// in the process can add to or collide with them):
//
//	loginprobe_run_success{flow}                    1 after a pass, 0 after a fail; an error leaves it as it was
//	loginprobe_runs_total{flow,outcome,cause}       verdicts (after retries); outcome pass, fail or error
//	loginprobe_flaky_runs_total{flow}               passes that needed a retry (also counted as pass)
//	loginprobe_run_duration_seconds{flow}           the flow's own time, without the pacer's holds
//	loginprobe_step_duration_seconds{flow,step}     each step of each verdict's run
//	loginprobe_last_success_timestamp_seconds{flow} when the flow last passed (Unix time)
//	loginprobe_incident_open{flow}                  1 while an incident is open (flow "loginprobe": cannot judge)
//	loginprobe_notifications_total{kind,result}     messages to channels; result ok or failed
//
// plus the Go runtime and process collectors. An error (loginprobe could not
// judge) does not touch run_success, so an alert on run_success == 0 fires
// only for the target's own failures; errors show in runs_total.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/loginprobe/loginprobe/internal/result"
)

// MonitorFlow is the flow label of the "loginprobe cannot judge" incident.
const MonitorFlow = "loginprobe"

// OpenIncidents lists the open incidents, read at each scrape (from the
// store, so the gauge survives a restart).
type OpenIncidents func(ctx context.Context) ([]result.Incident, error)

// Metrics are the collectors and their registry.
type Metrics struct {
	reg           *prometheus.Registry
	runSuccess    *prometheus.GaugeVec
	runs          *prometheus.CounterVec
	flaky         *prometheus.CounterVec
	runDuration   *prometheus.HistogramVec
	stepDuration  *prometheus.HistogramVec
	lastSuccess   *prometheus.GaugeVec
	notifications *prometheus.CounterVec
}

// durationBuckets suit a browser flow: most take 2–20 s, a timeout 90 s.
var durationBuckets = []float64{0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45, 60, 90, 120}

// New registers the metrics for flows (each gets its series from the start,
// so a flow that never ran shows as 0 rather than missing). open may be nil.
func New(flows []string, open OpenIncidents, log *slog.Logger) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		runSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "loginprobe_run_success",
			Help: "1 if the flow's latest verdict was a pass, 0 if a fail; an error (loginprobe could not judge) leaves it unchanged."}, []string{"flow"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "loginprobe_runs_total",
			Help: "Verdicts of scheduled runs (after the fast retry), by outcome (pass, fail, error) and diagnosed cause."}, []string{"flow", "outcome", "cause"}),
		flaky: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "loginprobe_flaky_runs_total",
			Help: "Passes that needed a retry (flaky); also counted as pass in loginprobe_runs_total."}, []string{"flow"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "loginprobe_run_duration_seconds",
			Help: "The flow's own time per run, without the time loginprobe's pacer held its requests.", Buckets: durationBuckets}, []string{"flow"}),
		stepDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "loginprobe_step_duration_seconds",
			Help: "Time of each step of a run.", Buckets: durationBuckets}, []string{"flow", "step"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "loginprobe_last_success_timestamp_seconds",
			Help: "Unix time at which the flow last passed."}, []string{"flow"}),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "loginprobe_notifications_total",
			Help: "Messages to alert channels, by channel kind and result (ok, failed: given up after retries)."}, []string{"kind", "result"}),
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m.reg.MustRegister(m.runSuccess, m.runs, m.flaky, m.runDuration, m.stepDuration, m.lastSuccess, m.notifications,
		&incidentCollector{flows: flows, open: open, log: log},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, f := range flows {
		m.runs.WithLabelValues(f, string(result.Pass), "")
		m.flaky.WithLabelValues(f)
	}
	return m
}

// Registry returns the registry the metrics live in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRun records a verdict: the final run of a scheduled slot.
func (m *Metrics) ObserveRun(r *result.Run) {
	switch r.Outcome {
	case result.Pass, result.Fail, result.Error:
	default:
		return // running, interrupted, skipped: no verdict
	}
	m.runs.WithLabelValues(r.Flow, string(r.Outcome), string(r.Diagnosis.Cause)).Inc()
	own := r.Duration - r.Held
	if own < 0 {
		own = 0
	}
	m.runDuration.WithLabelValues(r.Flow).Observe(own.Seconds())
	for _, s := range r.Steps {
		m.stepDuration.WithLabelValues(r.Flow, s.Name).Observe(s.Duration.Seconds())
	}
	switch r.Outcome {
	case result.Pass:
		m.runSuccess.WithLabelValues(r.Flow).Set(1)
		m.lastSuccess.WithLabelValues(r.Flow).Set(float64(r.StartedAt.Add(r.Duration).UnixNano()) / 1e9)
		if r.Flaky() {
			m.flaky.WithLabelValues(r.Flow).Inc()
		}
	case result.Fail:
		m.runSuccess.WithLabelValues(r.Flow).Set(0)
	}
}

// ObserveNotification counts a message to a channel.
func (m *Metrics) ObserveNotification(n result.Notification) {
	res := "ok"
	if !n.OK {
		res = "failed"
	}
	m.notifications.WithLabelValues(n.Kind, res).Inc()
}

// incidentCollector reports loginprobe_incident_open from the store at each
// scrape: a value kept in memory would be wrong after a restart.
type incidentCollector struct {
	flows []string
	open  OpenIncidents
	log   *slog.Logger
}

var incidentDesc = prometheus.NewDesc("loginprobe_incident_open",
	"1 while the flow has an open incident (flow \"loginprobe\": the cannot-judge incident), else 0.", []string{"flow"}, nil)

func (c *incidentCollector) Describe(ch chan<- *prometheus.Desc) { ch <- incidentDesc }

func (c *incidentCollector) Collect(ch chan<- prometheus.Metric) {
	state := map[string]float64{MonitorFlow: 0}
	for _, f := range c.flows {
		state[f] = 0
	}
	if c.open != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		incs, err := c.open(ctx)
		if err != nil {
			// No guess: without the store's answer the gauge is left out of
			// this scrape, and absent() alerts can tell.
			c.log.Warn("metrics: reading open incidents", "err", err)
			return
		}
		for _, inc := range incs {
			flow := inc.Flow
			if inc.Kind == result.IncidentMonitor || flow == "" {
				flow = MonitorFlow
			}
			state[flow] = 1
		}
	}
	for flow, v := range state {
		ch <- prometheus.MustNewConstMetric(incidentDesc, prometheus.GaugeValue, v, flow)
	}
}

// CountNotification counts a message by channel kind and result, in the
// shape of notify.Options.OnResult.
func (m *Metrics) CountNotification(kind string, ok bool) {
	m.ObserveNotification(result.Notification{Kind: kind, OK: ok})
}
