#!/usr/bin/env bash
# Builds the two web apps: the viewers' app (player-web/ into player-web/dist, which `hub serve`
# serves at /) and the studio (cms/web/ into cms/web/dist, served at /studio/). Needs Node.js 20
# and npm (preinstalled on the reference host; install-deps.sh says when they are missing).
# `npm ci` runs only when an app's lock file changed since its last install.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v npm >/dev/null; then
  echo "build-web: npm not found; install Node.js 20 to build the web apps" >&2
  exit 1
fi
build() {
  cd "$root/$1"
  local stamp=node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    npm ci --no-audit --no-fund
  fi
  npm run build
}
build player-web
build cms/web
