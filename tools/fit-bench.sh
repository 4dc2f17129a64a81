#!/usr/bin/env bash
# Times `cardinal fit` on the Fashion-MNIST subset (2,000 photos, bundled ResNet-18), embedding included:
# the embedding cache is a fresh temporary folder, so every photo is embedded. Prints fit's JSON timing
# (seconds.embedding, seconds.training) and the held-out accuracy, for RUNS runs (default 3), then the medians.
#   tools/fit-bench.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
subset=$(/usr/bin/python3 -I "$root/tools/fashion-mnist.py")
dotnet build "$root/tools/Cardinal.Cli/Cardinal.Cli.csproj" -c Release -nologo -v q >/dev/null
cli="$root/tools/Cardinal.Cli/bin/Release/net10.0/cardinal"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 "$runs"); do
  CARDINAL_CACHE_DIR="$work/cache-$i" "$cli" fit "$subset/train" --out "$work/fit.onnx" --json > "$work/run-$i.json"
  /usr/bin/python3 -I -c 'import json,sys; r=json.load(open(sys.argv[1])); s=r["seconds"]; e, t, a = s["embedding"], s["training"], r["accuracy"]; print(f"run {sys.argv[2]}: embedding {e:.1f} s, training {t:.1f} s, accuracy {a:.4f}")' "$work/run-$i.json" "$i"
done
/usr/bin/python3 -I -c '
import json, statistics, sys
runs = [json.load(open(p)) for p in sys.argv[1:]]
for part in ("embedding", "training"):
    m = statistics.median(r["seconds"][part] for r in runs); print(f"median {part}: {m:.1f} s")
' "$work"/run-*.json
