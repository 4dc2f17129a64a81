#!/usr/bin/env bash
# Installs the Debian packages the reference tests read, when any is missing:
#   libonnx-testdata   the ONNX backend node test suite (/usr/share/libonnx-testdata/data)
#   python3-torch, python3-torchvision, python3-onnx   to export torchvision models and PyTorch outputs
#   python3-pil, python3-skimage   real sample photos and PIL, for the image preprocessing references
#   chromium, chromium-driver   headless browser test of the sample service's upload page
#   clang   the NativeAOT build of the sample service links with it (tools/serve-aot.sh)
#   dataset-fashion-mnist, python3-sklearn   `cardinal fit` on real photos, against scikit-learn's LogisticRegression
#   python3-faiss   FAISS's exact inner-product index, the reference for `index query`'s neighbours
#   redis-server   the multi-process cluster test's membership and grain storage (started on a loopback port by the test)
set -euo pipefail
packages=(libonnx-testdata python3-torch python3-torchvision python3-onnx python3-numpy python3-pil python3-skimage chromium chromium-driver clang dataset-fashion-mnist python3-sklearn python3-faiss redis-server)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian reference packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
