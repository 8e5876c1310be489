#!/bin/sh
# tests/bench/http/static_vs_nginx.sh SERVER_BINARY [SECONDS]
#
# One hub loop thread against one nginx worker, same 4 KiB file, same wrk run (-t1 -c50),
# alternated three times because shared hosts are noisy; prints each pair and the ratio.
set -eu
BIN=$1
SECS=${2:-5}
DIR=$(mktemp -d)
trap 'kill "$HUB" "$NGX" 2>/dev/null || true; rm -rf "$DIR"' EXIT
mkdir -p "$DIR/www" "$DIR/ngx"
head -c 3072 /dev/urandom | base64 -w0 | head -c 4096 > "$DIR/www/4k.txt"
cat > "$DIR/ngx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $DIR/ngx/error.log;
pid $DIR/ngx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $DIR/ngx/b; proxy_temp_path $DIR/ngx/p; fastcgi_temp_path $DIR/ngx/f;
  uwsgi_temp_path $DIR/ngx/u; scgi_temp_path $DIR/ngx/s;
  server { listen 127.0.0.1:18181; root $DIR/www; }
}
CONF
"$BIN" 18180 1 "$DIR/www" 2>/dev/null & HUB=$!
nginx -c "$DIR/ngx/nginx.conf" -p "$DIR/ngx" & NGX=$!
sleep 1
rps() { wrk -t1 -c50 -d"${SECS}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
for i in 1 2 3; do
  n=$(rps http://127.0.0.1:18181/4k.txt)
  h=$(rps http://127.0.0.1:18180/4k.txt)
  echo "run $i: nginx $n req/s, hub $h req/s, ratio $(echo "$h / $n" | bc -l | cut -c1-4)"
done
