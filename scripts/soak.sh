#!/usr/bin/env bash
# Long-running checks that are not part of the default suite (scripts/test.sh):
# they load this 2-core machine for many minutes. Each section is a function;
# run one or all:
#
#   scripts/soak.sh             # every section
#   scripts/soak.sh leak        # one section
#   SOAK_RUNS=200 SOAK_C=2 scripts/soak.sh bench
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
export LOGINPROBE_CLERK_ASSETS=${LOGINPROBE_CLERK_ASSETS:-$root/.cache/clerk-assets}

# leak: every flow, LOGINPROBE_LEAK_ROUNDS rounds (default 10) on one browser,
# 4 at a time: no synthetic user, Chromium process or file descriptor is left.
soak_leak() {
  LOGINPROBE_LEAK_ROUNDS=${LOGINPROBE_LEAK_ROUNDS:-10} \
    go test -count=1 -timeout 60m -run '^TestRoundsLeaveNothing$' -v ./flows/ | grep -E '^(=== RUN|--- |ok|FAIL|PASS)|rounds'
}

# Shared by the sections that drive a loginprobe binary against a local Clerk.
work=$(mktemp -d)
fake_pid=
cleanup() {
  if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
lp=$work/loginprobe
build_loginprobe() { [ -x "$lp" ] || go build -o "$lp" ./cmd/loginprobe; }

# start_fakeclerk writes $work/loginprobe.yaml for a local Clerk without
# rate limits, allowing 4 flows at once.
start_fakeclerk() {
  cfg=$work/loginprobe.yaml
  "$lp" fakeclerk --addr 127.0.0.1:0 --no-rate-limits --config-out "$cfg" >"$work/fakeclerk.out" 2>"$work/fakeclerk.err" &
  fake_pid=$!
  for _ in $(seq 100); do [ -s "$cfg" ] && break; sleep 0.1; done
  [ -s "$cfg" ] || { cat "$work/fakeclerk.err" >&2; echo "soak: the local Clerk did not start" >&2; exit 1; }
  printf 'browser:\n  max_concurrent: 4\n' >>"$cfg"
}

# tree_rss_kb PID sums VmRSS over PID and its descendants.
tree_rss_kb() {
  local queue=("$1") total=0 p v
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}; queue=("${queue[@]:1}")
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
    total=$(( total + ${v:-0} ))
    # shellcheck disable=SC2207
    queue+=($(pgrep -P "$p" 2>/dev/null || true))
  done
  echo "$total"
}

# ---- soak: bench -----------------------------------------------------------
# SOAK_RUNS sign-ins (default 1,000), SOAK_C at once (default 2), through one
# `loginprobe bench` process (its browser is recycled every 50 runs, as in
# serve). Every 5 s it samples how many runs started (the newest run id),
# loginprobe's own RSS and open fds, and the RSS of its whole tree. It checks:
#   - every run passed (bench exits 0);
#   - loginprobe's RSS at the end is within 10 % of its RSS after the first
#     SOAK_CHECK_AT runs (default 100), and its fd count did not grow;
#   - no Chromium process and no temp folder is left once bench exits.
soak_bench() {
  build_loginprobe
  local runs=${SOAK_RUNS:-1000} c=${SOAK_C:-2} at=${SOAK_CHECK_AT:-100}
  start_fakeclerk
  local tmp=$work/tmp db=$work/soak.db samples=$work/bench-samples.txt
  mkdir -p "$tmp"
  echo "soak bench: $runs sign-ins, $c at once; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  TMPDIR=$tmp "$lp" bench --config "$cfg" --flow sign-in -n "$runs" -c "$c" --no-pacing --db "$db" >"$work/bench.out" 2>"$work/bench.err" &
  local pid=$! started rss fds
  : >"$samples"
  while kill -0 "$pid" 2>/dev/null; do
    started=$("$lp" results --db "$db" --limit 1 --json 2>/dev/null | awk -F': ' '/"id"/ {gsub(/,/, "", $2); print $2; exit}' || true)
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    echo "${started:-0} ${rss:-0} $fds $(tree_rss_kb "$pid")" >>"$samples"
    sleep 5
  done
  local code=0
  wait "$pid" || code=$?
  cat "$work/bench.out"
  local fail=0
  [ "$code" = 0 ] || { echo "soak bench: FAIL: bench exited $code: $(head -c 2000 "$work/bench.err")" >&2; fail=1; }
  # The first sample past $at runs (+1 for the warm-up), and the last sample.
  local rss0= fds0= rss1= fds1=
  read -r _ rss0 fds0 _ < <(awk -v at=$((at + 1)) '$1 >= at {print; exit}' "$samples") || true
  read -r _ rss1 fds1 _ < <(tail -n 1 "$samples") || true
  if [ -n "$rss0" ] && [ -n "$rss1" ]; then
    echo "soak bench: loginprobe RSS ${rss0} kB after $at runs, ${rss1} kB at the end; fds ${fds0} → ${fds1}"
    [ "$rss1" -le $(( rss0 * 110 / 100 )) ] || { echo "soak bench: FAIL: RSS grew more than 10 %" >&2; fail=1; }
    [ "$fds1" -le "$fds0" ] || { echo "soak bench: FAIL: open fds grew from $fds0 to $fds1" >&2; fail=1; }
  else
    echo "soak bench: FAIL: no sample after $at runs (SOAK_RUNS=$runs too few?)" >&2; fail=1
  fi
  local left; left=$(pgrep -f -- "$tmp" || true)
  [ -z "$left" ] || { echo "soak bench: FAIL: Chromium processes left: $left" >&2; fail=1; }
  [ -z "$(ls -A "$tmp")" ] || { echo "soak bench: FAIL: temp folders left: $(ls -A "$tmp" | head)" >&2; fail=1; }
  [ "$fail" = 0 ] && echo "soak bench: PASS"
  kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; fake_pid=
  return "$fail"
}

# serve: `loginprobe serve` for LOGINPROBE_SOAK_MINUTES (default 30) against
# a local Clerk (rate limits on), every flow every 30 s. Reports the runs
# recorded by outcome, serve's RSS and its Chromium process count near the
# start and at the end, and the incidents opened, which must be 0.
soak_serve() {
  local minutes=${LOGINPROBE_SOAK_MINUTES:-30}
  local work; work=$(mktemp -d /tmp/lps.XXXXXX)
  local clerk_pid serve_pid
  go build -o "$work/loginprobe" ./cmd/loginprobe
  local port listen
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  listen=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$work/loginprobe" fakeclerk --addr "127.0.0.1:$port" --config-out "$work/clerk.yaml" >"$work/clerk.log" 2>&1 &
  clerk_pid=$!
  for _ in $(seq 100); do [ -s "$work/clerk.yaml" ] && break; sleep 0.1; done
  {
    grep -v '^database:' "$work/clerk.yaml"
    echo "database: $work/loginprobe.db"
    echo "flows:"
    for f in sign-in sign-up oauth-github oauth-google password-reset session user-api clerk-health; do
      echo "  $f: {interval: 30s}"
    done
  } >"$work/loginprobe.yaml"
  "$work/loginprobe" serve --config "$work/loginprobe.yaml" --listen "127.0.0.1:$listen" >"$work/serve.log" 2>&1 &
  serve_pid=$!
  # RSS of serve, and the Chromium processes under it.
  measure() {
    local rss chromes
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$serve_pid/status")
    chromes=$(ps -e -o pid=,ppid=,comm= | awk -v root="$serve_pid" '
      { parent[$1] = $2; name[$1] = $3 }
      END { n = 0; for (p in parent) { q = p; while (q in parent && q != root && q > 1) q = parent[q];
              if (q == root && name[p] ~ /chrom/) n++ } print n }')
    echo "rss ${rss} KiB, chromium processes ${chromes}"
  }
  sleep 90 # the first round under way
  echo "serve soak: start (+90s): $(measure)"
  sleep $((minutes * 60 - 90))
  echo "serve soak: end (${minutes}m): $(measure)"
  "$work/loginprobe" healthcheck --url "http://127.0.0.1:$listen/readyz" | sed 's/^/  readyz: /' || echo "  readyz: not ready"
  kill -TERM "$serve_pid"; wait "$serve_pid"; echo "serve exit: $?"
  kill "$clerk_pid"; wait "$clerk_pid" 2>/dev/null || true
  python3 - "$work/loginprobe.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print("runs recorded:", db.execute("SELECT count(*) FROM runs").fetchone()[0])
for outcome, n in db.execute("SELECT outcome, count(*) FROM runs GROUP BY outcome ORDER BY 2 DESC"):
    print(f"  {outcome}: {n}")
for flow, n, avg in db.execute("SELECT flow, count(*), avg(duration_ns)/1e9 FROM runs GROUP BY flow ORDER BY flow"):
    print(f"  {flow}: {n} runs, mean {avg:.1f}s")
opened = db.execute("SELECT count(*) FROM incidents").fetchone()[0]
print("incidents opened:", opened, "(must be 0)")
for row in db.execute("SELECT kind, flow, first_cause, first_summary FROM incidents"):
    print("  ", row)
sys.exit(1 if opened else 0)
PY
  local rc=$?
  echo "serve soak: files in $work (remove when done)"
  return $rc
}

sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=(leak bench serve)
for s in "${sections[@]}"; do
  declare -F "soak_$s" >/dev/null || { echo "soak: no section $s" >&2; exit 2; }
  echo "== soak: $s"
  "soak_$s"
done
