#!/usr/bin/env bash
# CMS scheduling benchmark (issue 6): 100,000 scheduled posts over 100 accounts on MariaDB,
# 10,000 of them due within one minute, published by the hub's scheduler with the real CMS
# sources (accounts with sealed credentials, content items whose state follows their posts
# through the workflow and the audit) to the fake platform answering in 50 ms; then a month's
# calendar query for all accounts. The peers, measured in
# the same run by hub_cms_schedule_bench: an in-memory sender (same connector, same threads, no
# SQL) for lateness, a plain index range read for the calendar. Usage (from the source tree):
#   [LEAD=60] tests/bench/cms_schedule.sh BUILD_DIR [ITEMS] [DUE] [SENDERS]   (LEAD: seconds from the start of loading to the first due post)
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
items=${2:-100000}
due=${3:-10000}
senders=${4:-32}
here=$(cd "$(dirname "$0")" && pwd)
bench=$build/tests/bench/hub_cms_schedule_bench
[[ -x $bench ]] || { echo "missing $bench: ninja hub_cms_schedule_bench" >&2; exit 1; }
work=$(mktemp -d)
fake_pid=
cleanup() {
  [[ -n $fake_pid ]] && kill "$fake_pid" 2>/dev/null || true
  bash "$here/../support/fixture.sh" stop mariadb "$work" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "host: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
bash "$here/../support/fixture.sh" start mariadb "$work" >/dev/null
url=$(cat "$work/mariadb.url")
sock=$work/mariadb/mysqld.sock
mariadb --no-defaults -uroot --socket="$sock" -e \
  "CREATE DATABASE cms_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
db_url=${url%/*}/cms_bench

python3 "$here/../support/fake_platform/fake_platform.py" --port-file "$work/fake.port" --delay-ms 50 \
  >"$work/fake.log" 2>&1 &
fake_pid=$!
for _ in $(seq 1 100); do [[ -s $work/fake.port ]] && break; sleep 0.1; done
platform=http://127.0.0.1:$(cat "$work/fake.port")

"$bench" --db "$db_url" --platform "$platform" --items "$items" --accounts 100 --due "$due" \
  --senders "$senders" --queries 200 --lead "${LEAD:-60}"
echo "host after: $(uptime | sed 's/.*load average/load average/')"
