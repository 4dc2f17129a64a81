#!/usr/bin/env bash
# The cluster benchmark (not in CI): one embed job over IMAGES synthetic photos, first in one process, then on
# three `cardinal silo` processes over a loopback redis-server with the third SIGKILLed once a few shards are
# done. Prints both wall times and checks that the two output folders are identical, byte for byte.
#   tools/cluster-bench/bench.sh [IMAGES=5000] [SHARD=250] [MODEL=tiny|default]
# MODEL tiny (the default here) is tools/embed-bench's 16-channel model, so the run measures the pipeline and
# the cluster rather than ResNet-18; "default" uses the bundled ResNet-18 (about 10× longer).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
images=${1:-5000} shard=${2:-250} model=${3:-tiny}
work=$(mktemp -d "${TMPDIR:-/tmp}/cardinal-cluster-bench-XXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
dotnet build "$root/tools/Cardinal.Cli/Cardinal.Cli.csproj" -c Release -nologo -v q >/dev/null
cli="$root/tools/Cardinal.Cli/bin/Release/net10.0/cardinal"
/usr/bin/python3 "$root/tools/embed-bench/make_images.py" "$work/images" "$images"
model_args=()
if [ "$model" = tiny ]; then /usr/bin/python3 "$root/tools/embed-bench/make_tiny_model.py" "$work/tiny.onnx"; model_args=(--model "$work/tiny.onnx"); fi

start=$(date +%s.%N)
"$cli" embed "$work/images" --out-dir "$work/single" --shard-size "$shard" "${model_args[@]}" >/dev/null 2>&1
single=$(echo "$(date +%s.%N) - $start" | bc)

port=$(( 20000 + RANDOM % 10000 ))
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >"$work/redis.log" 2>&1 & pids+=($!)
sleep 1
for i in 1 2 3; do
  "$cli" silo --redis "127.0.0.1:$port" --silo-port $((port + 10 + i)) --gateway-port $((port + 20 + i)) --fast-failover >"$work/silo$i.log" 2>&1 & pids+=($!)
done
for i in 1 2 3; do timeout 120 bash -c "until grep -q 'silo ready' '$work/silo$i.log'; do sleep 0.2; done"; done
start=$(date +%s.%N)
"$cli" embed "$work/images" --out-dir "$work/cluster" --shard-size "$shard" "${model_args[@]}" --cluster "127.0.0.1:$port" >"$work/client.log" 2>&1 &
client=$!
timeout 600 bash -c "until [ \$(ls '$work'/cluster/part-*.npy 2>/dev/null | wc -l) -ge 3 ]; do sleep 0.1; done"
kill -9 "${pids[3]}"; echo "killed silo 3 after $(ls "$work"/cluster/part-*.npy | wc -l) shards"
wait "$client" || true
clustered=$(echo "$(date +%s.%N) - $start" | bc)
grep -c "retried" "$work/client.log" | xargs echo "items dispatched again:"
echo "one process: ${single} s; three silos, one killed: ${clustered} s ($images images, shards of $shard, model $model, $(nproc) cores)"
diff -r "$work/single" "$work/cluster" >/dev/null && echo "outputs identical, byte for byte" || { echo "OUTPUTS DIFFER"; exit 1; }
