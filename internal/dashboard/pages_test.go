package dashboard

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// TestPagesAnswer renders every page as HTML and JSON over a synthetic
// database.
func TestPagesAnswer(t *testing.T) {
	st, ids := synthDB(t, testNow)
	h, err := New(st, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/overview.json", "/flows/sign-in", "/flows/sign-in.json", "/flows/sign-in?outcome=fail&cause=test_data",
		fmt.Sprintf("/runs/%d", ids["fail"]), fmt.Sprintf("/runs/%d.json", ids["fail"]), fmt.Sprintf("/runs/%d/compare", ids["fail"]),
		fmt.Sprintf("/runs/%d/screenshots/0", ids["fail"]), "/incidents", "/incidents.json", "/status", "/status.json", "/badge/sign-in.svg"} {
		code, body := get(t, h, p)
		if code != 200 {
			t.Errorf("GET %s = %d: %s", p, code, body)
		}
	}
	if code, _ := get(t, h, "/flows/nope"); code != 404 {
		t.Errorf("unknown flow: %d", code)
	}
	if code, _ := get(t, h, "/badge/nope.svg"); code != 404 {
		t.Errorf("unknown badge: %d", code)
	}
	_, body := get(t, h, "/", "Accept", "application/json")
	if !strings.HasPrefix(strings.TrimSpace(body), "{") {
		t.Errorf("Accept: application/json gave %.80q", body)
	}
}
