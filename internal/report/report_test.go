package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	junit "github.com/joshdk/go-junit"

	"github.com/loginprobe/loginprobe/internal/result"
)

func sample() *Report {
	fail := &result.Run{ID: 7, Flow: "sign-in", Attempt: 1, Outcome: result.Fail, Duration: 2500 * time.Millisecond,
		Message: "password: 100% wrong,\r\nsee: below",
		Steps:   []result.Step{{Name: "open the sign-in page", Outcome: result.Pass}, {Name: "enter the password", Outcome: result.Fail, Error: "form_password_incorrect"}},
		Diagnosis: result.Diagnosis{Cause: result.CauseTestData, Summary: "Monitor user's password is wrong | rotated",
			Evidence: []string{"POST /v1/client/sign_ins/x/attempt_first_factor → 422 form_password_incorrect"}, Next: "Reset the password."}}
	return &Report{Instance: "loginprobe-local-00.clerk.accounts.dev", Cases: []Case{
		{Flow: "clerk-health", Run: &result.Run{ID: 6, Flow: "clerk-health", Attempt: 1, Outcome: result.Pass, Duration: time.Second}},
		{Flow: "session", Run: &result.Run{ID: 9, Flow: "session", Attempt: 2, Outcome: result.Pass, Duration: time.Second}},
		{Flow: "sign-in", Run: fail, Screenshots: []string{"out/run-7-1-failure.jpg"}},
		{Flow: "sign-up", Run: &result.Run{ID: 8, Flow: "sign-up", Attempt: 1, Outcome: result.Error, Message: "the browser died",
			Diagnosis: result.Diagnosis{Cause: result.CauseMonitor, Summary: "loginprobe's browser died"}}},
		{Flow: "oauth-github", SkipReason: "disabled in the config"},
	}}
}

// TestJUnitParses: the JUnit XML parses with a JUnit library, one testcase
// per flow with the right status, message, body and attachment.
func TestJUnitParses(t *testing.T) {
	var buf bytes.Buffer
	if err := sample().WriteJUnit(&buf); err != nil {
		t.Fatal(err)
	}
	suites, err := junit.Ingest(buf.Bytes())
	if err != nil || len(suites) != 1 {
		t.Fatalf("junit.Ingest: %v, %d suites\n%s", err, len(suites), buf.String())
	}
	s := suites[0]
	if s.Name != "loginprobe" || s.Totals.Tests != 5 || s.Totals.Failed != 1 || s.Totals.Error != 1 || s.Totals.Skipped != 1 || s.Totals.Passed != 2 {
		t.Fatalf("suite %q totals %+v\n%s", s.Name, s.Totals, buf.String())
	}
	byName := map[string]junit.Test{}
	for _, tc := range s.Tests {
		byName[tc.Name] = tc
		if tc.Classname != "loginprobe-local-00.clerk.accounts.dev" {
			t.Errorf("%s classname %q", tc.Name, tc.Classname)
		}
	}
	f := byName["sign-in"]
	if f.Status != junit.StatusFailed || f.Message != "Monitor user's password is wrong | rotated" || f.Duration != 2500*time.Millisecond {
		t.Errorf("sign-in = %+v", f)
	}
	for _, want := range []string{"failed step: enter the password\n", "evidence: POST", "next step: Reset the password.", "message: password: 100% wrong,"} {
		if !strings.Contains(f.Error.Error(), want) && !strings.Contains(buf.String(), want) {
			t.Errorf("failure body lacks %q", want)
		}
	}
	if !strings.Contains(f.SystemOut, "[[ATTACHMENT|out/run-7-1-failure.jpg]]") {
		t.Errorf("sign-in system-out %q lacks the attachment", f.SystemOut)
	}
	if byName["sign-up"].Status != junit.StatusError || byName["oauth-github"].Status != junit.StatusSkipped || byName["oauth-github"].Message != "disabled in the config" {
		t.Errorf("sign-up %+v, oauth-github %+v", byName["sign-up"], byName["oauth-github"])
	}
	if tc := byName["session"]; tc.Status != junit.StatusPassed || !strings.Contains(tc.SystemOut, "flaky: session passed on attempt 2") {
		t.Errorf("flaky session = %+v", tc)
	}
}

// TestAnnotationsEscape: one ::error per fail, one ::warning per error, with
// GitHub's escaping of the message (%, CR, LF) and of properties (also : ,).
func TestAnnotationsEscape(t *testing.T) {
	var buf bytes.Buffer
	if err := sample().WriteAnnotations(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), buf.String())
	}
	if want := "::error title=loginprobe%3A sign-in fail (test_data)::Monitor user's password is wrong | rotated%0Amessage: password: 100%25 wrong,%0D%0Asee: below%0A"; !strings.HasPrefix(lines[0], want) {
		t.Errorf("error line\n%s\nwant prefix\n%s", lines[0], want)
	}
	if !strings.HasPrefix(lines[1], "::warning title=loginprobe%3A sign-up error (monitor)::loginprobe's browser died") {
		t.Errorf("warning line %s", lines[1])
	}
	if want := "::error title=a%2Cb%3Ac%25%0A::"; "::error title="+escapeProperty("a,b:c%\n")+"::" != want {
		t.Errorf("escapeProperty = %q", escapeProperty("a,b:c%\n"))
	}
}

func TestMarkdownSummary(t *testing.T) {
	var buf bytes.Buffer
	if err := sample().WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"2 of 4 flows passed on loginprobe-local-00.clerk.accounts.dev (1 skipped)\n",
		"| Flow | Outcome | Cause | Duration | Summary |",
		"| sign-in | ❌ fail | test_data | 2.5s | Monitor user's password is wrong \\| rotated |",
		"| session | ⚠️ flaky |",
		"| oauth-github | ⏭️ skipped |  |  | disabled in the config |",
		"- sign-in: `run-7-1-failure.jpg`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
}

// TestArtifactsNeverOverwrite: files are 0600, new only.
func TestArtifactsNeverOverwrite(t *testing.T) {
	d := Dir(filepath.Join(t.TempDir(), "a"))
	r := &result.Run{ID: 3, Flow: "sign-in", Outcome: result.Fail}
	paths, err := d.WriteRun(r, []result.Screenshot{{Format: "jpeg", When: "failure", Data: []byte("jpg")}})
	if err != nil || len(paths) != 1 || filepath.Base(paths[0]) != "run-3-1-failure.jpg" {
		t.Fatalf("WriteRun = %v, %v", paths, err)
	}
	for _, p := range []string{paths[0], filepath.Join(string(d), "run-3.json")} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", p, fi, err)
		}
	}
	if _, err := d.WriteRun(r, nil); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second WriteRun: %v, want already exists", err)
	}
}
