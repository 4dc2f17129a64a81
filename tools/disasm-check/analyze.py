#!/usr/bin/env python3
"""Reads JIT disassembly (DOTNET_JitDisasm / DOTNET_JitStdOutFile) and checks each listed method's innermost loops:
no vector spills (vector loads or stores through rsp or rbp), FMAs present, how many take an embedded broadcast,
no call inside the loop, and no bounds-check helper anywhere in the method. Prints one row per method listing and
exits 1 when a kernel fails a check (issue #11: "no spills in the inner loop, FMAs with embedded broadcasts, no bounds
checks"). Usage: analyze.py LISTING.txt [--no-fma NAME,...] [--expect-broadcast NAME,...]
--no-fma names kernels with no FMA by design (their loops are checked for spills, calls and bounds checks alone);
--expect-broadcast names kernels whose loops must take an embedded broadcast ({1to16}).
One row per distinct listing (a method and its generic instance); a method compiled in several runs reads once."""
import re
import sys

HEADER = re.compile(r"^; Assembly listing for method (.+?) \(([^()]+)\)\s*$")
# The code that runs for long: methods compiled at once with full optimization, and tier 1 (tier 0 and the instrumented
# tiers are short-lived steps on the way there).
CHECKED_TIERS = {"FullOpts", "Tier1", "Tier1-OSR"}
LABEL = re.compile(r"^(G_M\d+_IG\d+):")
BRANCH = re.compile(r"^\s+j\w+\s+(?:SHORT\s+)?(G_M\d+_IG\d+)\s*$")
VECTOR = re.compile(r"\b[xyz]mm\d+\b|[xyz]mmword ptr")
STACK = re.compile(r"\[(rsp|rbp)[^\]]*\]")
FMA = re.compile(r"^\s+vfn?m(add|sub)\d+[ps]s\b")
BROADCAST = re.compile(r"\{1to(4|8|16)\}")


def listings(lines):
    """(name, tier, instruction lines) per method listing."""
    current = None
    for line in lines:
        m = HEADER.match(line)
        if m:
            if current:
                yield current
            current = (m.group(1), m.group(2), [])
        elif current is not None:
            if line.startswith("; Total bytes of code"):
                yield current
                current = None
            else:
                current[2].append(line.rstrip("\n"))
    if current:
        yield current


def innermost_loops(body):
    """Loops as (start, end) line ranges: a label and the last branch back to it. Innermost: no other loop inside."""
    labels = {}
    loops = []
    for i, line in enumerate(body):
        m = LABEL.match(line)
        if m:
            labels[m.group(1)] = i
        b = BRANCH.match(line)
        if b and b.group(1) in labels and labels[b.group(1)] <= i:
            loops.append((labels[b.group(1)], i))
    loops = sorted(set(loops))
    return [l for l in loops if not any(o != l and l[0] <= o[0] and o[1] <= l[1] for o in loops)]


def check(name, tier, body):
    loops = innermost_loops(body)
    spills = fmas = broadcasts = calls = 0
    for start, end in loops:
        for line in body[start:end + 1]:
            if STACK.search(line) and VECTOR.search(line):
                spills += 1
            if FMA.match(line):
                fmas += 1
                if BROADCAST.search(line):
                    broadcasts += 1
            if re.match(r"^\s+call\b", line):
                calls += 1
    bounds = sum(1 for line in body if "RNGCHKFAIL" in line)
    return dict(name=name, tier=tier, loops=len(loops), fmas=fmas, broadcasts=broadcasts, spills=spills, calls=calls, bounds=bounds)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    def names(flag):
        return set(argv[argv.index(flag) + 1].split(",")) if flag in argv else set()
    expect, no_fma = names("--expect-broadcast"), names("--no-fma")
    rows, seen = [], set()
    with open(argv[1], encoding="utf-8", errors="replace") as f:
        for name, tier, body in listings(f):
            if tier not in CHECKED_TIERS or not name.startswith("Cardinal.") or (name, tier) in seen:
                continue
            seen.add((name, tier))
            rows.append(check(name, tier, body))
    if not rows:
        print("disasm-check: no method listings found (did DOTNET_JitDisasm name methods that ran?)", file=sys.stderr)
        return 1
    failed = 0
    print("| method | tier | inner loops | FMAs in them | with embedded broadcast | vector stack ops | calls | bounds-check helpers | verdict |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        short = re.sub(r"^Cardinal\.Kernels\.Cpu\.", "", r["name"])
        short = re.sub(r"\(.*\)$", "", short)
        problems = []
        base = short.split(":")[-1].split("[")[0]
        if r["loops"] == 0:
            problems.append("no loop")
        elif r["fmas"] == 0 and base not in no_fma:
            problems.append("no FMA in the loop")
        if r["spills"]:
            problems.append("spills")
        if r["calls"]:
            problems.append("calls in the loop")
        if r["bounds"]:
            problems.append("bounds checks")
        if base in expect and r["broadcasts"] == 0:
            problems.append("no embedded broadcast")
        verdict = "ok" if not problems else ", ".join(problems)
        failed += bool(problems)
        print(f"| {short} | {r['tier']} | {r['loops']} | {r['fmas']} | {r['broadcasts']} | {r['spills']} | {r['calls']} | {r['bounds']} | {verdict} |")
    print(f"{len(rows)} listings, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
