# tests/bench/support/bench_env.sh: sourced by the benchmark scripts that start their own
# servers. Gives `work`, a temporary directory removed at exit together with any Redis or
# MariaDB that `bench_fixture start NAME` started in it (a script with more to stop defines
# `bench_stop_more`, called first), `bench_need FILE...` (each must be executable) and
# `bench_host WHEN` (one line with the cores and load average).
bench_support=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)

bench_fixture() { bash "$bench_support/../../support/fixture.sh" "$1" "$2" "$work" >/dev/null; }
bench_need() { for f; do [[ -x $f ]] || { echo "missing $f: build it with ninja" >&2; exit 1; }; done; }
bench_host() { echo "$1: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"; }

bench_cleanup() {
  if declare -F bench_stop_more >/dev/null; then bench_stop_more || true; fi
  for name in redis mariadb; do
    [[ -f $work/$name.pid ]] && bench_fixture stop "$name" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap bench_cleanup EXIT
