package dashboard

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// The SVGs below are built from numbers and fixed words; the only text,
// <title> tooltips, goes through html.EscapeString. They carry classes, not
// style attributes, so the Content-Security-Policy needs no inline style.

// barsSVG draws one bar per day, coloured by its state.
func barsSVG(ds []Day) template.HTML {
	const w, gap, h = 6, 2, 28
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="bars" viewBox="0 0 %d %d" width="%d" height="%d" preserveAspectRatio="none" role="img" aria-label="daily states, last %d days">`,
		len(ds)*(w+gap), h, len(ds)*(w+gap), h, len(ds))
	for i, d := range ds {
		tip := fmt.Sprintf("%s: %s — %d up, %d down, %d flaky, %d error", d.Day.Format("2006-01-02"), d.State, d.Up, d.Down, d.Flaky, d.Error)
		fmt.Fprintf(&b, `<rect class="day-%s" x="%d" y="0" width="%d" height="%d" rx="1"><title>%s</title></rect>`,
			d.State, i*(w+gap), w, h, html.EscapeString(tip))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// sparkSVG draws the p50 and p95 lines of a trend.
func sparkSVG(tr Trend) template.HTML {
	const w, h = 160, 32
	n := len(tr.P95)
	var top time.Duration
	for _, d := range tr.P95 {
		top = max(top, d)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="p50 and p95 duration of passes">`, w, h, w, h)
	if top > 0 && n > 1 {
		for _, line := range []struct {
			class string
			ds    []time.Duration
		}{{"p95", tr.P95}, {"p50", tr.P50}} {
			var pts []string
			for i, d := range line.ds {
				if d == 0 {
					continue
				}
				x := float64(i) * float64(w-2) / float64(n-1)
				y := float64(h-2) - float64(d)/float64(top)*float64(h-4)
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x+1, y+1))
			}
			fmt.Fprintf(&b, `<polyline class="%s" points="%s"/>`, line.class, strings.Join(pts, " "))
			if len(pts) == 1 { // a lone point draws no line
				x, y, _ := strings.Cut(pts[0], ",")
				fmt.Fprintf(&b, `<circle class="%s" cx="%s" cy="%s" r="2"/>`, line.class, x, y)
			}
		}
		fmt.Fprintf(&b, `<title>max p95 %s</title>`, html.EscapeString(fmtDur(top)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// waterfallSVG draws each step as a bar from its start, to scale.
func waterfallSVG(steps []result.Step) template.HTML {
	if len(steps) == 0 {
		return ""
	}
	const w, row, label = 720, 22, 200
	start, end := steps[0].StartedAt, steps[0].StartedAt
	for _, s := range steps {
		if s.StartedAt.Before(start) {
			start = s.StartedAt
		}
		if e := s.StartedAt.Add(s.Duration); e.After(end) {
			end = e
		}
	}
	span := max(end.Sub(start), time.Millisecond)
	scale := float64(w-label-90) / float64(span)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="waterfall" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="steps">`,
		w, len(steps)*row, w, len(steps)*row)
	for i, s := range steps {
		x := label + float64(s.StartedAt.Sub(start))*scale
		bw := max(float64(s.Duration)*scale, 2)
		y := i * row
		fmt.Fprintf(&b, `<text x="0" y="%d" class="wf-name">%s</text>`, y+15, html.EscapeString(s.Name))
		fmt.Fprintf(&b, `<rect class="wf-%s" x="%.1f" y="%d" width="%.1f" height="%d" rx="2"><title>%s</title></rect>`,
			html.EscapeString(string(s.Outcome)), x, y+4, bw, row-8, html.EscapeString(s.Name+" "+string(s.Outcome)+" "+fmtDur(s.Duration)))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="wf-dur">%s</text>`, x+bw+4, y+15, html.EscapeString(fmtDur(s.Duration)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
