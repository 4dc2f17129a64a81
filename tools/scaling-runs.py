#!/usr/bin/env python3
"""Issue #11's >= 1.8x scaling target across several `Engine.Bench ortscaling` runs, since one run reads whatever
minutes the shared host gives it (its slow stretches slow both engines' 2-thread blocks and neither's 1-thread blocks:
Engine.Bench/NOTES.md, "Thirty-first sitting").

  tools/scaling-runs.py MODEL.onnx [--runs K] [--per-run R] [--target 1.8] [--keep DIR] [--exact]
  tools/scaling-runs.py --files OUT1.txt OUT2.txt ...      (read earlier `ortscaling --target 9` outputs)

Runs `ortscaling MODEL --runs R --target 9` K times (every layer over 0.5 ms on 1 thread listed), then prints per run
how many layers of each engine scale below the target, and per layer the median of its scaling over the runs with the
range and the runs below, beside ORT's node of the same layer. --exact passes `ortscaling --exact` (Cardinal's direct
kernels in the Winograd layers' place). Needs a Release build of Engine.Bench."""
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "Engine.Bench", "bin", "Release", "net10.0", "Cardinal.Engine.Bench.dll")


def option(argv, name, default):
    return argv[argv.index(name) + 1] if name in argv else default


def layers(text):
    """{layer: (ours, ORT's)} from the whole-run table of one `ortscaling --target 9` output (before the calm summary)."""
    out, started = {}, False
    for line in text.splitlines():
        if line.startswith("Layers over"):
            if started:
                break
            started = True
            continue
        if started and line.startswith("| /"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            out[cells[0]] = (float(cells[4]), float(cells[7]))
        elif started and (line.startswith("The calm") or line.startswith("Every")):
            break
    return out


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    target = float(option(argv, "--target", "1.8"))
    texts = []
    if argv[1] == "--files":
        files = [a for a in argv[2:] if not a.startswith("--") and a != option(argv, "--target", None)]
        texts = [open(f, encoding="utf-8").read() for f in files]
    else:
        model, runs, per_run = argv[1], int(option(argv, "--runs", "6")), option(argv, "--per-run", "100")
        keep = option(argv, "--keep", None) or tempfile.mkdtemp(prefix="cardinal-scaling-")
        os.makedirs(keep, exist_ok=True)
        if not os.path.exists(BENCH):
            print(f"scaling-runs: {BENCH} is missing: dotnet build Engine.Bench -c Release", file=sys.stderr)
            return 2
        for k in range(runs):
            command = ["dotnet", BENCH, "ortscaling", model, "--runs", per_run, "--target", "9"] + (["--exact"] if "--exact" in argv else [])
            result = subprocess.run(command,
                                    cwd=ROOT, capture_output=True, text=True)
            if result.returncode != 0:
                print(result.stdout + result.stderr, file=sys.stderr)
                return 1
            with open(os.path.join(keep, f"ortscaling-{k + 1}.txt"), "w", encoding="utf-8") as f:
                f.write(result.stdout)
            texts.append(result.stdout)
        print(f"outputs kept in {keep}")
    tables = [layers(t) for t in texts]
    if not tables or not all(tables):
        print("scaling-runs: an output has no layer table (was it run with --target 9?)", file=sys.stderr)
        return 1
    for k, table in enumerate(tables, 1):
        ours = sum(v[0] < target for v in table.values())
        theirs = sum(v[1] < target for v in table.values())
        print(f"run {k}: {len(table)} layers; below {target}x: Cardinal {ours}, ORT {theirs}")
    names = sorted(set.intersection(*(set(t) for t in tables)), key=lambda n: statistics.median(t[n][0] for t in tables))
    print(f"\n| layer | Cardinal median | range | runs below {target}x | ORT median | runs below |")
    print("|---|---|---|---|---|---|")
    for n in names:
        ours = [t[n][0] for t in tables]
        theirs = [t[n][1] for t in tables]
        print(f"| {n} | {statistics.median(ours):.2f} | {min(ours):.2f}–{max(ours):.2f} | {sum(x < target for x in ours)} "
              f"| {statistics.median(theirs):.2f} | {sum(x < target for x in theirs)} |")
    medians_ours = [statistics.median(t[n][0] for t in tables) for n in names]
    medians_ort = [statistics.median(t[n][1] for t in tables) for n in names]
    clean_ours = sum(all(v[0] >= target for v in t.values()) for t in tables)
    clean_ort = sum(all(v[1] >= target for v in t.values()) for t in tables)
    print(f"\n{len(tables)} runs: every layer at or over {target}x in {clean_ours} (Cardinal) and {clean_ort} (ORT); "
          f"the lowest per-layer median {min(medians_ours):.2f} (Cardinal), {min(medians_ort):.2f} (ORT); "
          f"layers whose median is below {target}x: Cardinal {sum(m < target for m in medians_ours)}, ORT {sum(m < target for m in medians_ort)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
