#!/usr/bin/env bash
# Fetches the pinned browser bundles of @clerk/clerk-js and @clerk/ui from the
# npm registry, checks each tarball against the registry's sha512 integrity
# (pinned below), and unpacks only the browser variants into the asset cache
# that internal/fakeclerk serves. Nothing of Clerk's code is committed.
#
# Idempotent: when the cache already holds the pinned versions it exits at once.
#
#   scripts/fetch-clerk-assets.sh            # cache in .cache/clerk-assets
#   LOGINPROBE_CLERK_ASSETS=/dir scripts/fetch-clerk-assets.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dest=${LOGINPROBE_CLERK_ASSETS:-$root/.cache/clerk-assets}

# name version sha512-integrity (from `npm view <pkg>@<ver> dist.integrity`)
pins=(
  "@clerk/clerk-js 6.40.0 sha512-2MnZ/ygvuCmeuqfXQmsxfQaLN/SSJvQbtT2cLXbgr5VKr3KmZFZBVvX977fG3eZ6pprl4J9pO+I2bbe6BvColg=="
  "@clerk/ui 1.36.0 sha512-uI96zYCh5jISLOt1mdpIPy/Y31P0kwFxjUFOxLUwFfTHFmGUcRjbqN6bbb+75tdI2Bz6ARGws3rhspDer+xIfQ=="
)

stamp="$dest/.pins"
want=$(printf '%s\n' "${pins[@]}")
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-clerk-assets: npm is missing: apt-get install -y nodejs npm" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"

for pin in "${pins[@]}"; do
  read -r name version integrity <<<"$pin"
  (cd "$work" && npm pack --silent "$name@$version" >/dev/null)
  tgz="$work/$(echo "${name#@}" | tr / -)-$version.tgz"
  [ -f "$tgz" ] || { echo "fetch-clerk-assets: npm pack $name@$version produced no $tgz" >&2; exit 1; }
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$got" != "$integrity" ]; then
    echo "fetch-clerk-assets: $name@$version integrity mismatch: got $got, want $integrity" >&2
    exit 1
  fi
  short=${name#@clerk/}                      # clerk-js | ui
  out="$dest.tmp/$short"
  mkdir -p "$out" "$work/$short"
  tar -xzf "$tgz" -C "$work/$short"
  case "$short" in
    clerk-js) pattern='clerk.browser.js|.*_clerk\.browser_[0-9a-f]+_'"$version"'\.js' ;;
    ui)       pattern='ui.browser.js|.*_ui_[0-9a-f]+_'"$version"'\.js' ;;
  esac
  n=0
  for f in "$work/$short/package/dist/"*; do
    b=$(basename "$f")
    if [[ "$b" =~ ^($pattern)$ ]]; then cp "$f" "$out/"; n=$((n+1)); fi
  done
  [ "$n" -gt 1 ] || { echo "fetch-clerk-assets: no browser bundle found in $name@$version" >&2; exit 1; }
  echo "$version" > "$out/VERSION"
done

printf '%s\n' "$want" > "$dest.tmp/.pins"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "fetch-clerk-assets: cached in $dest ($(du -sh "$dest" | cut -f1))"
