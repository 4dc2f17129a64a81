#!/usr/bin/env bash
# The dotnet tool as a user gets it: packs Cardinal.Cli, installs it offline from that folder alone into a
# temporary tool path (with a NuGet cache of its own, so no stale copy of the same version is reused), and
# runs `cardinal --version`, `cardinal inspect` on the bundled model and `cardinal embed` on a photo. The
# installed tool's embedding must equal, bit for bit, the one the repository's own build computes.
# Exit 0 when all held; prints one line per check. CI runs it from .ci/run after the tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d "${TMPDIR:-/tmp}/cardinal-tool-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "tool-check: FAIL: $*" >&2; exit 1; }

version=$(dotnet msbuild tools/Cardinal.Cli/Cardinal.Cli.csproj -getProperty:Version)
dotnet pack tools/Cardinal.Cli/Cardinal.Cli.csproj -c Release -nologo -v q -o "$work/feed" >"$work/pack.log" 2>&1 \
  || { cat "$work/pack.log" >&2; fail "dotnet pack"; }
[ -f "$work/feed/Cardinal.Cli.$version.nupkg" ] || fail "no Cardinal.Cli.$version.nupkg in $(ls "$work/feed")"
echo "tool-check: packed Cardinal.Cli $version ($(du -m "$work/feed/Cardinal.Cli.$version.nupkg" | cut -f1) MiB)"

# Offline: the local folder is the only source.
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
  </packageSources>
</configuration>
XML
NUGET_PACKAGES="$work/nuget-cache" dotnet tool install Cardinal.Cli --version "$version" --tool-path "$work/tool" \
  --configfile "$work/nuget.config" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "dotnet tool install"; }
cardinal="$work/tool/cardinal"
[ -x "$cardinal" ] || fail "the install left no cardinal command in $work/tool"
echo "tool-check: installed offline into a temporary tool path"

got=$("$cardinal" --version) || fail "cardinal --version exited $?"
[[ "$got" == "$version"* ]] || fail "cardinal --version printed '$got', expected $version[+commit]"
echo "tool-check: cardinal --version → $got"

"$cardinal" inspect >"$work/inspect.txt" 2>&1 || { cat "$work/inspect.txt" >&2; fail "cardinal inspect exited non-zero"; }
grep -q "resnet18-mlnet.onnx" "$work/inspect.txt" && grep -q "\[1,512,1,1\]" "$work/inspect.txt" \
  || { cat "$work/inspect.txt" >&2; fail "cardinal inspect does not show the bundled ResNet-18 (512-d output)"; }
echo "tool-check: cardinal inspect shows the bundled ResNet-18"

tools/sample-photos.sh "$work/photos" 2>/dev/null || fail "tools/sample-photos.sh could not provide photos"
photo="$work/photos/chelsea.png"
"$cardinal" embed "$photo" --threads 1 --json >"$work/tool.json" 2>"$work/tool.err" \
  || { cat "$work/tool.err" >&2; fail "cardinal embed exited non-zero"; }
# The reference: the repository's own build of the CLI, on the same photo and thread count.
dotnet build tools/Cardinal.Cli/Cardinal.Cli.csproj -c Release -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "dotnet build"; }
dotnet tools/Cardinal.Cli/bin/Release/net10.0/cardinal.dll embed "$photo" --threads 1 --json >"$work/build.json" 2>"$work/build.err" \
  || { cat "$work/build.err" >&2; fail "the repository build's embed exited non-zero"; }
/usr/bin/python3 - "$work/tool.json" "$work/build.json" <<'PY' || fail "the installed tool's embedding differs from the build's"
import json, sys
tool, build = (json.load(open(p)) for p in sys.argv[1:3])
a, b = tool["embeddings"], build["embeddings"]
assert len(a) == 1 and len(b) == 1 and not tool["errors"], (len(a), len(b), tool["errors"])
assert tool["dimension"] == 512 and len(a[0]["embedding"]) == 512, tool["dimension"]
assert a[0]["embedding"] == b[0]["embedding"], "embeddings differ"
assert any(v != 0 for v in a[0]["embedding"]), "an all-zero embedding"
PY
echo "tool-check: cardinal embed → a 512-d embedding, identical to the repository build's"
echo "tool-check: ok"
