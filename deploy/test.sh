#!/usr/bin/env bash
# The whole test suite, one command on a fresh Debian 12 machine: installs what the tests need,
# builds with warnings as errors and runs every test (unit, integration, e2e, fuzz). Each run
# starts its own Redis and MariaDB on free loopback ports and stops them (tests/support/fixture.sh).
#   deploy/test.sh                           the default: asan release-check
#   HUB_TEST_BUILDS="release asan" deploy/test.sh
# Builds, in the order given:
#   asan           AddressSanitizer + UndefinedBehaviorSanitizer (-Og -g1), then the whole suite
#   release        Release, then the whole suite
#   release-check  Release (-O3) of the hub and the benchmark programs only, no tests
# The machine has two cores: while a suite runs, the next build compiles at idle CPU priority
# (SCHED_IDLE), taking only the time the tests leave free, so it never slows them down.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step's start, with the seconds since this script began (CI's time budget is read from these).
step() { echo "=== [$(date -u +%H:%M:%S), ${SECONDS} s] $*"; }
deploy/install-deps.sh test
step "dependencies installed"
deploy/build-web.sh
jobs=$(nproc)
read -r -a builds <<<"${HUB_TEST_BUILDS:-asan release-check}"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS="suppressions=$PWD/tests/support/lsan.supp"

# ccache (installed with the test dependencies) makes a second run on the same machine quick;
# on a fresh machine it costs little. CCACHE_DISABLE=1 turns it off.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
dir_of() { case "$1" in release) echo build-test ;; release-check) echo build-release ;; asan) echo build-asan ;; esac; }
target_of() { case "$1" in release-check) echo hub_release_check ;; *) echo all ;; esac; }
configure() {
  local type bench
  case "$1" in
    # The benchmark programs are built (and so checked) in Release only.
    release | release-check) type=Release bench=ON ;;
    asan) type=Asan bench=OFF ;;
    *) echo "unknown build $1 (asan, release, release-check)" >&2; exit 2 ;;
  esac
  cmake -S . -B "$(dir_of "$1")" -G Ninja -DCMAKE_BUILD_TYPE=$type -DHUB_WERROR=ON -DHUB_BENCH=$bench \
    "${launcher[@]}" >/dev/null
}
build() { cmake --build "$(dir_of "$1")" --target "$(target_of "$1")" -- -j"$jobs"; }
# The lines that say why a test failed (assertions, sanitizer reports), from ctest's log, so the
# reason is in the last lines CI shows even when the full output is cut.
failure_digest() {
  grep -E 'Failure$|^\[  FAILED  \]|Expected|Which is|Value of|  Actual|error: |ERROR: [A-Za-z]+Sanitizer|runtime error|SUMMARY: |Error: |✘' \
    "$1/Testing/Temporary/LastTest.log" | head -n 80 || true
}
# A failing test is run once more on its own. One that then passes is reported as FLAKY (with
# why it failed) at the end, and does not fail the run; one that fails twice does.
failed_tests() { sed -n 's/^[0-9]*:\(.*\)$/\1/p' "$1/Testing/Temporary/LastTestsFailed.log" | sort; }
run_tests() {
  [ "$1" = release-check ] && return 0
  local dir first again
  dir=$(dir_of "$1")
  step "$1 tests"
  (cd "$dir" && ctest --output-on-failure -j"$jobs" --timeout 900) && return 0
  failure_digest "$dir" >"$dir/first-failures.txt"
  first=$(failed_tests "$dir")
  step "$1 tests: running the failed ones again: $(echo $first)"
  if (cd "$dir" && ctest --rerun-failed --output-on-failure -j1 --timeout 900); then
    again=
  else
    again=$(failed_tests "$dir")
  fi
  local flaky
  flaky=$(comm -23 <(echo "$first") <(echo "$again") | tr '\n' ' ')
  [ -n "${flaky// /}" ] && { echo "FLAKY (failed, then passed when run again): $flaky"; cat "$dir/first-failures.txt"; } >>"$report"
  [ -z "$again" ] && return 0
  { echo "FAILED twice: $(echo $again)"; failure_digest "$dir"; } >>"$report"
  return 1
}

for kind in "${builds[@]}"; do configure "$kind"; done
status=0
report=$(mktemp)
trap 'rm -f "$report"' EXIT
idle=(chrt --idle 0)
"${idle[@]}" true 2>/dev/null || idle=(nice -n 19)
step "${builds[0]} build ($(dir_of "${builds[0]}"))"
build "${builds[0]}"
for i in "${!builds[@]}"; do
  kind=${builds[$i]}
  next=${builds[$((i + 1))]:-}
  bg_pid=
  if [ -n "$next" ]; then
    log="$(dir_of "$next")/build.log"
    step "$next build ($(dir_of "$next")) starts at idle priority; its log: $log"
    "${idle[@]}" bash -c "$(declare -f dir_of target_of build); jobs=$jobs; build $next" >"$log" 2>&1 &
    bg_pid=$!
  fi
  run_tests "$kind" || status=1
  if [ -n "$bg_pid" ]; then
    step "$next build: waiting for it to finish"
    if wait "$bg_pid"; then
      tail -n 1 "$log"
    else
      step "$next build FAILED; its errors:"
      grep -B2 -A40 -m5 'FAILED\|error' "$log" | head -n 300 || tail -n 200 "$log"
      status=1
      break
    fi
  fi
done
if [ -s "$report" ]; then
  step "tests that failed, and why"
  cat "$report"
fi
step "done, exit status $status"
exit $status
