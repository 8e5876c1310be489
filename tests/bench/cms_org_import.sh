#!/usr/bin/env bash
# CMS organisation import at the real tree's size (issue 6): 141,000 organisations on SQLite
# and on MariaDB (a throwaway server), each beside its peer (plain multi-row INSERTs of the
# same rows in the same database). Not part of CI. Usage (from the source tree):
#   tests/bench/cms_org_import.sh BUILD_DIR [ROWS]
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
rows=${2:-141000}
here=$(cd "$(dirname "$0")" && pwd)
bench=$build/tests/bench/hub_cms_org_import_bench
[[ -x $bench ]] || { echo "missing $bench: ninja hub_cms_org_import_bench" >&2; exit 1; }
work=$(mktemp -d)
cleanup() {
  bash "$here/../support/fixture.sh" stop mariadb "$work" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "host: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
"$bench" --db "sqlite://$work/orgs.db" --rows "$rows"
bash "$here/../support/fixture.sh" start mariadb "$work" >/dev/null
url=$(cat "$work/mariadb.url")
mariadb --no-defaults -uroot --socket="$work/mariadb/mysqld.sock" -e \
  "CREATE DATABASE orgs_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
"$bench" --db "${url%/*}/orgs_bench" --rows "$rows"
echo "host after: $(uptime | sed 's/.*load average/load average/')"
