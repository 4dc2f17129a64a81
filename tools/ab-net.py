#!/usr/bin/python3
"""`Engine.Bench ab` in both label orders, each step's change netted against the steps the change does not touch.

    tools/ab-net.py MODEL.onnx X Y [--threads T] [--batch B] [--rounds K] [--runs R] [--pattern RE] [--control RE]

X and Y are BlockedTuning settings as `ab` takes them (Name=value[,Name=value...]). The script runs `ab --a X --b Y`, then
`ab --a Y --b X`. For each step it takes the four medians it gets (two label orders x which session was made first) as
log ratios Y / X and averages them: a label's own bias (up to 0.1 ms a step on this host, and a second label that won
every run by 2 %) cancels. The host's pace also moves between the two runs, and steps whose plans X and Y share move
with it, so the median of the --control steps (a regex; say the 3x3s and the stem for a 1x1 rule) is subtracted from
every other step's. Prints each step's net change in %, its four log ratios, and the affected steps' sum in ms.
Needs the Release build of Engine.Bench (dotnet build Engine.sln -c Release). NOTES "Twenty-seventh sitting".
"""
import argparse
import math
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "Engine.Bench", "bin", "Release", "net10.0", "Cardinal.Engine.Bench.dll")
STEP = re.compile(r"^(/\S+)\s+([\d.]+)\s+([\d.]+)\s+[+-][\d.]+ \|\s+([\d.]+)\s+([\d.]+)\s+[+-][\d.]+")


def run_ab(args, a, b):
    cmd = ["dotnet", BENCH, "ab", args.model, "--threads", str(args.threads), "--batch", str(args.batch),
           "--a", a, "--b", b, "--pattern", args.pattern, "--rounds", str(args.rounds), "--runs", str(args.runs)]
    # Invariant culture: the step lines are parsed for '.' decimals.
    env = dict(os.environ, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1")
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    if done.returncode != 0:
        sys.exit(f"ab-net: ab failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    steps = {}
    for line in done.stdout.splitlines():
        if line.startswith("plain run"):
            print(f"  [A={a} B={b}] {line}")
        m = STEP.match(line)
        if m:
            steps[m[1]] = tuple(float(m[i]) for i in range(2, 6))  # A, B (A made first), A, B (B made first)
    if not steps:
        sys.exit(f"ab-net: no step of ab's output matched --pattern {args.pattern!r}")
    return steps


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model")
    p.add_argument("x")
    p.add_argument("y")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--pattern", default="Conv")
    p.add_argument("--control", default="conv2|^/conv1/")
    args = p.parse_args()
    control = re.compile(args.control)
    xy, yx = run_ab(args, args.x, args.y), run_ab(args, args.y, args.x)
    rows = []
    for name, (a1, b1, a2, b2) in xy.items():
        if name not in yx:
            continue
        c1, e1, c2, e2 = yx[name]  # here A is Y and B is X
        if min(a1, b1, a2, b2, c1, e1, c2, e2) <= 0:
            continue  # a step too short to time
        logs = [math.log(b1 / a1), math.log(b2 / a2), math.log(c1 / e1), math.log(c2 / e2)]
        rows.append((name, statistics.mean([a1, a2, e1, e2]), statistics.mean(logs), logs))
    controls = [r[2] for r in rows if control.search(r[0])]
    drift = statistics.median(controls) if controls else 0.0
    print(f"control steps {len(controls)}: median log(Y/X) {drift * 100:+.2f} % (subtracted below)")
    total = 0.0
    for name, ms, mean, logs in rows:
        if control.search(name):
            continue
        net = mean - drift
        total += net * ms
        print(f"{name[:55]:55s} {ms:8.3f} ms  Y/X {net * 100:+6.2f} %  ({' '.join(f'{v * 100:+.1f}' for v in logs)})")
    print(f"the other steps: Y - X = {total:+.3f} ms after the controls' drift")


if __name__ == "__main__":
    main()
