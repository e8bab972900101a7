#!/usr/bin/env bash
# Long-running checks that are not part of the default suite (scripts/test.sh):
# they load this 2-core machine for many minutes. Each section is a function;
# run one or all:
#
#   scripts/soak.sh             # every section
#   scripts/soak.sh leak        # one section
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
[ ${#sections[@]} -gt 0 ] || sections=(leak serve)
for s in "${sections[@]}"; do
  echo "== soak: $s"
  "soak_$s"
done
