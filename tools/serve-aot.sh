#!/usr/bin/env bash
# NativeAOT publish of the sample service (README "Sample service" → NativeAOT). tools/test.sh runs it before the
# tests; ServiceAotTests then starts the binary and checks it answers /v1/embed with the JIT build's bytes.
#   tools/serve-aot.sh [OUT]     (default: artifacts/serve-aot; about 3 minutes on 2 cores)
# NativeAOT links with clang (Debian's `clang`, installed by tools/install-references.sh); the ILCompiler package is
# the SDK's own and restores from NuGet like any other.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/artifacts/serve-aot}
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "serve-aot: no NativeAOT runtime identifier for $(uname -m)" >&2; exit 2 ;;
esac
command -v clang >/dev/null || { echo "serve-aot: NativeAOT needs clang (apt-get install clang)" >&2; exit 2; }
dotnet publish "$root/tools/Cardinal.Serve/Cardinal.Serve.csproj" -c Release -r "$rid" -p:PublishAot=true -o "$out" -nologo -v q
for f in "$out/cardinal-serve" "$out/models/resnet18-mlnet.onnx"; do
  [ -e "$f" ] || { echo "serve-aot: $f is missing after the publish" >&2; exit 1; }
done
echo "serve-aot: $out/cardinal-serve ($(du -m "$out/cardinal-serve" | cut -f1) MiB)"
