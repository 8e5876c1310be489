#!/usr/bin/env bash
# The studio's performance points (issue 8) with the goals asserted: first load at most 1 MiB of
# JavaScript gzipped, the calendar's month view with 5,000 posts within 1 s, and the live control
# room's charts over a simulated hour of polls without the page's objects growing. Runs the e2e
# spec tests/e2e/specs/studio_perf.mjs (a real `hub serve` on SQLite, headless Chromium) with
# HUB_E2E_STRICT=1 and prints its `studio-perf key=value` lines. No peer: the goals are absolute
# (say the host's load with the numbers). Needs the web apps built (deploy/build-web.sh). Usage:
#   tests/bench/studio_perf.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
repo=$(cd "$(dirname "$0")/../.." && pwd)
source "$(dirname "$0")/support/bench_env.sh"
bench_need "$build/app/hub"
bench_host before
HUB_DEMO=0 HUB_E2E_STRICT=1 node "$repo/tests/e2e/run.mjs" --spec studio_perf --hub "$build/app/hub" \
  --out "$work/e2e" --chromium "${HUB_CHROMIUM:-/usr/bin/chromium}" | grep -E '^studio-perf |^e2e '
bench_host after
