#!/usr/bin/env bash
# The index benchmark (not in CI): exact top-k over ROWS × DIM random unit vectors, Cardinal's `index` (SGEMM
# blocks + running top-k) against FAISS's IndexFlatIP on the same normalised floats, same machine, same threads.
#   tools/index-bench/bench.sh [ROWS=1000000] [DIM=512] [THREADS=nproc] [REPEAT=5]
# FAISS is configured fairly: Debian's python3-faiss calls the reference BLAS unless libopenblas0-pthread is
# installed, and OpenBLAS 0.3.21 does not recognise this AVX-512 processor without OPENBLAS_CORETYPE=SkylakeX
# (it would fall back to a generic kernel). Needs ~3 × ROWS × DIM × 4 bytes of memory and of disk (in $TMPDIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-1000000} dim=${2:-512} threads=${3:-$(nproc)} repeat=${4:-5}
work=$(mktemp -d "${TMPDIR:-/tmp}/cardinal-index-bench-XXXX")
trap 'rm -rf "$work"' EXIT
dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null | grep -q "install ok installed" \
  || { echo "install libopenblas0-pthread first (else FAISS runs on the reference BLAS)" >&2; exit 2; }

dotnet build "$root/tools/Cardinal.Cli/Cardinal.Cli.csproj" -c Release -nologo -v q >/dev/null
dotnet build "$root/Engine.Bench/Cardinal.Engine.Bench.csproj" -c Release -nologo -v q >/dev/null
cli="$root/tools/Cardinal.Cli/bin/Release/net10.0/cardinal"
bench="$root/Engine.Bench/bin/Release/net10.0/Cardinal.Engine.Bench"

/usr/bin/python3 "$(dirname "$0")/make_vectors.py" "$work/parts" "$rows" "$dim" 64 1
/usr/bin/time -f "index build: %e s, max RSS %M KB" "$cli" index build "$work/parts" --out "$work/v.cvi" --model-id random
echo "FAISS IndexFlatIP:"
OPENBLAS_CORETYPE=SkylakeX OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads \
  /usr/bin/python3 "$(dirname "$0")/faiss_topk.py" "$work/parts/part-00000.npy" "$work/parts/queries.npy" 10 "$work/faiss" --repeat "$repeat"
echo "Cardinal:"
"$bench" search "$work/v.cvi" "$work/parts/queries.npy" --top 10 --repeat "$repeat" --threads "$threads" --out "$work/cardinal"
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
w = sys.argv[1]
a, b = np.load(w + "/faiss.ids.npy"), np.load(w + "/cardinal.ids.npy")
same = sum(set(x) == set(y) for x, y in zip(a, b))
exact = int((a == b).all(axis=1).sum())
print(f"same neighbours: {same}/{len(a)} queries as sets, {exact}/{len(a)} in the same order")
PY
