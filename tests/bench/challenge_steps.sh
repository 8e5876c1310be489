#!/usr/bin/env bash
# Step submissions through the HTTP API (issue 7): a Release `hub serve` on MariaDB with its
# leaderboards on Redis (both started here on free loopback ports), MEMBERS members imported
# from CSV, one challenge, one app credential; hub_challenge_steps_load sends POST
# /api/v1/challenges/{id}/steps with a new Idempotency-Key on every request over keep-alive
# connections, members picked at random. The peer, in the same run with the same generator, is
# nginx answering 200 to every POST (the host's HTTP ceiling). Usage:
#   tests/bench/challenge_steps.sh BUILD_DIR [MEMBERS] [SECONDS] [CONNECTIONS]
# PARTICIPANTS=P first makes members 0 .. P-1 participants (each reports once, through the batch
# route, 500 per request; timed and printed), then the measured run picks its members among them:
# the issue's scale is `tests/bench/challenge_steps.sh build 8000000 15 8` with PARTICIPANTS=1000000.
# BATCH=N sends N reports per request through the batch route (POST .../steps/batch, a key in
# each report) instead of one per request; the generator then counts the reports' answers too.
# An experiment, not a setting: WITHOUT_ANSWERS_DAY_INDEX=1 drops the stored answers' index on
# (challenge_id, day) after the import, to see what it costs each batch (the stats endpoint's
# submissions per day read it, so the hub needs it).
# MariaDB runs as sized for this host, not as the tests' small fixture: a 2 GiB buffer pool and a
# 1 GiB redo log (HUB_MARIADB_BUFFER_POOL, HUB_MARIADB_LOG_FILE_SIZE to change them; results in
# docs/benchmarks.md before 2026-11-30 21:00 UTC ran with the fixture's 64 MiB and 16 MiB).
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
members=${2:-100000}
seconds=${3:-20}
connections=${4:-64}
hub=$build/app/hub
load=$build/tests/bench/hub_challenge_steps_load
source "$(dirname "$0")/support/bench_env.sh"
bench_need "$hub" "$load"
hub_pid=
nginx_pid=
bench_stop_more() {
  [[ -n $hub_pid ]] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

bench_host host
pool=${HUB_MARIADB_BUFFER_POOL:-2G} redo=${HUB_MARIADB_LOG_FILE_SIZE:-1G}
HUB_MARIADB_BUFFER_POOL=$pool HUB_MARIADB_LOG_FILE_SIZE=$redo bench_fixture start mariadb
echo "mariadb: buffer pool $pool, redo log $redo"
bench_fixture start redis
sql=$(cat "$work/mariadb.url")
bus=$(cat "$work/redis.url")
common=(--data-dir "$work/data" --sql-url "$sql")

# A province, 10 cities, 100 grassroots unions; members spread over the unions.
{
  echo "id,parent_id,name,level"
  echo "1,,省总工会,1"
  for c in $(seq 2 11); do echo "$c,1,城市$c,2"; done
  for g in $(seq 100 199); do echo "$g,$((2 + g % 10)),基层工会$g,4"; done
} > "$work/orgs.csv"
awk -v n="$members" 'BEGIN { print "member_no,name,org_id"; for (i = 0; i < n; i++) printf "M%09d,会员%d,%d\n", i, i, 100 + i % 100 }' > "$work/members.csv"
"$hub" org import "$work/orgs.csv" "${common[@]}"
"$hub" member import "$work/members.csv" "${common[@]}"
db=${sql##*/}
db=${db%%\?*}  # the database name, without the URL's options
if [[ ${WITHOUT_ANSWERS_DAY_INDEX:-0} == 1 ]]; then
  mariadb --no-defaults -uroot --socket="$work/mariadb/mysqld.sock" \
    -e "DROP INDEX cms_challenge_requests_day ON $db.cms_challenge_requests"
  echo "experiment: the answers' (challenge_id, day) index dropped"
fi
printf 'bench-password-1\n' | "$hub" user create bench --admin --password-stdin "${common[@]}" >/dev/null

port=$(free_port)
HUB_AUTH_SECRET=bench-secret-0123456789abcdef HUB_DEMO=0 "$hub" serve "${common[@]}" --bus-url "$bus" \
  --cms-challenge-app-per-minute 100000000 --http-listen "127.0.0.1:$port" --rtmp-listen "127.0.0.1:$(free_port)" --log-level warn > "$work/hub.log" 2>&1 &
hub_pid=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
jar="$work/cookies"
csrf=$(curl -sf -c "$jar" -H 'content-type: application/json' \
  -d '{"username":"bench","password":"bench-password-1"}' "$base/api/v1/auth/login" | jq -r .csrf_token)
today=$(TZ=Asia/Shanghai date +%F)
start=$(TZ=Asia/Shanghai date -d '-5 days' +%F)
end=$(TZ=Asia/Shanghai date -d '+20 days' +%F)
challenge=$(curl -sf -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
  -d "{\"org_id\":1,\"name\":\"bench\",\"start_date\":\"$start\",\"end_date\":\"$end\",\"plausible_max\":100000}" \
  "$base/api/v1/challenges" | jq -r .id)
bearer=$(curl -sf -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
  -d '{"name":"bench app","org_id":0}' "$base/api/v1/challenge-apps" | jq -r .bearer)

# The peer: nginx answering every POST with a small JSON 200.
nport=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<EOF
worker_processes 1;
error_log $work/nginx/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$nport;
    location / { default_type application/json; return 200 '{"status":"counted"}'; }
  }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
sleep 0.5

# CPU seconds (user + system) a process has used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
batch=${BATCH:-0}
fill=${PARTICIPANTS:-0}
pick=$members
[[ $fill -gt 0 ]] && pick=$fill
route=/api/v1/challenges/$challenge/steps
[[ $batch -gt 0 ]] && route=$route/batch
run() {
  "$load" --port "$1" --path "$route" --header "Authorization: Bearer $bearer" \
    --header "Content-Type: application/json" --members "$pick" --date "$today" \
    --connections "$connections" --threads 2 --seconds "$seconds" --batch "$batch"
}
if [[ $fill -gt 0 ]]; then
  echo "== fill: members 0 .. $((fill - 1)) report once each (500 per request, 8 connections)"
  "$load" --port "$port" --path "/api/v1/challenges/$challenge/steps/batch" --header "Authorization: Bearer $bearer" \
    --header "Content-Type: application/json" --date "$today" --connections 8 --threads 2 --batch 500 \
    --fill "$fill"
  echo "participants after the fill: $(curl -sf -b "$jar" "$base/api/v1/challenges/$challenge/stats" | jq -r .participants)"
fi
# The group commit's counters: batches, the submissions they took, and the batches applied again
# because a key was stored before (none expected: every request sends a new key).
batch_counts() {
  curl -sf "$base/metrics" | awk '/^hub_challenge_step_batches_total/ { b = $2 }
    /^hub_challenge_step_batch_reports_total/ { r = $2 }
    /^hub_challenge_step_batch_key_conflicts_total/ { k = $2 } END { printf "%d %d %d", b, r, k }'
}
# The host's idle (and I/O wait) jiffies and all jiffies so far, over both cores.
host_idle() { awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
# The batches' wall time per stage so far (hub_challenge_step_batch_stage_seconds): "stage sum count".
stage_sums() {
  curl -sf "$base/metrics" | sed -n 's/^hub_challenge_step_batch_stage_seconds_\(sum\|count\){stage="\([a-z]*\)"} \(.*\)/\2 \1 \3/p' |
    sort
}
per_request="one report per request"
[[ $batch -gt 0 ]] && per_request="$batch reports per request"
echo "== hub: $members members (reports for $pick of them), challenge $challenge, $connections connections, $seconds s, $per_request"
pids=("$hub_pid" "$(cat "$work/mariadb.pid")" "$(cat "$work/redis.pid")")
before=(); for p in "${pids[@]}"; do before+=("$(cpu "$p")"); done
read -r b0 r0 k0 <<< "$(batch_counts)"
# MariaDB's own counters (statements prepared and run, commits, rows written, updated, looked up,
# and the pages its buffer pool had to read from a file: the pool was too small for them).
db_status() {
  mariadb --no-defaults -uroot --socket="$work/mariadb/mysqld.sock" -N -e "SHOW GLOBAL STATUS WHERE
    Variable_name IN ('Com_stmt_prepare', 'Com_stmt_execute', 'Com_stmt_close', 'Questions', 'Com_commit',
    'Handler_write', 'Handler_update', 'Handler_read_key', 'Innodb_buffer_pool_reads',
    'Innodb_buffer_pool_read_requests')" | sort
}
db_status > "$work/db.before"
stage_sums > "$work/stages.before"
read -r idle0 total0 < <(host_idle)
run "$port" | tee "$work/hub.out"
read -r idle1 total1 < <(host_idle)
stage_sums > "$work/stages.after"
echo "host CPU idle during the run: $(python3 -c "print(round(100 * ($idle1 - $idle0) / ($total1 - $total0)))") %"
i=0; for name in hub mariadbd redis; do
  echo "cpu $name: $(python3 -c "print(round($(cpu "${pids[$i]}") - ${before[$i]}, 2))") s"; i=$((i + 1))
done
read -r b1 r1 k1 <<< "$(batch_counts)"
db_status > "$work/db.after"
join "$work/db.before" "$work/db.after" | awk '{ printf "mariadb %s: %d\n", $1, $3 - $2 }'
echo "mariadb: tables and indexes $(mariadb --no-defaults -uroot --socket="$work/mariadb/mysqld.sock" -N -e \
  "SELECT ROUND(SUM(data_length + index_length) / 1048576) FROM information_schema.tables
   WHERE table_schema = '$db'") MiB, buffer pool $pool"
[[ $b1 -gt $b0 ]] && echo "batches: $((b1 - b0)), submissions per batch: $(python3 -c "print(round(($r1 - $r0) / ($b1 - $b0), 1))"), applied again after a key conflict: $((k1 - k0))"
# Each stage's wall time per batch (ms), in the batcher's order; settle runs about once a second.
if [[ $b1 -gt $b0 ]]; then
  join <(sed -n 's/ sum / /p' "$work/stages.before") <(sed -n 's/ sum / /p' "$work/stages.after") |
    awk -v n="$((b1 - b0))" 'BEGIN { split("gather read begin lock apply days participants answers commit feed answer settle", order) }
      { ms[$1] = ($3 - $2) * 1000 / n; all += ms[$1] }
      END { printf "batch wall time per stage (ms per batch, of %.2f):", all
            for (i = 1; i <= 12; i++) printf " %s %.3f", order[i], ms[order[i]]; print "" }'
fi
echo "== peer: nginx returning 200"
run "$nport" | tee "$work/nginx.out"
participants=$(curl -sf -b "$jar" "$base/api/v1/challenges/$challenge/stats" | jq -r .participants)
echo "participants after the run: $participants"
hub_rps=$(grep -o 'rps=[0-9.]*' "$work/hub.out" | cut -d= -f2)
peer_rps=$(grep -o 'rps=[0-9.]*' "$work/nginx.out" | cut -d= -f2)
[[ -n $hub_rps && -n $peer_rps ]] && echo "hub / nginx requests/s: $(python3 -c "print(round($hub_rps / $peer_rps, 3))")"
bench_host "host after"
