#!/usr/bin/env bash
# LL-HLS delivery benchmark: playlist and part requests/s served from memory by the hub (one
# HTTP loop thread, hls_bench_server) against one nginx worker serving the same bytes from disk,
# in the same run (wrk, loopback), and the CPU each server spent per request (from /proc: on a
# busy host throughput swings with the neighbours, CPU per request much less); then N parked
# blocking-reload requests held and answered.
# Usage (from the source tree, with the build dir's benchmarks built):
#   tests/bench/hls_delivery.sh BUILD_DIR [SECONDS|quick] [CONNECTIONS] [PARKED]
# quick = 5 s runs and 2,000 parked requests. HLS_BENCH_SERVER=path runs another build of
# hls_bench_server (to compare before and after a change in the same sitting).
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
secs=${2:-10}
conns=${3:-50}
parked=${4:-5000}
if [ "$secs" = quick ]; then secs=5; parked=${4:-2000}; fi
server=${HLS_BENCH_SERVER:-$build/tests/bench/hls_bench_server}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
chmod 755 "$work"  # nginx workers run as an unprivileged user
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "host: $(nproc) cores, $(uptime | sed 's/.*load/load/'); server: $server"
for tool in wrk nginx ffmpeg curl python3; do
  command -v $tool >/dev/null || { echo "$tool missing: deploy/install-deps.sh bench" >&2; exit 1; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# A 3 Mbit/s 720p30 clip with 1 s GOPs and AAC: parts of ~125 KB, as a live event would have.
ffmpeg -v error -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 20 -c:v libx264 -preset ultrafast -b:v 3000k -maxrate 3000k -bufsize 1500k -g 30 -keyint_min 30 \
  -sc_threshold 0 -pix_fmt yuv420p -c:a aac -b:a 128k -f flv "$work/clip.flv"

hport=$(free_port)
"$server" --listen "127.0.0.1:$hport" --clip "$work/clip.flv" --width 1280 \
  --height 720 --preload 8 >"$work/hub.log" 2>&1 &
pids+=($!)
wait_port "$hport" || { cat "$work/hub.log" >&2; exit 1; }

# The same bytes on disk for nginx: the playlist, the init segment and the newest full part.
base=/live/bench/source
mkdir -p "$work/www$base" && chmod -R a+rX "$work/www"
curl -sf "http://127.0.0.1:$hport$base/index.m3u8" -o "$work/www$base/index.m3u8"
part=$(grep '^#EXT-X-PART:' "$work/www$base/index.m3u8" | tail -1 | sed 's/.*URI="\([^"]*\)".*/\1/')
curl -sf "http://127.0.0.1:$hport$base/$part" -o "$work/www$base/$part"
echo "playlist: $(stat -c %s "$work/www$base/index.m3u8") bytes; part $part: $(stat -c %s "$work/www$base/$part") bytes"

nport=$(free_port)
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 16384; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=100;
  keepalive_requests 1000000;
  client_body_temp_path $work/b; proxy_temp_path $work/p; fastcgi_temp_path $work/f;
  uwsgi_temp_path $work/u; scgi_temp_path $work/s;
  types { application/vnd.apple.mpegurl m3u8; video/iso.segment m4s; }
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    add_header Cache-Control "public, max-age=31536000, immutable";
    add_header Access-Control-Allow-Origin "*";
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
wait_port "$nport" || { cat "$work/nginx-error.log" >&2; exit 1; }

hub_pid=${pids[0]}
ngx_pid=$(pgrep -P "${pids[1]}" nginx | head -1)  # the one worker
[ -n "$ngx_pid" ] || { echo "no nginx worker" >&2; exit 1; }
# utime + stime of a process, in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tick_us=$((1000000 / $(getconf CLK_TCK)))
# "req/s cpu_us_per_request" of one wrk run against a server process.
rps() {
  local before out
  before=$(ticks "$2")
  out=$(wrk -t1 -c"$conns" -d"${secs}s" "$1")
  awk -v t0="$before" -v t1="$(ticks "$2")" -v us="$tick_us" '
    / requests in / {n = $1} /Requests\/sec/ {r = $2}
    END {printf "%s %.1f\n", r, (t1 - t0) * us / n}' <<<"$out"
}

printf '%-10s %12s %12s %8s %14s %14s %8s\n' "request" "hub req/s" "nginx req/s" "ratio" \
  "hub cpu us/req" "nginx cpu us" "ratio"
for what in index.m3u8 "$part"; do
  url_h="http://127.0.0.1:$hport$base/$what"
  url_n="http://127.0.0.1:$nport$base/$what"
  cmp <(curl -s "$url_h") <(curl -s "$url_n") || { echo "hub and nginx serve different bytes for $what" >&2; curl -si "$url_n" | head -5 >&2; cat "$work/nginx-error.log" >&2; exit 1; }
  wrk -t1 -c"$conns" -d1s "$url_h" >/dev/null
  wrk -t1 -c"$conns" -d1s "$url_n" >/dev/null
  read -r h hc < <(rps "$url_h" "$hub_pid")
  read -r n nc < <(rps "$url_n" "$ngx_pid")
  read -r h2 hc2 < <(rps "$url_h" "$hub_pid")
  read -r n2 nc2 < <(rps "$url_n" "$ngx_pid")
  avg() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN{printf f, (a+b)/2}'; }
  hub=$(avg "$h" "$h2" %.0f); ngx=$(avg "$n" "$n2" %.0f)
  hubc=$(avg "$hc" "$hc2" %.1f); ngxc=$(avg "$nc" "$nc2" %.1f)
  label=$([ "$what" = index.m3u8 ] && echo playlist || echo part)
  # CPU ratio as nginx / hub, so above 1 means the hub spends less than nginx (like req/s).
  printf '%-10s %12s %12s %8.2f %14s %14s %8.2f   (runs: hub %s %s, nginx %s %s)\n' "$label" "$hub" "$ngx" \
    "$(awk -v a="$hub" -v b="$ngx" 'BEGIN{print a/b}')" "$hubc" "$ngxc" \
    "$(awk -v a="$ngxc" -v b="$hubc" 'BEGIN{print a/b}')" "$h" "$h2" "$n" "$n2"
done

# Blocking reload: ask for the preload hint's part (not cut while the stream is paused).
hint=$(curl -sf "http://127.0.0.1:$hport$base/index.m3u8" | sed -n 's/#EXT-X-PRELOAD-HINT:TYPE=PART,URI="\(.*\)"/\1/p')
name=${hint##*-}        # <msn>.<part>.m4s
msn=${name%%.*}
rest=${name#*.}
p=${rest%%.*}
python3 "$here/hls_parked.py" "$hport" "$base/index.m3u8?_HLS_msn=$msn&_HLS_part=$p" "$parked"
echo "hub RSS after: $(awk '/VmRSS/ {print $2, $3}' "/proc/${pids[0]}/status")"
