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

sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=(leak)
for s in "${sections[@]}"; do
  echo "== soak: $s"
  "soak_$s"
done
