#!/usr/bin/env bash
# Chat fan-out benchmark: the hub's chat (Redis engine) against Socket.IO 4 + @socket.io/redis-adapter
# on Node 20, in the same run, on loopback, driven by the same native load generator
# (hub_chat_load). One room; every client receives every message. Prints one table row per
# point and server, with deliveries per server CPU-second and the hub/Socket.IO ratio; then RSS
# per connected client with what the idle clients cost (CPU, context switches), and the likes
# scenario. Usage (from a build dir with benchmarks built):
#   tests/bench/chat_fanout.sh BUILD_DIR [quick|full] [SECONDS]
#   quick: 1,000 clients x 20 and 200 msg/s, 2,000 clients for memory and likes (a few minutes)
#   full:  1,000/5,000/10,000 clients x 20/100/200 msg/s, 10,000 clients for memory and likes
#   likes: just the likes point (10,000 clients, 100,000 likes/s)
#   idle:  just memory and the idle cost (10,000 clients; IDLE_CLIENTS=N in any mode)
# CLIENTS="..." and RATES="..." replace the mode's fan-out points.
# COALESCE_MS sets the hub's [chat] coalesce_ms: auto (default: held only in busy big rooms, at
# most COALESCE_MAX_MS, default 60), 0 (every event written at once) or N ms for every event.
# THREADS=N runs the load generator on N threads (default 1; 2 for the 10,000-client points, where
# one thread cannot send 100,000 likes/s and read every event in time).
# Likes go as the player sends them: it gathers taps for 300 ms into one {"op":"like","count":N},
# so 10 likes/s per client are about 3 per frame (LIKE_BATCH, default 3).
# Both servers get two processes' worth of cores: the hub its HTTP threads (one per core),
# Socket.IO one Node process per core on one Redis (how it is scaled). Server CPU is read from
# /proc/PID/stat; Redis CPU is reported apart. A second line per point and server cuts the
# latency at the message's server "ts" and at the kernel's arrival stamp on the receiving socket
# (sender -> server, server -> receiving socket, socket -> read by the generator), with the
# generator's own CPU-seconds and how it received (io_uring, or epoll where io_uring is missing):
# whether a latency is the server's or the generator's. A third line splits the hub's own leg
# (its /metrics: wake-up, hold, timer late, write pass; see docs/chat-protocol.md).
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
mode=${2:-quick}
secs=${3:-10}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

hub=$build/app/hub
load=$build/tests/bench/hub_chat_load
for f in "$hub" "$load"; do [[ -x $f ]] || { echo "missing $f: build the hub and hub_chat_load" >&2; exit 1; }; done
command -v redis-server >/dev/null || { echo "redis-server missing: deploy/install-deps.sh" >&2; exit 1; }
command -v node >/dev/null || { echo "node (20) missing" >&2; exit 1; }
if [[ ! -d $here/chat/socketio/node_modules ]]; then
  (cd "$here/chat/socketio" && npm ci --no-audit --no-fund >/dev/null)
fi

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
cores=$(nproc)

case $mode in
  quick) clients_list="1000"; rates="20 200"; mem_clients=2000; like_clients=2000 ;;
  full) clients_list="1000 5000 10000"; rates="20 100 200"; mem_clients=10000; like_clients=10000 ;;
  likes) clients_list=""; rates=""; mem_clients=0; like_clients=10000 ;;
  idle) clients_list=""; rates=""; mem_clients=10000; like_clients=0 ;;
  *) echo "mode must be quick, full, likes or idle" >&2; exit 2 ;;
esac
mem_clients=${IDLE_CLIENTS:-$mem_clients}
clients_list=${CLIENTS:-$clients_list} rates=${RATES:-$rates}  # e.g. CLIENTS=10000 RATES=20
senders=20
likes_rate=$((like_clients * 10))  # 100,000 likes/s from 10,000 clients in full mode
like_batch=${LIKE_BATCH:-3}
coalesce=${COALESCE_MS:-auto}
coalesce_max=${COALESCE_MAX_MS:-60}
gen_threads=${THREADS:-1}

# --- one Redis per server under test, so each side's Redis CPU is its own ---
start_redis() {  # start_redis NAME -> sets REDIS_PORT, REDIS_PID
  REDIS_PORT=$(free_port)
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --dir "$work" \
    >"$work/redis-$1.log" 2>&1 &
  REDIS_PID=$!
  pids+=("$REDIS_PID")
  wait_port "$REDIS_PORT" || { echo "redis did not start" >&2; exit 1; }
}

# --- the hub: one `hub serve --role chat` on the Redis engine ---
start_redis hub
hub_redis_port=$REDIS_PORT hub_redis_pid=$REDIS_PID
export HUB_AUTH_SECRET=bench-secret-$RANDOM$RANDOM
admin=bench-admin-$RANDOM
mkdir -p "$work/hub"
# start_hub: a new hub process (sets hport, hub_pid); the bench room is made once, in Redis.
start_hub() {
  hport=$(free_port)
  HUB_DEMO=0 "$hub" serve --role chat --data-dir "$work/hub" --http-listen "127.0.0.1:$hport" \
    --bus-url "redis://127.0.0.1:$hub_redis_port" --admin-token "$admin" \
    --chat-max-connections-per-ip 100000 --chat-rate-burst 10000 --chat-rate-per-minute 600000 \
    --chat-likes-per-second 1000 --chat-join-history 0 --chat-coalesce-ms "$coalesce" \
    --chat-coalesce-max-ms "$coalesce_max" >>"$work/hub.log" 2>&1 &
  hub_pid=$!
  pids+=("$hub_pid")
  wait_port "$hport" || { echo "hub did not start" >&2; cat "$work/hub.log" >&2; exit 1; }
  sleep 1
}
start_hub
curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"name":"bench","title":"bench"}' "http://127.0.0.1:$hport/api/v1/rooms" ||
  { echo "could not create the bench room" >&2; tail -20 "$work/hub.log" >&2; exit 1; }
for i in $(seq 1 $senders); do "$hub" token user "bench$i" --data-dir "$work/hub"; done >"$work/tokens"

# --- Socket.IO: one Node process per core on one Redis ---
start_redis sio
sio_redis_port=$REDIS_PORT sio_redis_pid=$REDIS_PID
# start_sio: new Socket.IO processes (sets sio_targets, sio_pids).
start_sio() {
  sio_targets=() sio_pids=()
  for _ in $(seq 1 "$cores"); do
    p=$(free_port)
    node "$here/chat/socketio/server.js" --port "$p" --redis "redis://127.0.0.1:$sio_redis_port" \
      >>"$work/sio.log" 2>&1 &
    pids+=($!) sio_pids+=($!) sio_targets+=(--target "127.0.0.1:$p")
    wait_port "$p" || { echo "socket.io did not start" >&2; cat "$work/sio.log" >&2; exit 1; }
  done
}
start_sio
restart_sio() {
  kill "${sio_pids[@]}" 2>/dev/null || true
  wait "${sio_pids[@]}" 2>/dev/null || true
  start_sio
}

run_hub() {  # run_hub ARGS... -> RESULT json
  "$load" --flavor hub --target "127.0.0.1:$hport" --tokens "$work/tokens" --room bench \
    --server-pid "$hub_pid" --redis-pid "$hub_redis_pid" --threads "$gen_threads" "$@" 2>>"$work/load.log" | sed -n 's/^RESULT //p'
}
run_sio() {
  local pidargs=()
  for p in "${sio_pids[@]}"; do pidargs+=(--server-pid "$p"); done
  "$load" --flavor socketio "${sio_targets[@]}" --room bench "${pidargs[@]}" --redis-pid "$sio_redis_pid" \
    --threads "$gen_threads" "$@" 2>>"$work/load.log" | sed -n 's/^RESULT //p'
}
hub_metrics() { curl -fsS -H "Authorization: Bearer $admin" "http://127.0.0.1:$hport/metrics" || true; }
# The hub's own leg split (core/http's hub_ws_* histograms, between two scrapes): a room event's
# wake-ups posted until a loop took them, the coalescing hold, the timer's lateness (loop delay),
# the write pass; mean and the bucket holding the 99th percentile, in ms.
hub_split() {
  python3 - "$1" "$2" <<'PY'
import re, sys
def read(path):
    h = {}
    for line in open(path):
        m = re.match(r'(hub_ws_\w+_seconds)_(bucket\{le="([^"]+)"\}|sum|count) (\S+)', line)
        if m: h.setdefault(m.group(1), {})[m.group(3) or m.group(2)] = float(m.group(4))
    return h
a, b = read(sys.argv[1]), read(sys.argv[2])
out = []
for name, label in (("hub_ws_wake_delay_seconds", "wake-up"), ("hub_ws_hold_seconds", "hold"),
                    ("hub_ws_timer_late_seconds", "timer late"), ("hub_ws_write_pass_seconds", "write pass")):
    d = {k: v - a.get(name, {}).get(k, 0) for k, v in b.get(name, {}).items()}
    n = d.get("count", 0)
    if not n:
        continue
    les = sorted((float(k), v) for k, v in d.items() if k not in ("sum", "count", "+Inf"))
    p99 = next((le for le, c in les if c >= 0.99 * n), float("inf"))
    out.append("%s %.1f/<=%g (%d)" % (label, d["sum"] / n * 1e3, p99 * 1e3, n))
print("; ".join(out) or "no held writes")
PY
}
field() { python3 -c 'import json,sys;d=json.loads(sys.argv[1]);print(d.get(sys.argv[2], "-"))' "$1" "$2"; }  # "-": an older generator

echo "# chat fan-out: hub (Redis engine) vs Socket.IO 4 + redis-adapter, ${secs}s per point, $cores cores"
echo "# $(uname -srm); $(node --version); $(redis-server --version | cut -d' ' -f3); hub coalesce_ms=$coalesce (max $coalesce_max); generator threads $gen_threads"
echo "# $(uptime)"
printf '%-8s %6s %5s | %10s %8s %9s %9s %7s | %s\n' server clients msg/s deliv/s share p50_ms p99_ms cpu_s "deliveries/CPU-s"
for n in $clients_list; do
  for r in $rates; do
    hub_metrics >"$work/metrics-before"
    h=$(run_hub --clients "$n" --senders $senders --rate "$r" --duration "$secs")
    hub_metrics >"$work/metrics-after"
    s=$(run_sio --clients "$n" --senders $senders --rate "$r" --duration "$secs")
    # Socket.IO seconds behind keeps working off its backlog after the run: new processes, so
    # the next point's hub run does not share the cores with it.
    restart_sio
    for pair in "hub:$h" "socketio:$s"; do
      name=${pair%%:*} j=${pair#*:}
      printf '%-8s %6s %5s | %10s %8s %9s %9s %7s | %s\n' "$name" "$n" "$r" "$(field "$j" deliveries_per_s)" \
        "$(field "$j" share)" "$(field "$j" p50_ms)" "$(field "$j" p99_ms)" "$(field "$j" server_cpu_s)" \
        "$(field "$j" deliveries_per_cpu_s)"
    done
    for pair in "hub:$h" "socketio:$s"; do
      name=${pair%%:*} j=${pair#*:}
      printf '%-8s %6s %5s | p50/p99 ms: sender->server %s/%s, server->socket %s/%s, socket->read %s/%s; generator CPU-s %s (%s)\n' \
        "$name" "$n" "$r" "$(field "$j" p50_in_ms)" "$(field "$j" p99_in_ms)" "$(field "$j" p50_server_ms)" \
        "$(field "$j" p99_server_ms)" "$(field "$j" p50_read_ms)" "$(field "$j" p99_read_ms)" "$(field "$j" generator_cpu_s)" \
        "$(field "$j" recv)"
    done
    printf '%-8s %6s %5s | hub leg, mean/p99 ms (passes): %s\n' hub "$n" "$r" \
      "$(hub_split "$work/metrics-before" "$work/metrics-after")"
    python3 -c 'import json,sys;h=json.loads(sys.argv[1]);s=json.loads(sys.argv[2]);
hs,ss=h["deliveries_per_cpu_s"],s["deliveries_per_cpu_s"]
print("ratio    %6s %5s | hub/socket.io deliveries per CPU-s: %s" % (h["clients"], h["rate"], ("%.1fx" % (hs/ss)) if ss else "n/a"))' "$h" "$s"
  done
done

if ((mem_clients > 0)); then
  echo "# memory: RSS per connected client ($mem_clients clients, idle; new server processes; Socket.IO: all $cores processes)"
  # Servers that ran the points above hold memory they give back over seconds (jemalloc's decay,
  # V8's heap): RSS measured there could even fall while clients connect.
  kill "$hub_pid" "${sio_pids[@]}" 2>/dev/null || true
  wait "$hub_pid" "${sio_pids[@]}" 2>/dev/null || true
  start_hub
  start_sio
  # Then the clients stay idle for SECONDS: what an idle server costs (its CPU, and its threads'
  # context switches per second: loop wake-ups, timers).
  h=$(run_hub --clients "$mem_clients" --senders 0 --rate 0 --duration "$secs")
  s=$(run_sio --clients "$mem_clients" --senders 0 --rate 0 --duration "$secs")
  for pair in "hub:$h" "socketio:$s"; do
    name=${pair%%:*} j=${pair#*:}
    printf '%-8s %s KiB/client (ready %s); idle %ss: CPU %s s, %s context switches/s\n' "$name" \
      "$(field "$j" rss_per_client_kib)" "$(field "$j" ready)" "$secs" "$(field "$j" server_cpu_s)" \
      "$(field "$j" server_switches_per_s)"
  done
fi

if ((like_clients > 0)); then
  echo "# likes: $likes_rate likes/s from $like_clients clients, $like_batch per like frame"
  for side in hub sio; do
    j=$(run_$side --clients "$like_clients" --senders 0 --rate 0 --likes "$likes_rate" --like-batch "$like_batch" \
      --duration "$secs")
    echo "$side likes/s sent $(field "$j" likes_rate), server CPU $(field "$j" server_cpu_s) s over ${secs}s," \
      "likes events per viewer per second $(field "$j" like_events_per_viewer_s) (max $(field "$j" like_events_per_viewer_s_max))," \
      "total seen $(field "$j" likes_total_seen), ready $(field "$j" ready)"
  done
fi
echo "# $(uptime)"
