#!/usr/bin/env bash
# Quick start, one command on a fresh Debian 12 machine: installs what is missing, builds the hub
# (Release) and runs `hub serve` on its embedded defaults (SQLite, in-process bus) in the
# foreground; it prints the URLs to open, among them the demo channel's (/watch/demo, fed by a
# built-in test publisher; HUB_DEMO=0 turns it off). Ctrl-C stops it. Rerun it at any time.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh build
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DHUB_TESTS=OFF -DHUB_BENCH=OFF >/dev/null
cmake --build build --target hub -- -j"$(nproc)"
deploy/build-web.sh
exec build/app/hub serve "$@"
