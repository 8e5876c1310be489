#!/usr/bin/env bash
# Leaderboard benchmark (issue 7): P participants (default 1,000,000) on one board, on the
# memory engine and on the Redis engine against a Redis started here on a free loopback port;
# the peer, in the same run and on the same server, is the same work as raw hiredis calls.
# Prints load and update rates, "my rank + neighbours" and top-100 latencies, memory per
# participant and the ratios. Usage:
#   tests/bench/challenge_ranking.sh BUILD_DIR [PARTICIPANTS] [QUERIES] [THREADS]
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
participants=${2:-1000000}
queries=${3:-20000}
threads=${4:-4}
here=$(cd "$(dirname "$0")" && pwd)
bench=$build/tests/bench/hub_challenge_ranking_bench
[[ -x $bench ]] || { echo "missing $bench: ninja hub_challenge_ranking_bench" >&2; exit 1; }
work=$(mktemp -d)
cleanup() {
  bash "$here/../support/fixture.sh" stop redis "$work" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "host: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
bash "$here/../support/fixture.sh" start redis "$work" >/dev/null
"$bench" --redis "$(cat "$work/redis.url")" --participants "$participants" --queries "$queries" \
  --updates 200000 --threads "$threads"
echo "host after: $(uptime | sed 's/.*load average/load average/')"
