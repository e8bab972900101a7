#!/usr/bin/env bash
# `loginprobe serve` as the container runs it: an unprivileged user (nobody)
# whose only writable folders are its data folder and its temporary folder.
# Starts a local Clerk (as the caller), serves sign-in against it for a short
# while, checks /readyz and a recorded pass, and stops serve with SIGTERM,
# which must exit 0. Needs root (to switch user); skipped otherwise.
# Called by scripts/test.sh; takes about 20-30 s.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ "$(id -u)" != 0 ]; then
  echo "test-unprivileged: skipped (needs root to run serve as nobody)"
  exit 0
fi
export LOGINPROBE_CLERK_ASSETS=${LOGINPROBE_CLERK_ASSETS:-$root/.cache/clerk-assets}

# Short paths: Chromium's singleton socket lives under TMPDIR, and a Unix
# socket path must stay under 108 bytes.
work=$(mktemp -d /tmp/lpu.XXXXXX)
clerk_pid="" serve_pid=""
cleanup() {
  [ -z "$serve_pid" ] || kill "$serve_pid" 2>/dev/null || true
  [ -z "$clerk_pid" ] || kill "$clerk_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "test-unprivileged: FAIL: $*"
  echo "--- serve log"; cat "$work/serve.log" 2>/dev/null || true
  echo "--- first run"; as_nobody "$work/bin/loginprobe" show 1 --db "$work/data/loginprobe.db" 2>&1 | head -20 || true
  exit 1
}

chmod 0755 "$work"
mkdir -p "$work/bin" "$work/data" "$work/t"
go build -o "$work/bin/loginprobe" ./cmd/loginprobe
chmod 0755 "$work/bin" "$work/bin/loginprobe"

# Free ports: the local Clerk writes its own into the config; serve logs
# the address it bound.
"$work/bin/loginprobe" fakeclerk --addr 127.0.0.1:0 --config-out "$work/clerk.yaml" >"$work/clerk.log" 2>&1 &
clerk_pid=$!
for _ in $(seq 100); do [ -s "$work/clerk.yaml" ] && break; sleep 0.1; done
[ -s "$work/clerk.yaml" ] || fail "the local Clerk did not write its config: $(cat "$work/clerk.log")"

# Only sign-in, so the first run starts at once; the database in the data
# folder. The config holds the local Clerk's keys: readable by nobody alone.
grep -v '^database:' "$work/clerk.yaml" >"$work/data/loginprobe.yaml"
{
  echo "database: $work/data/loginprobe.db"
  echo "flows:"
  for f in sign-up oauth-github oauth-google password-reset session user-api clerk-health; do echo "  $f: {enabled: false}"; done
  echo "  sign-in: {interval: 30s}"
  echo "shutdown_grace: 10s"
} >>"$work/data/loginprobe.yaml"
chown -R nobody:nogroup "$work/data" "$work/t"
chmod 0700 "$work/data" "$work/t"
chmod 0600 "$work/data/loginprobe.yaml"

# Nothing else writable: HOME and TMPDIR are the two folders; the
# environment is only what serve needs. The checks read the database as
# nobody too, so no file in the data folder becomes root's.
nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --no-new-privs
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$work/data" TMPDIR="$work/t")
as_nobody() { "${nobody[@]}" "$@"; }
passed() { as_nobody "$work/bin/loginprobe" results --db "$work/data/loginprobe.db" --flow sign-in 2>/dev/null | grep -qw pass; }
"${nobody[@]}" "$work/bin/loginprobe" serve --config "$work/data/loginprobe.yaml" --listen 127.0.0.1:0 \
  >"$work/serve.log" 2>&1 &
serve_pid=$!
listen=""
for _ in $(seq 300); do
  listen=$(sed -n 's/.*msg=serving listen=\([^ ]*\).*/\1/p' "$work/serve.log")
  [ -n "$listen" ] && break
  kill -0 "$serve_pid" 2>/dev/null || fail "serve exited early"
  sleep 0.1
done
[ -n "$listen" ] || fail "serve did not say where it listens"

[ "$(ps -o user= -p "$serve_pid" | tr -d ' ')" = nobody ] || fail "serve does not run as nobody"
ready=""
for _ in $(seq 90); do
  kill -0 "$serve_pid" 2>/dev/null || fail "serve exited early"
  if [ -z "$ready" ] && "$work/bin/loginprobe" healthcheck --url "http://$listen/readyz" >/dev/null 2>&1; then
    ready=yes
  fi
  if [ -n "$ready" ] && passed; then
    break
  fi
  sleep 1
done
[ -n "$ready" ] || fail "/readyz never answered 200"
passed || fail "no sign-in pass recorded"

kill -TERM "$serve_pid"
code=0
wait "$serve_pid" || code=$?
serve_pid=""
[ "$code" = 0 ] || fail "serve exited $code after SIGTERM, want 0"
grep -q 'msg=stopped' "$work/serve.log" || fail "no clean stop in the log"
stray=$(find "$work/data" "$work/t" ! -user nobody | head -1)
[ -z "$stray" ] || fail "$stray is not nobody's"
echo "test-unprivileged: ok (serve as nobody: ready, sign-in passed, SIGTERM exit 0)"
