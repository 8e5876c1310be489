#!/usr/bin/env bash
# Transcoding benchmark: a 1080p30 H.264 clip to the default ladder (720p 2500k, 480p 1200k,
# 360p 700k, x264 zerolatency), by the hub's Transcoder (hub_transcode_bench) and by ffmpeg
# doing the same ladder (one decode, split, scale, libx264 zerolatency, same bitrates and
# preset), alternating, in the same run. Prints wall time, realtime factor and CPU-seconds per
# media second for each, and the hub/ffmpeg CPU ratio. Then one realtime-paced hub run, which
# must keep up: it reports dropped frames. Usage:
#   tests/bench/transcode.sh BUILD_DIR [SECONDS|quick] [ROUNDS] [PRESET]     quick: 6 s clip, 1 round
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
secs=${2:-20}
rounds=${3:-2}
if [ "$secs" = quick ]; then secs=6; rounds=${3:-1}; fi
preset=${4:-veryfast}
ladder="720p:2500k,480p:1200k,360p:700k"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v ffmpeg >/dev/null || { echo "ffmpeg missing" >&2; exit 1; }
bench="$build/tests/bench/hub_transcode_bench"
[ -x "$bench" ] || { echo "$bench missing: ninja -C $build hub_transcode_bench" >&2; exit 1; }

clip="$work/source-1080p30.mp4"
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$secs" -c:v libx264 -preset veryfast \
  -b:v 6M -g 60 -pix_fmt yuv420p -c:a aac -b:a 128k "$clip"

run_hub() {
  "$bench" "$clip" "$ladder" "$preset" > "$work/hub.out"
  awk -F= '/^(wall_seconds|realtime_factor|cpu_per_media_second|dropped|frames_out)=/ {printf "%s=%s ", $1, $2}' "$work/hub.out"
}
run_ffmpeg() {
  local x="-c:v libx264 -preset $preset -tune zerolatency"
  /usr/bin/time -f "%e %U %S" -o "$work/ff.time" ffmpeg -hide_banner -loglevel error -i "$clip" \
    -filter_complex "[0:v]split=3[a][b][c];[a]scale=-2:720[v1];[b]scale=-2:480[v2];[c]scale=-2:360[v3]" \
    -map "[v1]" $x -b:v 2500k -f null - -map "[v2]" $x -b:v 1200k -f null - \
    -map "[v3]" $x -b:v 700k -f null -
  read -r wall user sys < "$work/ff.time"
  awk -v w="$wall" -v u="$user" -v s="$sys" -v m="$secs" \
    'BEGIN { printf "wall_seconds=%.2f realtime_factor=%.2f cpu_per_media_second=%.3f ", w, m / w, (u + s) / m }'
}

echo "host: $(uptime | sed 's/.*load/load/')"
echo "clip: ${secs}s 1920x1080 30 fps H.264 6 Mbit/s; ladder $ladder; preset $preset; $(nproc) cores"
hub_cpu=0; ff_cpu=0
for r in $(seq 1 "$rounds"); do
  h=$(run_hub); echo "round $r hub:    $h"
  f=$(run_ffmpeg); echo "round $r ffmpeg: $f"
  hub_cpu=$(awk -v a="$hub_cpu" -v l="$h" 'BEGIN { split(l, p, "cpu_per_media_second="); split(p[2], q, " "); print a + q[1] }')
  ff_cpu=$(awk -v a="$ff_cpu" -v l="$f" 'BEGIN { split(l, p, "cpu_per_media_second="); split(p[2], q, " "); print a + q[1] }')
done
awk -v h="$hub_cpu" -v f="$ff_cpu" -v n="$rounds" \
  'BEGIN { printf "mean CPU-s per media second: hub %.3f ffmpeg %.3f  hub/ffmpeg %.2f\n", h / n, f / n, h / f }'
"$bench" "$clip" "$ladder" "$preset" --realtime > "$work/rt.out"
echo "realtime-paced hub run: $(awk -F= '/^(state|wall_seconds|dropped|frames_in|frames_out|cpu_per_media_second)=/ {printf "%s=%s ", $1, $2}' "$work/rt.out")"
