#!/usr/bin/env bash
# The main job on the embedded default: installs what is missing, starts the
# local stand-in for Clerk (real clerk-js and Clerk UI), runs every flow once
# against it, prints the results and where the database is.
#
#   scripts/demo.sh                      # all flows
#   scripts/demo.sh --flow sign-in       # flags go to `loginprobe run`
#   DEMO_FAULTS=fapi_500 scripts/demo.sh # the same against a Clerk outage
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/install-deps.sh
export LOGINPROBE_CLERK_ASSETS=${LOGINPROBE_CLERK_ASSETS:-$root/.cache/clerk-assets}
out=${DEMO_DIR:-$root/.cache/demo}
mkdir -p "$out"
go build -o "$out/loginprobe" ./cmd/loginprobe

port=${DEMO_PORT:-8787}
rm -f "$out/loginprobe.yaml" # the new instance writes its own: wait for that one
faults=()
[ -n "${DEMO_FAULTS:-}" ] && faults=(--fault "$DEMO_FAULTS")
"$out/loginprobe" fakeclerk --addr "127.0.0.1:$port" --config-out "$out/loginprobe.yaml" "${faults[@]}" >"$out/fakeclerk.log" 2>&1 &
fake=$!
trap 'kill $fake 2>/dev/null; wait $fake 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$out/loginprobe.yaml" ] && break
  kill -0 $fake 2>/dev/null || { cat "$out/fakeclerk.log" >&2; exit 2; }
  sleep 0.1
done
echo "local Clerk at http://127.0.0.1:$port (log: $out/fakeclerk.log)"

set +e
(cd "$out" && ./loginprobe run --config loginprobe.yaml --db "$out/loginprobe.db" "$@")
code=$?
set -e
echo
echo "recent runs:"
"$out/loginprobe" results --db "$out/loginprobe.db" --limit 10
echo
echo "database: $out/loginprobe.db   (details: $out/loginprobe show RUN_ID --db $out/loginprobe.db --screenshots $out/shots)"
exit $code
