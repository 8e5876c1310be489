#!/usr/bin/env bash
# Members' import benchmark (issue 7): an N-row members CSV (default 8,000,000) over 141,000
# organisations, imported by the hub's MemberImport into MariaDB (first import, the same file
# again, a file with 1% of the members renamed), against the peer in the same run and on the
# same server: MariaDB's own LOAD DATA LOCAL INFILE of the same file into a table of the same
# shape and keys. (LOAD DATA ... REPLACE of the 1% file, what a naive re-import does, ran at
# 17,000 rows/s at 200,000 rows and 5,000 rows/s at 8 million: too slow to run each time.)
# The server runs with a 2 GiB buffer pool (HUB_MARIADB_BUFFER_POOL to change it). Usage:
#   tests/bench/challenge_import.sh BUILD_DIR [ROWS]
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
rows=${2:-8000000}
bench=$build/tests/bench/hub_challenge_import_bench
source "$(dirname "$0")/support/bench_env.sh"
bench_need "$bench"

bench_host host
HUB_MARIADB_BUFFER_POOL=${HUB_MARIADB_BUFFER_POOL:-2G} bench_fixture start mariadb
url=$(cat "$work/mariadb.url")
sock=$work/mariadb/mysqld.sock
sqlc() { mariadb --no-defaults -uroot --socket="$sock" --local-infile=1 "$@"; }
sqlc -e "CREATE DATABASE member_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
         CREATE DATABASE member_peer CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"

t0=$(date +%s.%N)
"$bench" gen --rows "$rows" --out "$work"
echo "generated $rows rows ($(du -h "$work/members.csv" | cut -f1)) in $(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }') s"

# The peer: the same columns, the same unique key and index as cms_members.
sqlc member_peer -e "CREATE TABLE members (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL, name VARCHAR(64) NOT NULL,
  org_id BIGINT NOT NULL, phone VARCHAR(20) NULL, updated_at BIGINT NOT NULL,
  UNIQUE KEY members_no (member_no), KEY members_org (org_id)) DEFAULT CHARSET=utf8mb4"
load() {  # $1: file; prints seconds
  local s; s=$(date +%s.%N)
  sqlc member_peer -e "LOAD DATA LOCAL INFILE '$1' INTO TABLE members CHARACTER SET utf8mb4
    FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\n' IGNORE 1 LINES
    (member_no, name, org_id, @phone) SET phone = NULLIF(@phone, ''), updated_at = UNIX_TIMESTAMP()"
  awk -v a="$(date +%s.%N)" -v b="$s" 'BEGIN { printf "%.3f", a - b }'
}
peer_first=$(load "$work/members.csv")
echo "peer LOAD DATA: $peer_first s"
peer_rows=$(sqlc -N member_peer -e "SELECT COUNT(*) FROM members")
sqlc -e "DROP DATABASE member_peer"

out=$("$bench" import --db "${url%/*}/member_bench" --csv "$work/members.csv" --changed "$work/members_1pct.csv")
echo "$out"
ours() { awk -v k="$1" '$1 == "result" && $2 == k { print $3 }' <<<"$out"; }
first=$(ours first); same=$(ours same); changed=$(ours changed)
rate() { awk -v n="$rows" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "rows: $rows (peer table holds $peer_rows)"
printf '%-44s %10s %12s\n' "run" "seconds" "rows/s"
printf '%-44s %10.1f %12s\n' "hub import, empty table" "$first" "$(rate "$first")"
printf '%-44s %10.1f %12s\n' "hub import, same file (no writes)" "$same" "$(rate "$same")"
printf '%-44s %10.1f %12s\n' "hub import, 1% renamed" "$changed" "$(rate "$changed")"
printf '%-44s %10.1f %12s\n' "peer LOAD DATA, empty table" "$peer_first" "$(rate "$peer_first")"
echo "ratio hub/peer, first import: $(ratio "$first" "$peer_first")"
echo "ratio hub 1% re-import / peer first load: $(ratio "$changed" "$peer_first")"
bench_host "host after"
