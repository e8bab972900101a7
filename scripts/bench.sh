#!/usr/bin/env bash
# The side-by-side benchmark of issue 11 (not in CI): loginprobe against a
# Playwright script doing the same sign-in, on the same local Clerk (rate
# limits off), the same Chromium binary and flags, in the same run,
# interleaved in rounds (these machines' speed swings by 2x within an hour,
# so only ratios from one run mean anything):
#
#   warm   loginprobe bench --flow sign-in -n N     vs  Playwright, one browser, N runs
#   cold   loginprobe run --flow sign-in (a process) vs  node signin.mjs cold (a process)
#   C=1,2,4  throughput (runs per minute) and peak PSS of each tool's process tree
#
# It prints each figure with the ratio loginprobe / Playwright, and writes
# them as JSON (BENCH_OUT, default out/bench.json).
#
#   scripts/bench.sh                 # ROUNDS=2 N=20
#   ROUNDS=3 N=10 scripts/bench.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-2}
N=${N:-20}
CS=${CS:-"1 2 4"}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
out=${BENCH_OUT:-$root/out/bench.json}
export LOGINPROBE_CLERK_ASSETS=${LOGINPROBE_CLERK_ASSETS:-$root/.cache/clerk-assets}

# playwright-core, pinned: version and sha512 integrity (npm view playwright-core@V dist.integrity).
pw_version=1.65.1
pw_integrity="sha512-hqPpz7blSMPxWVdoeE1yiBSzXsKiVOd2k+kjCvmUywD2GPO2Dd9HfcWnq9NN0GHbNZDFgZ9JfBFr+X5/BLo0qw=="
pw_dir=${PLAYWRIGHT_CORE:-$root/.cache/playwright-core}

# fetch_playwright unpacks the pinned playwright-core into $pw_dir, once. It
# has no dependencies and downloads no browser: the script runs $CHROMIUM.
fetch_playwright() {
  if [ "$(cat "$pw_dir/.pin" 2>/dev/null)" = "$pw_version $pw_integrity" ]; then return; fi
  command -v npm >/dev/null || { echo "bench: npm is missing: apt-get install -y nodejs npm" >&2; exit 1; }
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "playwright-core@$pw_version" >/dev/null)
  local got; got="sha512-$(openssl dgst -sha512 -binary "$tmp/playwright-core-$pw_version.tgz" | base64 -w0)"
  if [ "$got" != "$pw_integrity" ]; then echo "bench: playwright-core integrity mismatch: $got" >&2; exit 1; fi
  rm -rf "$pw_dir" && mkdir -p "$pw_dir"
  tar -xzf "$tmp/playwright-core-$pw_version.tgz" -C "$pw_dir" --strip-components=1
  echo "$pw_version $pw_integrity" > "$pw_dir/.pin"
  rm -rf "$tmp"
  echo "bench: playwright-core $pw_version in $pw_dir" >&2
}

"$root/scripts/fetch-clerk-assets.sh"
fetch_playwright

work=$(mktemp -d)
fake_pid=
cleanup() {
  if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

lp=$work/loginprobe
(cd "$root" && go build -o "$lp" ./cmd/loginprobe)

# The local Clerk, rate limits off, with a config that allows 4 flows at once.
cfg=$work/loginprobe.yaml
"$lp" fakeclerk --addr 127.0.0.1:0 --no-rate-limits --config-out "$cfg" >"$work/fakeclerk.out" 2>"$work/fakeclerk.err" &
fake_pid=$!
for _ in $(seq 100); do [ -s "$cfg" ] && break; sleep 0.1; done
[ -s "$cfg" ] || { cat "$work/fakeclerk.err" >&2; echo "bench: the local Clerk did not start" >&2; exit 1; }
printf 'browser:\n  max_concurrent: 4\n' >>"$cfg"

# yaml_get SECTION KEY reads "section:\n  key: value" from the config.
yaml_get() { awk -v s="$1:" -v k="$2:" '$0 ~ "^"s {f=1; next} /^[^ ]/ {f=0} f && $1 == k {sub("^[^:]*: *", ""); gsub(/^"|"$/, ""); print; exit}' "$cfg"; }
export PLAYWRIGHT_CORE=$pw_dir CHROMIUM
SIGNIN_URL=$(yaml_get pages sign_in_url); IDENTIFIER=$(yaml_get monitor identifier)
PASSWORD=$(yaml_get monitor password); CODE=$(yaml_get monitor verification_code)
export SIGNIN_URL IDENTIFIER PASSWORD CODE
pw="node $root/scripts/bench/signin.mjs"
results=$work/results.jsonl

# record TOOL KIND ROUND C JSON appends one measurement.
record() {
  node -e 'const [tool, kind, round, c] = process.argv.slice(1);
    const o = JSON.parse(require("fs").readFileSync(0, "utf8"));
    console.log(JSON.stringify({...o, tool, kind, round: Number(round), c: Number(c)}));' "$1" "$2" "$3" "$4" <<<"$5" >>"$results"
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

lp_warm() { record loginprobe "$1" "$2" "$3" "$("$lp" bench --config "$cfg" --flow sign-in -n "$N" -c "$3" --no-pacing --json)"; }
pw_warm() { record playwright "$1" "$2" "$3" "$($pw warm "$N" "$3")"; }
lp_cold() {
  local t0; t0=$(now_ms)
  "$lp" run --config "$cfg" --flow sign-in --db "$work/cold-$1.db" >/dev/null
  record loginprobe cold "$1" 1 "{\"process_ms\": $(( $(now_ms) - t0 ))}"
}
pw_cold() {
  local t0; t0=$(now_ms)
  $pw cold >/dev/null
  record playwright cold "$1" 1 "{\"process_ms\": $(( $(now_ms) - t0 ))}"
}

echo "bench: $ROUNDS rounds, N=$N, C in {$CS}; load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores" >&2
for round in $(seq "$ROUNDS"); do
  # Alternate who goes first, so a load swing does not favour one tool.
  if [ $((round % 2)) = 1 ]; then order="lp pw"; else order="pw lp"; fi
  for tool in $order; do echo "bench: round $round: $tool cold" >&2; "${tool}_cold" "$round"; done
  for c in $CS; do
    for tool in $order; do echo "bench: round $round: $tool warm, C=$c" >&2; "${tool}_warm" warm "$round" "$c"; done
  done
done

mkdir -p "$(dirname "$out")"
node "$root/scripts/bench/report.mjs" "$results" "$out"
