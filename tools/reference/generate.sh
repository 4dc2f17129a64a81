#!/usr/bin/env bash
# Generates the torchvision reference models into a cache outside the clone, keyed by the export script's
# hash: CI on the same machine reuses it, a changed script or a fresh machine regenerates it.
#   tools/reference/generate.sh [small|full|all]      (default: all; the full zoo takes ~10 min on 2 cores)
# Prints the folder; CARDINAL_REFERENCE_CACHE overrides the cache root (~/.cache/cardinal/reference).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
set_name=${1:-all}
root=${CARDINAL_REFERENCE_CACHE:-$HOME/.cache/cardinal/reference}
hash=$(sha256sum "$here/export_torchvision.py" | cut -c1-16)
dir="$root/torchvision/$hash"
stamp="$dir/.complete-$set_name"
if [ ! -f "$stamp" ] && [ ! -f "$dir/.complete-all" ]; then
  mkdir -p "$dir"
  echo "Exporting torchvision references ($set_name) into $dir ..." >&2
  /usr/bin/python3 "$here/export_torchvision.py" --out "$dir" --set "$set_name" >&2
  touch "$stamp"
fi
ln -sfn "$hash" "$root/torchvision/current"
echo "$dir"
