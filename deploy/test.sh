#!/usr/bin/env bash
# The whole test suite, one command on a fresh Debian 12 machine: installs what the tests need,
# builds with warnings as errors, runs every test (unit, integration, e2e, fuzz) in a Release
# build and again under AddressSanitizer + UndefinedBehaviorSanitizer. Each run starts its own
# Redis and MariaDB on free loopback ports and stops them (tests/support/fixture.sh).
#   deploy/test.sh                            both builds
#   HUB_TEST_BUILDS=release deploy/test.sh    only one of: release asan
# While the Release suite runs, the sanitizer build compiles at idle CPU priority (SCHED_IDLE):
# it only takes the time the tests leave free, so it never slows them down.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step's start, with the seconds since this script began (CI's time budget is read from these).
step() { echo "=== [$(date -u +%H:%M:%S), ${SECONDS} s] $*"; }
deploy/install-deps.sh test
step "dependencies installed"
deploy/build-web.sh
jobs=$(nproc)
builds=(${HUB_TEST_BUILDS:-release asan})
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS="suppressions=$PWD/tests/support/lsan.supp"

# ccache (installed with the test dependencies) makes a second run on the same machine quick;
# on a fresh machine it costs little. CCACHE_DISABLE=1 turns it off.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
dir_of() { case "$1" in release) echo build-test ;; asan) echo build-asan ;; esac; }
configure() {
  local type bench
  case "$1" in
    release) type=Release bench=ON ;;
    # The benchmark programs are built (and so checked) once, in the Release build.
    asan) type=Asan bench=OFF ;;
    *) echo "unknown build $1" >&2; exit 2 ;;
  esac
  cmake -S . -B "$(dir_of "$1")" -G Ninja -DCMAKE_BUILD_TYPE=$type -DHUB_WERROR=ON -DHUB_BENCH=$bench \
    "${launcher[@]}" >/dev/null
}
run_tests() {
  step "$1 tests"
  (cd "$(dir_of "$1")" && ctest --output-on-failure -j"$jobs" --timeout 900)
}

for kind in "${builds[@]}"; do configure "$kind"; done
status=0
first=${builds[0]}
step "$first build ($(dir_of "$first"))"
cmake --build "$(dir_of "$first")" -- -j"$jobs"
# The next build compiles in the background at idle priority while the first suite runs.
bg_pid=
if [ ${#builds[@]} -gt 1 ]; then
  second=${builds[1]}
  log="$(dir_of "$second")/build.log"
  step "$second build ($(dir_of "$second")) starts at idle priority; its log: $log"
  idle=(chrt --idle 0)
  "${idle[@]}" true 2>/dev/null || idle=(nice -n 19)
  "${idle[@]}" cmake --build "$(dir_of "$second")" -- -j"$jobs" >"$log" 2>&1 &
  bg_pid=$!
fi
run_tests "$first" || status=1
if [ -n "$bg_pid" ]; then
  step "$second build: waiting for it to finish"
  if wait "$bg_pid"; then
    tail -n 1 "$log"
    run_tests "$second" || status=1
  else
    step "$second build FAILED; its errors:"
    grep -B2 -A40 -m5 'FAILED\|error' "$log" | head -n 300 || tail -n 200 "$log"
    status=1
  fi
fi
step "done, exit status $status"
exit $status
