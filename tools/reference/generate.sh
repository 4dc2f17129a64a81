#!/usr/bin/env bash
# Generates the reference data into a cache outside the clone, each set keyed by its script's hash: CI on
# the same machine reuses it, a changed script or a fresh machine regenerates it.
#   tools/reference/generate.sh [small|full|all]   (default all; the full torchvision zoo takes ~3 min on 2 cores)
# Sets: torchvision/ (export_torchvision.py) and preprocessing/ (export_preprocessing.py); each gets a
# "current" link to its latest folder. CARDINAL_REFERENCE_CACHE overrides the root (~/.cache/cardinal/reference).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
set_name=${1:-all}
root=${CARDINAL_REFERENCE_CACHE:-$HOME/.cache/cardinal/reference}

# generate NAME SCRIPT STAMP ARGS...: runs SCRIPT --out DIR ARGS unless DIR/.complete-STAMP exists. The folder is
# keyed by SCRIPT's hash, or by SCRIPT and the files in $DEPS hashed together (a script that imports another).
generate() {
  local name=$1 script=$2 stamp=$3; shift 3
  local hash dir
  hash=$(cat "$here/$script" ${DEPS:+$DEPS} | sha256sum | cut -c1-16)
  dir="$root/$name/$hash"
  if [ ! -f "$dir/.complete-$stamp" ] && [ ! -f "$dir/.complete-all" ]; then
    mkdir -p "$dir"
    echo "Generating $name references into $dir ..." >&2
    /usr/bin/python3 "$here/$script" --out "$dir" "$@" >&2
    touch "$dir/.complete-$stamp"
  fi
  ln -sfn "$hash" "$root/$name/current"
  echo "$dir"
}

generate torchvision export_torchvision.py "$set_name" --set "$set_name"
generate preprocessing export_preprocessing.py all
if [ "$set_name" != small ]; then
  DEPS="$here/export_torchvision.py" generate layer-features export_layer_features.py all
fi
