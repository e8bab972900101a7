#!/usr/bin/env bash
# Installs what loginprobe's tests and demo need on a Debian machine, idempotently:
# Debian's chromium (and fonts), PostgreSQL, and the pinned Clerk browser bundles.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-liberation >/dev/null 2>&1 || need+=(fonts-liberation)
command -v npm >/dev/null 2>&1 || need+=(npm)
# PostgreSQL 15 for the shared-store tests (they start their own server on loopback).
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing ${need[*]}: run as root, or: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "install-deps: apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
"$root/scripts/fetch-clerk-assets.sh"
