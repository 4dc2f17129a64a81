#!/usr/bin/env bash
# Updates the tracked public API of the packaged libraries (PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt
# beside each project, checked by Microsoft.CodeAnalysis.PublicApiAnalyzers on every build) after a
# deliberate API change: each new public symbol the build reports (RS0016) is added to Unshipped, each one
# that is gone or no longer public (RS0017) is dropped from Unshipped, or marked *REMOVED* there when it had
# shipped. Then it builds again, which must pass. Review the diff: it is the API change a user will see.
#   tools/public-api.sh                 every packaged library
#   tools/public-api.sh Engine Formats  those project folders only
# At a release, move Unshipped's lines into Shipped (and empty Unshipped to its "#nullable enable" line).
# (`dotnet format analyzers --diagnostics RS0016` would be the stock way, but it applies no fix that only
# changes an additional file: it reports "Formatted 0 files" here.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=(Engine Kernels.Cpu Kernels.Gpu Formats Formats/ImageSharp tools/Cardinal.Hosting)

for dir in "${projects[@]}"; do
  csproj=$(ls "$dir"/*.csproj)
  for f in Shipped Unshipped; do [ -f "$dir/PublicAPI.$f.txt" ] || printf '#nullable enable\n' >"$dir/PublicAPI.$f.txt"; done
  # Every diagnostic of a full compile of this project (warnings stay warnings: the whole list is wanted).
  log=$(dotnet build "$csproj" -c Release -nologo --no-incremental -p:TreatWarningsAsErrors=false 2>&1 || true)
  echo "$log" | /usr/bin/python3 -c '
import re, sys
folder, project = sys.argv[1], sys.argv[2]
added, removed = set(), set()
for line in sys.stdin:
    if "[" + project + "]" not in line: continue
    m = re.search(r"RS0016: Symbol \x27(.*)\x27 is not part of the declared public API", line)
    if m: added.add(m.group(1))
    m = re.search(r"RS0017: Symbol \x27(.*)\x27 is part of the declared (?:public )?API, but is either not public or could not be found", line)
    if m: removed.add(m.group(1))
def read(name):
    with open(f"{folder}/PublicAPI.{name}.txt") as f: return [l.rstrip("\n") for l in f if l.strip()]
shipped, unshipped = read("Shipped"), read("Unshipped")
body = [l for l in unshipped if l != "#nullable enable" and l not in removed]
body += ["*REMOVED*" + r for r in removed if r in shipped and "*REMOVED*" + r not in body]
body = sorted(set(body) | added, key=lambda l: (l.removeprefix("*REMOVED*"), l))
with open(f"{folder}/PublicAPI.Unshipped.txt", "w") as f: f.write("\n".join(["#nullable enable"] + body) + "\n")
print(f"public-api: {folder}: {len(added)} added, {len(removed)} removed, {len(body)} lines unshipped")
' "$dir" "$root/$csproj"
done
# The build must now pass with the API files as they are.
for dir in "${projects[@]}"; do dotnet build "$dir"/*.csproj -c Release -nologo -v q >/dev/null || { echo "public-api: $dir still fails to build" >&2; exit 1; }; done
echo "public-api: ok"
