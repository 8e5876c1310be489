#!/usr/bin/env bash
# Starts or stops one throwaway server for a test run, on a free loopback port.
#   fixture.sh start redis|mariadb DIR   writes DIR/<name>.url and DIR/<name>.pid
#   fixture.sh stop  redis|mariadb DIR
# MariaDB's buffer pool is 64M and its redo log 16M unless HUB_MARIADB_BUFFER_POOL and
# HUB_MARIADB_LOG_FILE_SIZE say otherwise (benchmarks).
# A server that cannot start is an error (exit 1): the tests that need it then fail.
set -euo pipefail
action=$1 name=$2 dir=$3
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# A port with no listener, below the kernel's ephemeral range (32768-60999 on Debian): a port in
# that range can be taken as the local end of any outgoing connection on this host between the
# check and the server's bind (a benchmark's 10,000 connections took three in a row).
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( (RANDOM % 20000) + 10000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "no free port found" >&2; return 1
}

up_or_gone() {  # up_or_gone PID SOCKET: true once mariadbd answers on SOCKET, or once PID has exited
  kill -0 "$1" 2>/dev/null || return 0
  mariadb --no-defaults -uroot --socket="$2" -e 'select 1'
}

wait_for() {  # wait_for SECONDS CMD...: true once CMD succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

stop_pid() {
  local pidfile=$1
  [ -f "$pidfile" ] || return 0
  local pid; pid=$(cat "$pidfile")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

start_redis() {
  command -v redis-server >/dev/null || { echo "redis-server is not installed (run deploy/test.sh)" >&2; exit 1; }
  local port data="$dir/redis" try
  # A port found free can be taken before redis binds it (other servers start on this host
  # meanwhile): then redis exits at once and another port is tried.
  for try in 1 2 3; do
    port=$(free_port)
    stop_pid "$data/redis.pid"; rm -rf "$data"; mkdir -p "$data"
    if redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$data" \
      --daemonize yes --pidfile "$data/redis.pid" --logfile "$data/redis.log" &&
      wait_for 10 redis-cli -h 127.0.0.1 -p "$port" ping; then
      break
    fi
    cat "$data/redis.log" >&2 2>/dev/null || true
    [ "$try" -lt 3 ] || exit 1
  done
  cp "$data/redis.pid" "$dir/redis.pid"
  echo "redis://127.0.0.1:$port" > "$dir/redis.url"
  echo "redis started on 127.0.0.1:$port"
}

start_mariadb() {
  command -v mariadbd >/dev/null || { echo "mariadbd is not installed (run deploy/test.sh)" >&2; exit 1; }
  local port pid try
  local data="$dir/mariadb"; rm -rf "$data"; mkdir -p "$data"
  mariadb-install-db --user="$(id -un)" --datadir="$data/db" --auth-root-authentication-method=normal \
    --skip-test-db >"$data/install.log" 2>&1 || { cat "$data/install.log" >&2; exit 1; }
  local user_flag=(); [ "$(id -u)" = 0 ] && user_flag=(--user=root)
  # Like redis: a port found free can be taken before mariadbd binds it (other servers start on
  # this host meanwhile); then mariadbd exits and another port is tried.
  for try in 1 2 3; do
    port=$(free_port)
    : >"$data/error.log"
    # Detached, with its own output file, so that ctest does not wait on the pipe it inherited.
    setsid mariadbd --no-defaults "${user_flag[@]}" --datadir="$data/db" --port="$port" --bind-address=127.0.0.1 \
      --socket="$data/mysqld.sock" --pid-file="$data/mysqld.pid" --log-error="$data/error.log" \
      --skip-name-resolve --innodb-buffer-pool-size="${HUB_MARIADB_BUFFER_POOL:-64M}" \
      --innodb-log-file-size="${HUB_MARIADB_LOG_FILE_SIZE:-16M}" \
      --innodb-flush-log-at-trx-commit=2 --max-connections=500 \
      </dev/null >>"$data/stdout.log" 2>&1 &
    pid=$!
    echo "$pid" > "$dir/mariadb.pid"
    if wait_for 60 up_or_gone "$pid" "$data/mysqld.sock" && kill -0 "$pid" 2>/dev/null; then break; fi
    if kill "$pid" 2>/dev/null || [ "$try" -eq 3 ] || ! grep -q 'Address already in use' "$data/error.log"; then
      cat "$data/error.log" >&2; exit 1
    fi
    echo "mariadb: port $port was taken, trying another" >&2
  done
  mariadb --no-defaults -uroot --socket="$data/mysqld.sock" <<SQL
CREATE DATABASE IF NOT EXISTS hub_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'hub'@'127.0.0.1' IDENTIFIED BY 'hubtest';
GRANT ALL PRIVILEGES ON *.* TO 'hub'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
  echo "mysql://hub:hubtest@127.0.0.1:$port/hub_test" > "$dir/mariadb.url"
  echo "mariadb started on 127.0.0.1:$port"
}

case "$action:$name" in
  start:redis) stop_pid "$dir/redis.pid"; start_redis ;;
  start:mariadb) stop_pid "$dir/mariadb.pid"; start_mariadb ;;
  stop:redis|stop:mariadb) stop_pid "$dir/$name.pid"; rm -f "$dir/$name.url"; echo "$name stopped" ;;
  *) echo "usage: fixture.sh start|stop redis|mariadb DIR" >&2; exit 2 ;;
esac
