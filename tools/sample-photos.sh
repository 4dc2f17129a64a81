#!/usr/bin/env bash
# Copies real sample photos (from Debian's python3-skimage, installed when missing) into a folder, so the
# image jobs have something to chew on: tools/sample-photos.sh photos
set -euo pipefail
out=${1:?usage: tools/sample-photos.sh FOLDER}
if ! dpkg-query -W -f='${Status}' python3-skimage 2>/dev/null | grep -q "install ok installed"; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-skimage >&2
fi
data=$(/usr/bin/python3 -c 'import os, skimage; print(os.path.join(os.path.dirname(skimage.__file__), "data"))')
mkdir -p "$out"
for f in astronaut.png chelsea.png coffee.png motorcycle_left.png ihc.png rocket.jpg hubble_deep_field.jpg retina.jpg logo.png camera.png; do
  cp "$data/$f" "$out/"
done
echo "$out: $(ls "$out" | wc -l) photos" >&2
