#!/usr/bin/env bash
# The streaming embed's benchmark (not in CI):
#  1. memory: `embed --out-dir` over the first 2,000 and then all 20,000 synthetic photos (a tiny model, so the
#     run measures the pipeline, not the network): the peak RSS of each run, and the growth between them;
#  2. overlap: images/s over one folder with decoding one chunk ahead of the model (--decode-ahead 1, the default)
#     and alternating as before (--decode-ahead 0), with the tiny model and with the bundled ResNet-18.
#   tools/embed-bench/bench.sh [LARGE=20000] [SMALL=2000] [RESNET_IMAGES=200]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
large=${1:-20000} small=${2:-2000} resnet=${3:-200}
work=$(mktemp -d "${TMPDIR:-/tmp}/cardinal-embed-bench-XXXX")
trap 'rm -rf "$work"' EXIT
dotnet build "$root/tools/Cardinal.Cli/Cardinal.Cli.csproj" -c Release -nologo -v q >/dev/null
cli="$root/tools/Cardinal.Cli/bin/Release/net10.0/cardinal"
/usr/bin/python3 "$(dirname "$0")/make_images.py" "$work/images" "$large"
/usr/bin/python3 "$(dirname "$0")/make_tiny_model.py" "$work/tiny.onnx"
find "$work/images" -name '*.png' | sort > "$work/large.txt"
head -n "$small" "$work/large.txt" > "$work/small.txt"

rss() {   # rss NAME LIST: peak RSS (KB) and wall time of an embed over LIST; RSS sampled every 2 s into NAME.rss
  /usr/bin/time -f "%M %e" -o "$work/$1.time" "$cli" embed --files-from "$2" --out-dir "$work/$1" --model "$work/tiny.onnx" >/dev/null 2>"$work/$1.err" &
  local timer=$!
  sleep 1
  local pid; pid=$(pgrep -P "$timer" | head -n 1 || true)
  while kill -0 "$timer" 2>/dev/null; do
    [ -n "$pid" ] && awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status" 2>/dev/null >> "$work/$1.rss" || true
    sleep 2
  done
  wait "$timer" || true
  read -r kb seconds < "$work/$1.time"
  echo "$kb $seconds"
}
read -r small_kb small_s < <(rss small "$work/small.txt")
read -r large_kb large_s < <(rss large "$work/large.txt")
echo "memory: $small images peak RSS $((small_kb / 1024)) MB ($small_s s); $large images $((large_kb / 1024)) MB ($large_s s); growth $(( (large_kb - small_kb) / 1024 )) MB"
echo "RSS every 2 s over the $large-image run (MB): $(tr '\n' ' ' < "$work/large.rss")"

rate() {   # rate MODEL_ARGS... : images/s from the embed's own summary line
  "$cli" embed "$work/overlap" "$@" --out "$work/o.npy" 2>&1 >/dev/null | grep -o '([0-9.]* img/s)' | tr -d '(' | cut -d' ' -f1
}
mkdir -p "$work/overlap"; head -n 2000 "$work/large.txt" > "$work/o.txt"; xargs -a "$work/o.txt" cp -t "$work/overlap/"
for ahead in 0 1 0 1; do echo "tiny model, 2000 images, --decode-ahead $ahead: $(rate --model "$work/tiny.onnx" --decode-ahead $ahead) img/s"; done
rm -rf "$work/overlap"; mkdir -p "$work/overlap"; head -n "$resnet" "$work/large.txt" > "$work/o.txt"; xargs -a "$work/o.txt" cp -t "$work/overlap/"
for ahead in 0 1 0 1; do echo "ResNet-18, $resnet images, --decode-ahead $ahead: $(rate --decode-ahead $ahead) img/s"; done
