package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// The JUnit XML shape CI tools read (Jenkins, GitLab, GitHub test
// reporters): one testsuite, a testcase per flow.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name      string      `xml:"name,attr"`
		Tests     int         `xml:"tests,attr"`
		Failures  int         `xml:"failures,attr"`
		Errors    int         `xml:"errors,attr"`
		Skipped   int         `xml:"skipped,attr"`
		Time      string      `xml:"time,attr"`
		Timestamp string      `xml:"timestamp,attr,omitempty"`
		Cases     []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitProblem `xml:"failure"`
		Error     *junitProblem `xml:"error"`
		Skipped   *junitSkipped `xml:"skipped"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr,omitempty"`
		Body    string `xml:",chardata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr"`
	}
)

// WriteJUnit writes the report as JUnit XML: a fail is a <failure> whose
// message is the diagnosis summary, an error an <error>, a skipped flow
// <skipped>; screenshots are [[ATTACHMENT|path]] lines in <system-out>, as
// Jenkins and GitLab read them.
func (rep *Report) WriteJUnit(w io.Writer) error {
	s := junitSuite{Name: "loginprobe"}
	if !rep.Started.IsZero() {
		s.Timestamp = rep.Started.UTC().Format("2006-01-02T15:04:05")
	}
	var total float64
	for _, c := range rep.Cases {
		jc := junitCase{Name: c.Flow, Classname: rep.Instance, Time: "0"}
		if c.Run != nil {
			total += c.Run.Duration.Seconds()
			jc.Time = seconds(c.Run.Duration.Seconds())
		}
		var out []string
		switch c.Outcome() {
		case "skipped":
			jc.Skipped = &junitSkipped{Message: c.SkipReason}
			s.Skipped++
		case "flaky":
			out = append(out, flakyNote(c.Run))
		case "fail":
			jc.Failure = &junitProblem{Message: Summary(c.Run), Type: string(c.Run.Diagnosis.Cause), Body: Details(c.Run)}
			s.Failures++
		case "error":
			jc.Error = &junitProblem{Message: Summary(c.Run), Type: string(c.Run.Diagnosis.Cause), Body: Details(c.Run)}
			s.Errors++
		}
		for _, p := range c.Screenshots {
			out = append(out, "[[ATTACHMENT|"+p+"]]")
		}
		if len(out) > 0 {
			jc.SystemOut = strings.Join(out, "\n") + "\n"
		}
		s.Tests++
		s.Cases = append(s.Cases, jc)
	}
	s.Time = seconds(total)
	doc := junitSuites{Tests: s.Tests, Failures: s.Failures, Errors: s.Errors, Skipped: s.Skipped, Time: s.Time, Suites: []junitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }
