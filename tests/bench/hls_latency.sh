#!/usr/bin/env bash
# Latency benchmark: from the moment the publisher sends a part's (or segment's) last video frame
# to the moment that part is listed in the playlist, on passthrough, for the hub (LL-HLS parts,
# watched with blocking reloads), nginx-rtmp (`hls on`, 1 s fragments) and GStreamer's hlssink2
# (1 s target duration), one after the other in the same run, all fed by the same paced
# publisher (hub_rtmp_paced_publisher) with the same clip (720p30 3 Mbit/s H.264 with 1 s GOPs,
# AAC). hlssink2 has no RTMP input (GStreamer 1.22 has no RTMP server element), so the publisher
# writes the same FLV tags at the same pace into gst-launch's stdin (fdsrc ! flvdemux).
# nginx's and hlssink2's playlists are files, polled every 5 ms. Usage:
#   tests/bench/hls_latency.sh BUILD_DIR [quick|full]     quick: 12 s per server, full: 40 s
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
mode=${2:-full}
secs=$([ "$mode" = quick ] && echo 12 || echo 40)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; echo "kept $work"' EXIT
for tool in nginx ffmpeg gst-launch-1.0 curl python3; do
  command -v $tool >/dev/null || { echo "$tool missing: deploy/install-deps.sh bench" >&2; exit 1; }
done
[ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] || { echo "nginx rtmp module missing: deploy/install-deps.sh bench" >&2; exit 1; }
pub="$build/tests/bench/hub_rtmp_paced_publisher"
[ -x "$pub" ] || { echo "$pub missing: ninja -C $build hub_rtmp_paced_publisher" >&2; exit 1; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

echo "host: $(nproc) cores, $(uptime | sed 's/.*load/load/')"
ffmpeg -v error -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 20 -c:v libx264 -preset ultrafast -b:v 3000k -maxrate 3000k -bufsize 1500k -g 30 -keyint_min 30 \
  -sc_threshold 0 -pix_fmt yuv420p -c:a aac -b:a 128k -f flv "$work/clip.flv"

declare -A result
run_probe() {  # run_probe NAME MODE WHERE PUBLISHER-ARGS...
  local name=$1 pmode=$2 where=$3
  shift 3
  python3 "$here/hls_latency_probe.py" "$pmode" "$where" "$secs" "$work/$name.sent" >"$work/$name.probe" 2>"$work/$name.probe.err" &
  local probe=$!
  sleep 0.3
  "$@" 2>"$work/$name.pub.err" || [ "$name" = hlssink2 ] || { echo "$name: publisher failed" >&2; cat "$work/$name.pub.err" >&2; }
  wait "$probe" || { echo "$name: probe failed" >&2; cat "$work/$name.probe.err" >&2; return 1; }
  result[$name]=$(tail -1 "$work/$name.probe")
  echo "$name: $(grep '^publisher:' "$work/$name.pub.err"); p50 p90 max items offset_ms: ${result[$name]}"
}

# --- the hub: real `hub serve`, a stream made through the API, passthrough only ---
hport=$(free_port); rport=$(free_port); token=bench-token-0123456789
HUB_DEMO=0 HUB_ADMIN_TOKEN=$token "$build/app/hub" serve --http-listen "127.0.0.1:$hport" \
  --rtmp-listen "127.0.0.1:$rport" --data-dir "$work/hub" >"$work/hub.log" 2>&1 &
pids+=($!)
wait_port "$hport" && wait_port "$rport" || { cat "$work/hub.log" >&2; exit 1; }
api() { curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
key=$(api -X POST -d '{"name":"lat"}' "http://127.0.0.1:$hport/api/v1/streams" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
api -X PUT -d '{"passthrough_only":true,"ladder":[]}' "http://127.0.0.1:$hport/api/v1/streams/lat/ladder" >/dev/null
sleep 0.5  # the directory reload reaches ingest within ~250 ms
run_probe hub hub "http://127.0.0.1:$hport/live/lat/source/index.m3u8" \
  "$pub" --clip "$work/clip.flv" --url "rtmp://127.0.0.1:$rport/live/$key" --seconds "$secs" --log "$work/hub.sent"

# --- nginx-rtmp: hls on, 1 s fragments, one process ---
nport=$(free_port)
mkdir -p "$work/nginx-hls"
cat >"$work/nginx.conf" <<NGINX
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
master_process off;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
rtmp {
  server {
    listen 127.0.0.1:$nport;
    chunk_size 4096;
    application live {
      live on;
      hls on;
      hls_path $work/nginx-hls;
      hls_fragment 1s;
      hls_playlist_length 60s;
      hls_cleanup off;
    }
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
wait_port "$nport" || { cat "$work/nginx-error.log" >&2; exit 1; }
run_probe nginx dir "$work/nginx-hls/lat.m3u8" \
  "$pub" --clip "$work/clip.flv" --url "rtmp://127.0.0.1:$nport/live/lat" --seconds "$secs" --log "$work/nginx.sent"

# --- hlssink2: the same tags at the same pace through a pipe ---
mkdir -p "$work/hlssink2"
run_probe hlssink2 dir "$work/hlssink2/index.m3u8" bash -c "'$pub' --clip '$work/clip.flv' --url - --seconds $secs \
  --log '$work/hlssink2.sent' | timeout $((secs + 3)) gst-launch-1.0 -q fdsrc fd=0 ! flvdemux name=d \
  d.video ! queue ! h264parse ! hls.video d.audio ! queue ! aacparse ! hls.audio \
  hlssink2 name=hls target-duration=1 max-files=100000 playlist-length=0 \
  location='$work/hlssink2/seg%05d.ts' playlist-location='$work/hlssink2/index.m3u8'"

echo
echo "delay from a part's/segment's last video frame sent to its listing (ms), $secs s per server:"
printf '%-28s %8s %8s %8s %6s %10s %12s\n' server p50 p90 max items offset_ms "p50 vs hub"
hub50=$(echo "${result[hub]}" | awk '{print $1}')
for s in hub nginx hlssink2; do
  read -r p50 p90 max n off <<<"${result[$s]:-nan nan nan 0 nan}"
  label=$s
  [ $s = hub ] && label="hub (LL-HLS parts)"
  [ $s = nginx ] && label="nginx-rtmp (1 s segments)"
  [ $s = hlssink2 ] && label="hlssink2 (1 s segments)"
  printf '%-28s %8s %8s %8s %6s %10s %11.2fx\n' "$label" "$p50" "$p90" "$max" "$n" "$off" \
    "$(awk -v a="$p50" -v b="$hub50" 'BEGIN{print (b > 0 ? a / b : 0)}')"
done
echo "goal: hub p50 <= 50 ms"
