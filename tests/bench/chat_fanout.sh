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
# NETNS=1 (root, iproute2, ethtool) puts the load generator in a network namespace of its own,
# behind a veth pair whose receive side runs in threaded NAPI (kernel threads): on loopback the
# kernel's receive work for the clients' sockets (their TCP input, waking the reader) runs inside
# the sending server's system calls and is billed to the server, some 35 % of the hub's CPU at
# 20 msg/s (perf, session 21); a real network card and the viewers' phones do that work in a
# deployment. With NETNS=1 it runs in the `napi/...` threads, billed to neither server, and is
# reported apart (napi CPU-s). Both servers get the same path.
# SIO=0 leaves Socket.IO out (the hub's rows only, no ratios: for quick looks at one change).
# COALESCE_MS sets the hub's [chat] coalesce_ms: auto (default: held only in busy big rooms, at
# most COALESCE_MAX_MS, default 60), 0 (every event written at once) or N ms for every event.
# FLOOR=0 leaves out the floor row (default on): after each point, tests/bench/chat/send_floor.cpp
# writes the same deliveries to the same number of sockets, as many events per write as the hub's
# coalescing would put together at that rate, and nothing else (no reads, no JSON, no queues):
# what the kernel's TCP sends alone cost there. floor/socket.io is the best ratio any server that
# writes that way could reach in the run; hub/floor CPU per delivery is what the hub adds.
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
# whether a latency is the server's or the generator's; then the clients the server closed (a slow
# consumer's 4008 among them) and the deliveries out of their sender's order, both 0 unless
# something is wrong. A third line splits the hub's own leg (its /metrics: wake-up, hold, timer
# late, write pass; see docs/chat-protocol.md).
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
floor=$build/tests/bench/hub_send_floor
with_floor=${FLOOR:-1}
for f in "$hub" "$load" $( ((with_floor)) && echo "$floor"); do [[ -x $f ]] || { echo "missing $f: build the hub, hub_chat_load and hub_send_floor (FLOOR=0 skips the floor)" >&2; exit 1; }; done
command -v redis-server >/dev/null || { echo "redis-server missing: deploy/install-deps.sh" >&2; exit 1; }
command -v node >/dev/null || { echo "node (20) missing" >&2; exit 1; }
if [[ ! -d $here/chat/socketio/node_modules ]]; then
  (cd "$here/chat/socketio" && npm ci --no-audit --no-fund >/dev/null)
fi

# --- where the servers listen and where the generator runs (NETNS=1: see above) ---
serve_ip=127.0.0.1 gen=() napi_dev=""
if ((${NETNS:-0})); then
  for t in ip ethtool; do command -v $t >/dev/null || { echo "NETNS=1 needs $t (deploy/install-deps.sh bench)" >&2; exit 1; }; done
  ns=hubbench$$ napi_dev=hbv$$
  ip netns add "$ns"
  cleanup_ns() { ip netns del "$ns" 2>/dev/null || true; }
  trap 'cleanup; cleanup_ns' EXIT
  ip link add "${napi_dev}a" type veth peer name "${napi_dev}b" netns "$ns"
  serve_ip=10.254.$((RANDOM % 250)).1
  ip addr add "$serve_ip/30" dev "${napi_dev}a"
  ip -n "$ns" addr add "${serve_ip%.1}.2/30" dev "${napi_dev}b"
  ip link set "${napi_dev}a" up
  ip -n "$ns" link set "${napi_dev}b" up
  ip -n "$ns" link set lo up
  # NAPI on a veth needs GRO (or XDP), and a TCP packet takes it only when the sending side
  # does no TSO (veth_skb_is_eligible_for_gro); threaded, the receive work runs in napi/<dev>-N.
  ethtool -K "${napi_dev}a" gro on tso off >/dev/null
  ip netns exec "$ns" ethtool -K "${napi_dev}b" gro on tso off >/dev/null
  # A write pass to thousands of sockets overruns a veth's receive ring (256 packets) at once,
  # and without a queue before it the veth drops (a quarter of the packets at 1,000 clients,
  # each one a retransmission later). With one, session 21's kernel (6.18) stops the queue
  # instead and drops nothing; the drops are printed at the end. A real card has queues too.
  tc qdisc replace dev "${napi_dev}a" root pfifo limit 100000
  tc -n "$ns" qdisc replace dev "${napi_dev}b" root pfifo limit 100000
  echo 1 >"/sys/class/net/${napi_dev}a/threaded"
  ip netns exec "$ns" sh -c "echo 1 >/sys/class/net/${napi_dev}b/threaded"
  gen=(ip netns exec "$ns")
fi
# CPU-seconds so far of the veth's NAPI threads (0 without NETNS=1).
napi_cpu() {
  [[ -n $napi_dev ]] || { echo 0; return; }
  local t=0 p
  for p in $(pgrep "^napi/${napi_dev}"); do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$t $(getconf CLK_TCK)" | awk '{printf "%.2f", $1 / $2}'
}
free_port() { python3 -c 'import socket,sys;s=socket.socket();s.bind((sys.argv[1],0));print(s.getsockname()[1])' "$serve_ip"; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/${2:-$serve_ip}/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
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
with_sio=${SIO:-1}

# --- one Redis per server under test, so each side's Redis CPU is its own ---
start_redis() {  # start_redis NAME -> sets REDIS_PORT, REDIS_PID
  REDIS_PORT=$(serve_ip=127.0.0.1 free_port)
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --dir "$work" \
    >"$work/redis-$1.log" 2>&1 &
  REDIS_PID=$!
  pids+=("$REDIS_PID")
  wait_port "$REDIS_PORT" 127.0.0.1 || { echo "redis did not start" >&2; exit 1; }
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
  HUB_DEMO=0 "$hub" serve --role chat --data-dir "$work/hub" --http-listen "$serve_ip:$hport" \
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
  -d '{"name":"bench","title":"bench"}' "http://$serve_ip:$hport/api/v1/rooms" ||
  { echo "could not create the bench room" >&2; tail -20 "$work/hub.log" >&2; exit 1; }
for i in $(seq 1 $senders); do "$hub" token user "bench$i" --data-dir "$work/hub"; done >"$work/tokens"

# --- Socket.IO: one Node process per core on one Redis ---
start_redis sio
sio_redis_port=$REDIS_PORT sio_redis_pid=$REDIS_PID
# start_sio: new Socket.IO processes (sets sio_targets, sio_pids).
start_sio() {
  sio_targets=() sio_pids=()
  ((with_sio)) || return 0
  for _ in $(seq 1 "$cores"); do
    p=$(free_port)
    node "$here/chat/socketio/server.js" --host "$serve_ip" --port "$p" --redis "redis://127.0.0.1:$sio_redis_port" \
      >>"$work/sio.log" 2>&1 &
    pids+=($!) sio_pids+=($!) sio_targets+=(--target "$serve_ip:$p")
    wait_port "$p" || { echo "socket.io did not start" >&2; cat "$work/sio.log" >&2; exit 1; }
  done
}
start_sio
restart_sio() {
  ((with_sio)) || return 0
  kill "${sio_pids[@]}" 2>/dev/null || true
  wait "${sio_pids[@]}" 2>/dev/null || true
  start_sio
}

run_hub() {  # run_hub ARGS... -> RESULT json
  "${gen[@]}" "$load" --flavor hub --target "$serve_ip:$hport" --tokens "$work/tokens" --room bench \
    --server-pid "$hub_pid" --redis-pid "$hub_redis_pid" --threads "$gen_threads" "$@" 2>>"$work/load.log" | sed -n 's/^RESULT //p'
}
run_sio() {
  ((with_sio)) || { echo '{}'; return 0; }
  local pidargs=()
  for p in "${sio_pids[@]}"; do pidargs+=(--server-pid "$p"); done
  "${gen[@]}" "$load" --flavor socketio "${sio_targets[@]}" --room bench "${pidargs[@]}" --redis-pid "$sio_redis_pid" \
    --threads "$gen_threads" "$@" 2>>"$work/load.log" | sed -n 's/^RESULT //p'
}
# run_floor CLIENTS RATE -> RESULT json of send_floor (its sink behind the same veth as the
# generator), with the events per write the hub's automatic coalescing gives at that rate.
run_floor() {
  ((with_floor)) || { echo '{}'; return 0; }
  local port k sp
  port=$(free_port)
  k=$(awk -v n="$1" -v r="$2" -v c="$coalesce" -v m="$coalesce_max" 'BEGIN{b = (c == "auto") ? m : c;
    k = (n >= 64 && b > 0 && 1000 / r <= b) ? int(0.9 * b * r / 1000) + 1 : 1; print k}')
  "$floor" serve --listen "$serve_ip:$port" --clients "$1" --rate "$2" --per-write "$k" --bytes 140 \
    --threads "$cores" --duration "$secs" >"$work/floor.out" 2>>"$work/floor.log" &
  sp=$!
  for _ in $(seq 1 100); do [[ -n $(ss -Hltn "sport = :$port") ]] && break; sleep 0.05; done
  "${gen[@]}" "$floor" sink --connect "$serve_ip:$port" --clients "$1" 2>>"$work/floor.log" &
  wait "$sp" || { echo "send_floor failed" >&2; cat "$work/floor.log" >&2; }
  wait $! 2>/dev/null || true
  sed -n 's/^RESULT //p' "$work/floor.out"
}
hub_metrics() { curl -fsS -H "Authorization: Bearer $admin" "http://$serve_ip:$hport/metrics" || true; }
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
# pairs_of HUB_JSON SIO_JSON -> pairs: "name:json" of each server in this run.
pairs_of() {
  pairs=("hub:$1")
  if ((with_sio)); then pairs+=("socketio:$2"); fi
}
field() { python3 -c 'import json,sys;d=json.loads(sys.argv[1]);print(d.get(sys.argv[2], "-"))' "$1" "$2"; }  # "-": an older generator

echo "# chat fan-out: hub (Redis engine) vs Socket.IO 4 + redis-adapter, ${secs}s per point, $cores cores"
echo "# $(uname -srm); $(node --version); $(redis-server --version | cut -d' ' -f3); hub coalesce_ms=$coalesce (max $coalesce_max); generator threads $gen_threads"
echo "# $(uptime)"
printf '%-8s %6s %5s | %10s %8s %9s %9s %7s | %s\n' server clients msg/s deliv/s share p50_ms p99_ms cpu_s "deliveries/CPU-s"
for n in $clients_list; do
  for r in $rates; do
    hub_metrics >"$work/metrics-before"
    napi0=$(napi_cpu)
    h=$(run_hub --clients "$n" --senders $senders --rate "$r" --duration "$secs")
    napi1=$(napi_cpu)
    hub_metrics >"$work/metrics-after"
    s=$(run_sio --clients "$n" --senders $senders --rate "$r" --duration "$secs")
    napi2=$(napi_cpu)
    declare -A napi=([hub]=$(awk "BEGIN{print $napi1 - $napi0}") [socketio]=$(awk "BEGIN{print $napi2 - $napi1}"))
    # Socket.IO seconds behind keeps working off its backlog after the run: new processes, so
    # the next point's hub run does not share the cores with it.
    restart_sio
    f=$(run_floor "$n" "$r")
    pairs_of "$h" "$s"
    for pair in "${pairs[@]}"; do
      name=${pair%%:*} j=${pair#*:}
      printf '%-8s %6s %5s | %10s %8s %9s %9s %7s | %s\n' "$name" "$n" "$r" "$(field "$j" deliveries_per_s)" \
        "$(field "$j" share)" "$(field "$j" p50_ms)" "$(field "$j" p99_ms)" "$(field "$j" server_cpu_s)" \
        "$(field "$j" deliveries_per_cpu_s)"
    done
    for pair in "${pairs[@]}"; do
      name=${pair%%:*} j=${pair#*:}
      printf '%-8s %6s %5s | p50/p99 ms: sender->server %s/%s, server->socket %s/%s, socket->read %s/%s; generator CPU-s %s (%s)%s; closed %s, out of order %s\n' \
        "$name" "$n" "$r" "$(field "$j" p50_in_ms)" "$(field "$j" p99_in_ms)" "$(field "$j" p50_server_ms)" \
        "$(field "$j" p99_server_ms)" "$(field "$j" p50_read_ms)" "$(field "$j" p99_read_ms)" "$(field "$j" generator_cpu_s)" \
        "$(field "$j" recv)" "$([[ -n $napi_dev ]] && echo "; napi CPU-s ${napi[$name]}")" "$(field "$j" closed)" \
        "$(field "$j" out_of_order)"
    done
    printf '%-8s %6s %5s | hub leg, mean/p99 ms (passes): %s\n' hub "$n" "$r" \
      "$(hub_split "$work/metrics-before" "$work/metrics-after")"
    if ((with_floor)); then
      printf '%-8s %6s %5s | %10s %8s %9s %9s %7s | %s (%s events per write, %s us per write, short writes %s)\n' \
        floor "$n" "$r" "$(field "$f" deliveries_per_s)" - - - "$(field "$f" cpu_s)" "$(field "$f" deliveries_per_cpu_s)" \
        "$(field "$f" per_write)" "$(field "$f" us_per_write)" "$(field "$f" short)"
    fi
    python3 -c 'import json,sys;h,s,f=(json.loads(a) for a in sys.argv[1:4])
r=lambda a,b:("%.1fx" % (a/b)) if a and b else "n/a"
hs,ss,fs=(d.get("deliveries_per_cpu_s",0) for d in (h,s,f))
out=[]
if ss: out.append("hub/socket.io %s" % r(hs,ss))
if fs and ss: out.append("floor/socket.io %s" % r(fs,ss))
if fs: out.append("hub CPU per delivery %s the floor" % r(fs,hs))
if out: print("ratio    %6s %5s | deliveries per CPU-s: %s" % (h["clients"], h["rate"], "; ".join(out)))' "$h" "$s" "$f"
  done
done

if ((mem_clients > 0)); then
  echo "# memory: RSS per connected client ($mem_clients clients, idle; new server processes; Socket.IO: all $cores processes)"
  # Servers that ran the points above hold memory they give back over seconds (jemalloc's decay,
  # V8's heap): RSS measured there could even fall while clients connect.
  kill "$hub_pid" "${sio_pids[@]}" 2>/dev/null || true
  wait "$hub_pid" "${sio_pids[@]}" 2>/dev/null || true
  start_hub
  restart_sio
  # Then the clients stay idle for SECONDS: what an idle server costs (its CPU, and its threads'
  # context switches per second: loop wake-ups, timers).
  h=$(run_hub --clients "$mem_clients" --senders 0 --rate 0 --duration "$secs")
  s=$(run_sio --clients "$mem_clients" --senders 0 --rate 0 --duration "$secs")
  pairs_of "$h" "$s"
  for pair in "${pairs[@]}"; do
    name=${pair%%:*} j=${pair#*:}
    printf '%-8s %s KiB/client (ready %s); idle %ss: CPU %s s, %s context switches/s\n' "$name" \
      "$(field "$j" rss_per_client_kib)" "$(field "$j" ready)" "$secs" "$(field "$j" server_cpu_s)" \
      "$(field "$j" server_switches_per_s)"
  done
fi

if ((like_clients > 0)); then
  echo "# likes: $likes_rate likes/s from $like_clients clients, $like_batch per like frame"
  sides=(hub)
  ((with_sio)) && sides+=(sio)
  for side in "${sides[@]}"; do
    j=$(run_$side --clients "$like_clients" --senders 0 --rate 0 --likes "$likes_rate" --like-batch "$like_batch" \
      --duration "$secs")
    echo "$side likes/s sent $(field "$j" likes_rate), server CPU $(field "$j" server_cpu_s) s over ${secs}s," \
      "likes events per viewer per second $(field "$j" like_events_per_viewer_s) (max $(field "$j" like_events_per_viewer_s_max))," \
      "total seen $(field "$j" likes_total_seen), ready $(field "$j" ready)"
  done
fi
if [[ -n $napi_dev ]]; then  # a dropped packet costs a retransmission: the numbers above would lie
  drops() { "$@" | awk '/TX:/{getline; print $4}'; }
  echo "# veth packets dropped on send: servers' side $(drops ip -s link show "${napi_dev}a"), generator's side $(drops ip -n "$ns" -s link show "${napi_dev}b")"
fi
echo "# $(uptime)"
