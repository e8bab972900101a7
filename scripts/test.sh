#!/usr/bin/env bash
# Runs every loginprobe test: installs what is missing (Chromium, the pinned
# Clerk bundles), then vets and tests all packages. Browser tests share one
# Chromium per package; packages run two at a time (this machine has 2 cores).
#
#   scripts/test.sh                 # everything
#   scripts/test.sh ./internal/...  # some packages
#   TEST_FLAGS="-run Signin -v" scripts/test.sh ./flows/
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/install-deps.sh
export LOGINPROBE_CLERK_ASSETS=${LOGINPROBE_CLERK_ASSETS:-$root/.cache/clerk-assets}

pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(./...)

go vet "${pkgs[@]}"
# shellcheck disable=SC2086
go test -p 2 -timeout 15m ${TEST_FLAGS:-} "${pkgs[@]}"

# serve as the container runs it: an unprivileged user, only its data and
# temporary folders writable (everything, not a package subset).
if [ $# -eq 0 ]; then
  scripts/test-unprivileged.sh
fi
