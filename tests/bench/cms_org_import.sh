#!/usr/bin/env bash
# CMS organisation import at the real tree's size (issue 6): 141,000 organisations on SQLite
# and on MariaDB (a throwaway server), each beside its peer (plain multi-row INSERTs of the
# same rows in the same database). Not part of CI. Usage (from the source tree):
#   tests/bench/cms_org_import.sh BUILD_DIR [ROWS]
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
rows=${2:-141000}
bench=$build/tests/bench/hub_cms_org_import_bench
source "$(dirname "$0")/support/bench_env.sh"
bench_need "$bench"

bench_host host
"$bench" --db "sqlite://$work/orgs.db" --rows "$rows"
bench_fixture start mariadb
url=$(cat "$work/mariadb.url")
mariadb --no-defaults -uroot --socket="$work/mariadb/mysqld.sock" -e \
  "CREATE DATABASE orgs_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
"$bench" --db "${url%/*}/orgs_bench" --rows "$rows"
echo "host after: $(uptime | sed 's/.*load average/load average/')"
