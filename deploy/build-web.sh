#!/usr/bin/env bash
# Builds the viewers' web app (player-web/) into player-web/dist, which `hub serve` serves at /.
# Needs Node.js 20 and npm (preinstalled on the reference host; install-deps.sh says when they
# are missing). `npm ci` runs only when the lock file changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/../player-web"
if ! command -v npm >/dev/null; then
  echo "build-web: npm not found; install Node.js 20 to build the web app" >&2
  exit 1
fi
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  npm ci --no-audit --no-fund
fi
npm run build
