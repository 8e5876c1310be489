#!/usr/bin/env bash
# Passthrough capacity benchmark: N concurrent RTMP publishers at ~3 Mbit/s (one 720p30 clip
# with 1 s GOPs made once by ffmpeg, looped) against the hub (`hub serve`, streams made through
# the API, passthrough only: no ladder) and nginx-rtmp (`hls on`, 1 s fragments, one process),
# one server at a time in the same run. For each: the server's CPU per stream over a steady
# window (utime+stime deltas of /proc/PID/stat, all threads), and health: every stream's
# playlist advancing (hub: plus /api/v1/streams/<name> live). The publishers' own CPU is
# measured apart. Usage:
#   tests/bench/ingest_capacity.sh BUILD_DIR [quick|full] [paced|ffmpeg]
#     quick: N = 10, 100 with 12 s windows; full: N = 10, 50, 100 with 30 s windows
#     paced (default): hub_rtmp_paced_publisher sends all N streams from one process;
#     ffmpeg: N `ffmpeg -re -stream_loop -1 -c copy` processes.
#   COUNTS="20 40" overrides the N list; HUB_SERVE_FLAGS="--transcode-thumbnail-interval 3600"
#   adds flags to `hub serve` (e.g. to see what live thumbnails cost); THUMB_POLL=5 asks the hub
#   for every stream's /live/<name>/thumb.jpg every 5 s (one curl, as home pages would), which
#   keeps its thumbnails at the fast interval (without it they are made once a minute).
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
mode=${2:-full}
publisher=${3:-paced}
if [ "$mode" = quick ]; then counts="10 100"; window=12; else counts="10 50 100"; window=30; fi
counts=${COUNTS:-$counts}
warm=6
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
chmod 755 "$work"
pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
cleanup() { stop_all; rm -rf "$work"; }
trap cleanup EXIT
for tool in nginx ffmpeg curl python3; do
  command -v $tool >/dev/null || { echo "$tool missing: deploy/install-deps.sh bench" >&2; exit 1; }
done
[ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] || { echo "nginx rtmp module missing: deploy/install-deps.sh bench" >&2; exit 1; }
pub="$build/tests/bench/hub_rtmp_paced_publisher"
[ -x "$pub" ] || { echo "$pub missing: ninja -C $build hub_rtmp_paced_publisher" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
hz=$(getconf CLK_TCK)

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
now() { date +%s.%N; }
# Bytes the server has received on its RTMP port so far (tcp_info of every open connection).
received() { ss -Htin state established "( sport = :$1 )" | grep -o 'bytes_received:[0-9]*' | awk -F: '{s += $2} END {print s + 0}'; }

echo "host: $(nproc) cores, $(uptime | sed 's/.*load/load/'); publisher: $publisher; hub flags: ${HUB_SERVE_FLAGS:-none}; thumbnail poll: ${THUMB_POLL:-none}"
ffmpeg -v error -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 20 -c:v libx264 -preset ultrafast -b:v 2900k -maxrate 2900k -bufsize 1500k -g 30 -keyint_min 30 \
  -sc_threshold 0 -pix_fmt yuv420p -c:a aac -b:a 96k -f flv "$work/clip.flv"
echo "clip: 720p30, 1 s GOPs, $(awk -v b="$(stat -c %s "$work/clip.flv")" 'BEGIN{printf "%.2f", b * 8 / 20 / 1e6}') Mbit/s"

start_publishers() {  # start_publishers URLS-FILE LOG -> sets pub_pids
  pub_pids=()
  if [ "$publisher" = ffmpeg ]; then
    while read -r url; do
      ffmpeg -nostdin -v error -re -stream_loop -1 -i "$work/clip.flv" -c copy -f flv "$url" 2>>"$2" &
      pub_pids+=($!)
    done <"$1"
  else
    "$pub" --clip "$work/clip.flv" --urls "$1" --seconds $((warm + window + 15)) 2>"$2" &
    pub_pids+=($!)
  fi
  pids+=("${pub_pids[@]}")
}

declare -A row
measure() {  # measure LABEL N SERVER-PID RTMP-PORT SNAPSHOT-COMMAND...
  local label=$1 n=$2 spid=$3 port=$4
  shift 4
  sleep "$warm"
  "$@" "$work/before.json"
  local s0 p0 t0 s1 p1 t1 b0 b1
  s0=$(ticks "$spid"); p0=$(ticks "${pub_pids[@]}"); b0=$(received "$port"); t0=$(now)
  sleep "$window"
  s1=$(ticks "$spid"); p1=$(ticks "${pub_pids[@]}"); b1=$(received "$port"); t1=$(now)
  "$@" "$work/after.json"
  local health
  health=$(python3 "$here/ingest_health.py" compare "$work/before.json" "$work/after.json")
  # CPU per stream, total, publishers'; Mbit/s received; CPU per 3 Mbit/s actually received.
  row[$label,$n]=$(awk -v s=$((s1 - s0)) -v p=$((p1 - p0)) -v hz="$hz" -v t0="$t0" -v t1="$t1" -v n="$n" \
    -v b=$((b1 - b0)) 'BEGIN { w = t1 - t0; mbps = b * 8 / w / 1e6;
      printf "%.3f %.1f %.1f %.0f %.3f", 100 * s / hz / w / n, 100 * s / hz / w, 100 * p / hz / w, mbps,
        (mbps > 0 ? 100 * s / hz / w / (mbps / 3) : 0) }')
  read -r ok total dropped bad <<<"$health"
  row[$label,$n]+=" $ok/$total $dropped"
  echo "$label N=$n: CPU %/stream, total, publishers; Mbit/s in; CPU %/3 Mbit/s in: ${row[$label,$n]% * *}; healthy $ok/$total, dropped frames $dropped ${bad:+(not advancing: $bad)}"
}

for n in $counts; do
  # --- the hub ---
  hport=$(free_port); rport=$(free_port); token=bench-token-0123456789
  HUB_DEMO=0 HUB_ADMIN_TOKEN=$token "$build/app/hub" serve --http-listen "127.0.0.1:$hport" \
    --rtmp-listen "127.0.0.1:$rport" --data-dir "$work/hub-$n" ${HUB_SERVE_FLAGS:-} >"$work/hub-$n.log" 2>&1 &
  hub_pid=$!
  pids+=($hub_pid)
  wait_port "$hport" && wait_port "$rport" || { cat "$work/hub-$n.log" >&2; exit 1; }
  # Made 10 at a time: on a busy host each API call waits for CPU more than it works.
  export token hport
  seq 0 $((n - 1)) | xargs -P 10 -I{} sh -c '
    key=$(curl -sf -H "Authorization: Bearer $token" -H "Content-Type: application/json" -X POST \
      -d "{\"name\":\"cap{}\"}" "http://127.0.0.1:$hport/api/v1/streams" | sed -n "s/.*\"key\":\"\([^\"]*\)\".*/\1/p")
    curl -sf -H "Authorization: Bearer $token" -H "Content-Type: application/json" -X PUT \
      -d "{\"passthrough_only\":true,\"ladder\":[]}" "http://127.0.0.1:$hport/api/v1/streams/cap{}/ladder" >/dev/null
    echo "$key"' >"$work/keys"
  sed "s|^|rtmp://127.0.0.1:$rport/live/|" "$work/keys" >"$work/urls"
  [ "$(grep -c . "$work/keys")" = "$n" ] || { echo "could not create $n streams" >&2; exit 1; }
  sleep 0.5
  start_publishers "$work/urls" "$work/pub-hub-$n.log"
  if [ -n "${THUMB_POLL:-}" ]; then
    thumbs=()
    for i in $(seq 0 $((n - 1))); do thumbs+=(-o /dev/null "http://127.0.0.1:$hport/live/cap$i/thumb.jpg"); done
    (while true; do curl -s "${thumbs[@]}" || true; sleep "$THUMB_POLL"; done) &
    pids+=($!)
  fi
  measure hub "$n" "$hub_pid" "$rport" python3 "$here/ingest_health.py" hub "$hport" "$token" cap "$n"
  stop_all
  grep -h '^publisher:' "$work/pub-hub-$n.log" || true

  # --- nginx-rtmp ---
  nport=$(free_port)
  rm -rf "$work/nginx-hls" && mkdir -p "$work/nginx-hls"
  cat >"$work/nginx.conf" <<NGINX
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
master_process off;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
worker_rlimit_nofile 65536;
events { worker_connections 4096; }
rtmp {
  server {
    listen 127.0.0.1:$nport;
    chunk_size 4096;
    application live {
      live on;
      hls on;
      hls_path $work/nginx-hls;
      hls_fragment 1s;
      hls_playlist_length 10s;
    }
  }
}
NGINX
  nginx -c "$work/nginx.conf" -p "$work" &
  nginx_pid=$!
  pids+=($nginx_pid)
  wait_port "$nport" || { cat "$work/nginx-error.log" >&2; exit 1; }
  : >"$work/urls"
  for i in $(seq 0 $((n - 1))); do echo "rtmp://127.0.0.1:$nport/live/cap$i" >>"$work/urls"; done
  start_publishers "$work/urls" "$work/pub-nginx-$n.log"
  measure nginx "$n" "$nginx_pid" "$nport" python3 "$here/ingest_health.py" dir "$work/nginx-hls" cap "$n"
  stop_all
  grep -h '^publisher:' "$work/pub-nginx-$n.log" || true
done

echo
echo "server CPU (% of one core) over a ${window} s window, publishers: $publisher; per 3 Mbit/s = per stream"
echo "normalised by the bytes the server actually received (a starved publisher sends less)"
printf '%-5s %-6s %10s %12s %10s %12s %10s %10s\n' N server "%/stream" "%/3Mbit/s" "Mbit/s in" healthy dropped "pub CPU %"
for n in $counts; do
  for s in hub nginx; do
    read -r ps tot pub mbps p3 ok dropped <<<"${row[$s,$n]}"
    printf '%-5s %-6s %10s %12s %10s %12s %10s %10s\n' "$n" "$s" "$ps" "$p3" "$mbps" "$ok" "$dropped" "$pub"
  done
  read -r hs _ _ _ h3 _ <<<"${row[hub,$n]}"
  read -r ns _ _ _ n3 _ <<<"${row[nginx,$n]}"
  printf '%-5s %-6s %9.2fx %11.2fx\n' "$n" "ratio" "$(awk -v a="$hs" -v b="$ns" 'BEGIN{print (b > 0 ? a / b : 0)}')" \
    "$(awk -v a="$h3" -v b="$n3" 'BEGIN{print (b > 0 ? a / b : 0)}')"
done
echo "goal: hub CPU per stream <= nginx-rtmp's (ratio <= 1), all 100 healthy"
