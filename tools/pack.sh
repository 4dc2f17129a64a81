#!/usr/bin/env bash
# Packs every packable project of Engine.sln into artifacts/packages (or $1) and checks each package as
# nuget.org's users would see it: a real description, authors, the MIT licence expression and LICENSE file,
# a readme, a symbol package (.snupkg) beside it, and XML documentation next to each library assembly. ImageSharp
# must reach only the users of Cardinal.Formats.Images: Cardinal.Formats (and the engine and backends) may not depend on it.
# Package validation (EnablePackageValidation) runs inside dotnet pack. CI runs this from .ci/run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-artifacts/packages}
rm -rf "$out"
dotnet pack Engine.sln -c Release -nologo -v q -o "$out"
/usr/bin/python3 - "$out" <<'PY'
import os, sys, zipfile, xml.etree.ElementTree as ET
folder = sys.argv[1]
required = {"Cardinal.Engine", "Cardinal.Kernels.Cpu", "Cardinal.Kernels.Gpu", "Cardinal.Formats", "Cardinal.Formats.Images", "Cardinal.Hosting", "Cardinal.Cli"}
# Package dependencies that must (True) or must not (False) be there.
dependency_rules = {
    "Cardinal.Formats": {"SixLabors.ImageSharp": False, "Cardinal.Engine": True, "Cardinal.Kernels.Cpu": True},
    "Cardinal.Formats.Images": {"SixLabors.ImageSharp": True, "Cardinal.Formats": True},
    "Cardinal.Engine": {"SixLabors.ImageSharp": False},
    "Cardinal.Kernels.Cpu": {"SixLabors.ImageSharp": False},
}
problems, seen = [], set()
for name in sorted(os.listdir(folder)):
    if not name.endswith(".nupkg"):
        continue
    with zipfile.ZipFile(os.path.join(folder, name)) as z:
        files = set(z.namelist())
        nuspec = next(f for f in files if f.endswith(".nuspec") and "/" not in f)
        meta = ET.fromstring(z.read(nuspec)).find("{*}metadata")
    get = lambda tag: (meta.findtext("{*}" + tag) or "").strip()
    pid, version = get("id"), get("version")
    seen.add(pid)
    def need(ok, what):
        if not ok: problems.append(f"{pid} {version}: {what}")
    need(len(get("description")) > 40 and get("description") != "Package Description", "a real description")
    need(get("authors") not in ("", pid), "authors")
    lic = meta.find("{*}license")
    need(lic is not None and lic.get("type") == "expression" and lic.text == "MIT", "the MIT licence expression")
    need("LICENSE" in files, "the LICENSE file")
    need(get("readme") in files and get("readme") != "", "a readme")
    need(os.path.exists(os.path.join(folder, f"{pid}.{version}.snupkg")), "a .snupkg symbol package")
    deps = {d.get("id"): d.get("version") for d in meta.findall(".//{*}dependency")}
    for dep, wanted in dependency_rules.get(pid, {}).items():
        need((dep in deps) == wanted, f"{'a' if wanted else 'no'} dependency on {dep}")
    if pid == "Cardinal.Formats.Images":
        need(deps.get("SixLabors.ImageSharp") == "2.1.13", "SixLabors.ImageSharp 2.1.13 exactly as pinned (got " + str(deps.get("SixLabors.ImageSharp")) + ")")
    tool = any(t.get("name") == "DotnetTool" for t in meta.findall(".//{*}packageType"))
    if not tool:
        dlls = [f for f in files if f.startswith("lib/") and f.endswith(".dll")]
        need(dlls, "an assembly under lib/")
        for dll in dlls:
            need(dll[:-4] + ".xml" in files, f"XML documentation beside {dll}")
    else:
        need(any(f.endswith("/models/resnet18-mlnet.onnx") for f in files), "the bundled ResNet-18")
    print(f"pack: {pid} {version}{' (dotnet tool)' if tool else ''}: {len(files)} files")
missing = required - seen
if missing: problems.append("not packed: " + ", ".join(sorted(missing)))
for p in problems: print("pack: FAIL:", p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
echo "pack: ok ($out)"
