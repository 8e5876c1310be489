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
bench=$build/tests/bench/hub_challenge_ranking_bench
source "$(dirname "$0")/support/bench_env.sh"
bench_need "$bench"

bench_host host
bench_fixture start redis
"$bench" --redis "$(cat "$work/redis.url")" --participants "$participants" --queries "$queries" \
  --updates 200000 --threads "$threads"
bench_host "host after"
