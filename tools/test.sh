#!/usr/bin/env bash
# The test command (README, and what .ci/run calls). On a fresh Debian machine it installs the reference
# packages, generates the torchvision reference cache (~/.cache/cardinal, keyed by the export script's hash),
# builds Release and runs every test, then prints one line: "N passed, N failed, N skipped".
# Extra arguments go to dotnet test (e.g. --filter "FullyQualifiedName~Onnx").
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

tools/install-references.sh || { echo "could not install the Debian reference packages" >&2; exit 2; }
tools/reference/generate.sh all >/dev/null || { echo "could not generate the torchvision references" >&2; exit 2; }
/usr/bin/python3 -I tools/fashion-mnist.py >/dev/null || { echo "could not write the Fashion-MNIST subset" >&2; exit 2; }
dotnet build Engine.sln -c Release -nologo -v q || exit 2
# The NativeAOT sample service, which ServiceAotTests compares with the JIT build (about 3 minutes on 2 cores).
tools/serve-aot.sh >/dev/null || { echo "could not publish the NativeAOT service (tools/serve-aot.sh)" >&2; exit 2; }

results="$root/artifacts/test-results"
rm -rf "$results"
dotnet test Engine.Tests/Cardinal.Engine.Tests.csproj -c Release --no-build -nologo \
  --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

trx="$results/tests.trx"
if [ ! -f "$trx" ]; then
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
# dotnet test prints no summary line of this form: read the counters from the TRX report.
counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
count() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
passed=$(count passed); failed=$(( $(count failed) + $(count error) + $(count timeout) + $(count aborted) ))
# Ignored tests are not "executed"; the notExecuted counter stays 0 for them.
skipped=$(( $(count total) - $(count executed) ))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] && [ "$status" -eq 0 ] && exit 0
exit 1
