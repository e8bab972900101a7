package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// testDashboardReads: the dashboard's reads (store.Dashboard) over a day of
// runs: daily rollups with a flaky pass superseding its failed attempt and
// an error that is no verdict, rollups kept after the runs are pruned, light
// run rows, the newest verdict, pages filtered by outcome and cause, causes,
// and the last pass before a failure with its steps.
func testDashboardReads(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := &Clock{now: T0.Add(time.Hour)}
	d, ok := process(t, open, "host-a", clock).(store.Dashboard)
	if !ok {
		t.Fatal("the store does not implement store.Dashboard")
	}
	db := d.(store.DB)
	p1 := run("sign-in", result.Pass, T0)
	p1.Steps = []result.Step{step(0, T0), step(1, T0)}
	save(t, db, p1)
	f1 := run("sign-in", result.Fail, T0.Add(time.Minute))
	save(t, db, f1)
	flaky := run("sign-in", result.Pass, T0.Add(time.Minute+10*time.Second))
	flaky.Attempt = 2
	save(t, db, flaky)
	f2 := run("sign-in", result.Fail, T0.Add(2*time.Minute))
	f2.Diagnosis.Cause = result.CauseTestData
	save(t, db, f2)
	save(t, db, run("sign-up", result.Error, T0.Add(3*time.Minute)))
	running := run("sign-up", result.Running, T0.Add(4*time.Minute))
	must(t, db.StartRun(ctx, running))
	save(t, db, run("sign-up", result.Pass, T0.Add(-30*time.Hour))) // the day before

	flows, err := d.Flows(ctx)
	must(t, err)
	if !reflect.DeepEqual(flows, []string{"sign-in", "sign-up"}) {
		t.Errorf("Flows = %v", flows)
	}
	day := T0.Truncate(24 * time.Hour)
	want := []store.DayStat{
		{Flow: "sign-up", Day: day.AddDate(0, 0, -1), Pass: 1},
		{Flow: "sign-in", Day: day, Pass: 2, Flaky: 1, Fail: 2, Retried: 1},
		{Flow: "sign-up", Day: day, Error: 1},
	}
	checkDays(t, d, day.AddDate(0, 0, -1), want)
	if got := want[1].Down(); got != 1 {
		t.Errorf("Down = %d, want 1 (one fail superseded by the flaky pass)", got)
	}

	pts, err := d.RunPoints(ctx, "sign-in", T0.Add(30*time.Second))
	must(t, err)
	if len(pts) != 3 || pts[0].ID != f1.ID || pts[1].Attempt != 2 || pts[2].Outcome != result.Fail {
		t.Errorf("RunPoints = %+v", pts)
	}
	last, err := d.LastVerdict(ctx, "sign-up")
	must(t, err)
	if last == nil || last.Outcome != result.Error {
		t.Errorf("LastVerdict(sign-up) = %+v, want the error (not the running run)", last)
	}
	if last, err := d.LastVerdict(ctx, "nope"); err != nil || last != nil {
		t.Errorf("LastVerdict(nope) = %v, %v", last, err)
	}

	page, err := d.RunPage(ctx, store.RunFilter{Flow: "sign-in", Outcome: result.Fail, Limit: 1, Offset: 1})
	must(t, err)
	if len(page) != 1 || page[0].ID != f1.ID {
		t.Errorf("RunPage(fail, offset 1) = %v, want run %d", ids(page), f1.ID)
	}
	page, err = d.RunPage(ctx, store.RunFilter{Flow: "sign-in", Cause: result.CauseTestData})
	must(t, err)
	if len(page) != 1 || page[0].ID != f2.ID {
		t.Errorf("RunPage(cause test_data) = %v, want run %d", ids(page), f2.ID)
	}
	causes, err := d.Causes(ctx, "sign-in")
	must(t, err)
	if !reflect.DeepEqual(causes, []result.Cause{result.CauseClerkOutage, result.CauseTestData}) {
		t.Errorf("Causes = %v", causes)
	}
	lp, err := d.LastPass(ctx, "sign-in", f1.StartedAt)
	must(t, err)
	if lp == nil || lp.ID != p1.ID || len(lp.Steps) != 2 {
		t.Errorf("LastPass before the first fail = %+v, want run %d with 2 steps", lp, p1.ID)
	}
	if lp, err := d.LastPass(ctx, "sign-in", T0); err != nil || lp != nil {
		t.Errorf("LastPass before any pass = %v, %v", lp, err)
	}

	clock.Set(T0.Add(60 * 24 * time.Hour))
	_, err = db.Prune(ctx, store.Policy{Runs: 30 * 24 * time.Hour})
	must(t, err)
	checkDays(t, d, day.AddDate(0, 0, -1), want)
}

func checkDays(t *testing.T, d store.Dashboard, since time.Time, want []store.DayStat) {
	t.Helper()
	got, err := d.DayStats(context.Background(), since)
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DayStats =\n%+v\nwant\n%+v", got, want)
	}
}

func ids(runs []result.Run) []int64 {
	var out []int64
	for _, r := range runs {
		out = append(out, r.ID)
	}
	return out
}
