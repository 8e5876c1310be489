#!/usr/bin/env bash
# Installs what is missing from Debian 12's packages, and nothing else. Idempotent.
#   deploy/install-deps.sh build   what building and running the hub needs
#   deploy/install-deps.sh test    that, plus the servers and tools the test suite starts
#   deploy/install-deps.sh bench   that, plus the peers the benchmarks measure against
set -euo pipefail
what=${1:-build}

build=(build-essential cmake ninja-build pkg-config git ca-certificates
  libwebsockets-dev libwebsockets-evlib-ev libev-dev libssl-dev libhiredis-dev libuv1-dev libmysqlcppconn-dev libspdlog-dev nlohmann-json3-dev
  libsqlite3-dev libsodium-dev libtomlplusplus-dev libcurl4-openssl-dev libjemalloc-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-x fonts-dejavu-core
  libavformat-dev libavcodec-dev libavutil-dev libfreetype-dev libpng-dev fonts-noto-cjk)
test=(ccache libgtest-dev libgmock-dev libbenchmark-dev redis-server redis-tools mariadb-server mariadb-client
  ffmpeg gstreamer1.0-tools curl openssl procps clang clang-format libclang-rt-14-dev chromium
  fonts-wqy-zenhei fonts-noto-color-emoji
  nginx-light libnginx-mod-rtmp)  # nginx-rtmp: the restream tests' RTMP target
bench=(wrk iproute2 ethtool python3)  # ethtool: chat_fanout.sh NETNS=1

case "$what" in
  build) want=("${build[@]}") ;;
  test) want=("${build[@]}" "${test[@]}") ;;
  bench) want=("${build[@]}" "${test[@]}" "${bench[@]}") ;;
  *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything for '$what' is installed"
  exit 0
fi

sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
echo "install-deps: installing ${missing[*]}"
# Packages must not start their system services here: the hub and its tests start their own.
policy_made=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${sudo[@]}" chmod +x /usr/sbin/policy-rc.d
  policy_made=1
fi
cleanup() { if [ $policy_made = 1 ]; then "${sudo[@]}" rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Node.js 20 and npm 11 come preinstalled on the reference host and conflict with Debian's npm:
# we never install them, only say when they are missing (the viewers' web app needs them).
if command -v node >/dev/null; then
  echo "install-deps: node $(node --version), npm $(npm --version 2>/dev/null || echo missing)"
fi
