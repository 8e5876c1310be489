#!/usr/bin/env bash
# The whole test suite, one command on a fresh Debian 12 machine: installs what the tests need,
# builds with warnings as errors, runs every test (unit, integration, e2e, fuzz) in a Release
# build and again under AddressSanitizer + UndefinedBehaviorSanitizer. Each run starts its own
# Redis and MariaDB on free loopback ports and stops them (tests/support/fixture.sh).
#   deploy/test.sh            both builds
#   HUB_TEST_BUILDS=release deploy/test.sh   only one of: release asan
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh test
deploy/build-web.sh
jobs=$(nproc)
status=0
for kind in ${HUB_TEST_BUILDS:-release asan}; do
  case "$kind" in
    release) dir=build-test type=Release bench=ON ;;
    # The benchmark programs are built (and so checked) once, in the Release build.
    asan) dir=build-asan type=Asan bench=OFF ;;
    *) echo "unknown build $kind" >&2; exit 2 ;;
  esac
  echo "=== $kind build ($dir) ==="
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=$type -DHUB_WERROR=ON -DHUB_BENCH=$bench >/dev/null
  cmake --build "$dir" -- -j"$jobs"
  echo "=== $kind tests ==="
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS="suppressions=$PWD/tests/support/lsan.supp"
  (cd "$dir" && ctest --output-on-failure -j"$jobs" --timeout 900) || status=1
done
exit $status
