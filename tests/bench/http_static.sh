#!/usr/bin/env bash
# HTTP benchmark: one hub HTTP thread against one nginx worker, in the same run, on loopback.
# Measures requests/s for a 4 KiB static file and a small JSON endpoint with wrk, prints the
# ratios, and the idle RSS of `hub serve`. Usage (from a build dir with benchmarks built):
#   tests/bench/http_static.sh BUILD_DIR [SECONDS] [CONNECTIONS]
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
secs=${2:-10}
conns=${3:-50}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk missing: deploy/install-deps.sh bench" >&2; exit 1; }
command -v nginx >/dev/null || { echo "nginx missing: deploy/install-deps.sh bench" >&2; exit 1; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])' 2>/dev/null ||
  echo $(( (RANDOM % 20000) + 30000 )); }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

mkdir -p "$work/www"
head -c 4096 /dev/urandom | base64 -w 0 | head -c 4096 > "$work/www/file4k.txt"

# nginx: one worker, access log off, sendfile on; JSON from a fixed string.
nport=$(free_port)
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $work/b; proxy_temp_path $work/p; fastcgi_temp_path $work/f;
  uwsgi_temp_path $work/u; scgi_temp_path $work/s;
  tcp_nopush on;
  keepalive_requests 1000000;
  types { text/plain txt; }
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    location = /json { default_type application/json; return 200 '{"ok":true,"service":"bench"}'; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)

hport=$(free_port)
"$build/tests/bench/hub_http_bench_server" --listen "127.0.0.1:$hport" --dir "$work/www" >"$work/hub.log" 2>&1 &
pids+=($!)
wait_port "$nport" && wait_port "$hport" || { echo "a server did not start" >&2; cat "$work"/*.log >&2; exit 1; }

rps() {  # rps URL -> requests/s (wrk, one thread)
  wrk -t1 -c"$conns" -d"${secs}s" "$1" | awk '/Requests\/sec/ {print $2}'
}

printf '%-22s %12s %12s %8s\n' "test" "hub req/s" "nginx req/s" "ratio"
for path in /file4k.txt /json; do
  # Warm both, then alternate so drift on a noisy host hits both alike.
  wrk -t1 -c"$conns" -d1s "http://127.0.0.1:$hport$path" >/dev/null
  wrk -t1 -c"$conns" -d1s "http://127.0.0.1:$nport$path" >/dev/null
  h=$(rps "http://127.0.0.1:$hport$path")
  n=$(rps "http://127.0.0.1:$nport$path")
  h2=$(rps "http://127.0.0.1:$hport$path")
  n2=$(rps "http://127.0.0.1:$nport$path")
  hub=$(awk -v a="$h" -v b="$h2" 'BEGIN{printf "%.0f", (a+b)/2}')
  ngx=$(awk -v a="$n" -v b="$n2" 'BEGIN{printf "%.0f", (a+b)/2}')
  printf '%-22s %12s %12s %8.2f   (runs: hub %s %s, nginx %s %s)\n' "$path" "$hub" "$ngx" \
    "$(awk -v a="$hub" -v b="$ngx" 'BEGIN{print a/b}')" "$h" "$h2" "$n" "$n2"
done

# Idle RSS of the real `hub serve` on its embedded defaults.
sport=$(free_port)
HUB_DEMO=0 "$build/app/hub" serve --http-listen "127.0.0.1:$sport" --rtmp-listen "127.0.0.1:$(free_port)" \
  --data-dir "$work/data" >"$work/serve.log" 2>&1 &
pids+=($!)
serve_pid=$!
wait_port "$sport" || { cat "$work/serve.log" >&2; exit 1; }
sleep 3
echo "hub serve idle RSS: $(awk '/VmRSS/ {print $2, $3}' "/proc/$serve_pid/status")"
