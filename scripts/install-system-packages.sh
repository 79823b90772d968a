#!/usr/bin/env bash
# Debian packages the tests need, installed only when missing: PostgreSQL's server binaries
# (the store tests start their own throwaway server), Chromium (the browser tests drive it
# through Playwright; no browser is downloaded), and nginx and Redis (the scale-out test starts
# its own). Uses sudo when not root.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# The scale-out test (`make test-scale`): nginx in front of the web apps, Redis as Rasa's lock store.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Please install: ${missing[*]} (the tests need them)." >&2
  exit 1
fi
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "==> Installing Debian packages the tests need: ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
