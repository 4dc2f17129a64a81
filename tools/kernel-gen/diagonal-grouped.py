# Generates Kernels.Cpu/Nchwc/GroupedDiagonal.Tiles.cs: the diagonal grouped kernels, one method per (tier, group width, pixels).
# Run from anywhere: python3 tools/kernel-gen/diagonal-grouped.py (rewrites the file in the repository).
import os
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

# Per tier: the vector type, its lanes (the block), the in-group permute, the method suffix, how a tile's summary
# begins, and the (group width, widest tile) pairs. AVX-512: up to 24 of the 32 zmm registers as accumulators; AVX2:
# 8 of the 16 ymm (two groups of 4 per 8-lane block; a group of 8 is the whole block, where the dense kernel is exact).
TIERS = [
    dict(vec="Vector512", lanes=16, permute="Avx512F.PermuteVar16x32", suffix="Avx512", prefix="", widths=((4, 6), (8, 3))),
    dict(vec="Vector256", lanes=8, permute="Avx2.PermuteVar8x32", suffix="Avx2", prefix="AVX2, ", widths=((4, 2),)),
]


def perm(g, r, lanes):
    """Lane o of P_r(v) reads v at o's group base + (o mod g + r) mod g."""
    return ", ".join(str((o // g) * g + (o % g + r) % g) for o in range(lanes))


def dispatcher(w, t):
    v, s = t["vec"], t["suffix"]
    if s == "Avx512":
        w("    /// <summary>One tile of <paramref name=\"pixels\"/> output pixels of one block, groups of <paramref name=\"width\"/> (4: 1–6 pixels, 8: 1–3).</summary>")
    else:
        w("")
        w("    /// <summary>AVX2 (b = 8): one tile of <paramref name=\"pixels\"/> ∈ {1, 2} output pixels of one block, groups of 4.</summary>")
    w(f"    internal static void Tile_{s}<TEpilogue>(int width, int pixels, float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)")
    w("        where TEpilogue : struct, IEpilogue")
    w("    {")
    w("        switch (width * 8 + pixels)")
    w("        {")
    for g, pmax in t["widths"]:
        for p in range(1, pmax + 1):
            w(f"            case {g * 8 + p}: Diag{g}x{p}_{s}<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;")
    tier = "" if s == "Avx512" else "AVX2 "
    w(f"            default: throw new ArgumentOutOfRangeException(nameof(pixels), $\"No {tier}diagonal tile of {{pixels}} pixels for groups of {{width}}.\");")
    w("        }")
    w("    }")


def tile(w, t, g, p):
    v, lanes, s = t["vec"], t["lanes"], t["suffix"]
    accs = [f"a{i}_{r}" for i in range(p) for r in range(g)]
    w("")
    if s == "Avx512":
        w(f"    /// <summary>{p} pixel(s), groups of {g}: {p * g} accumulators (pixel × rotation), one weight vector per rotation and tap.</summary>")
    else:
        w(f"    /// <summary>{t['prefix']}{p} pixel(s), groups of {g}: {p * g} accumulators (pixel × rotation).</summary>")
    w("    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
    w(f"    private static void Diag{g}x{p}_{s}<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)")
    w("        where TEpilogue : struct, IEpilogue")
    w("    {")
    w(f"        {v}<float> {', '.join(accs)};")
    w(f"        {' = '.join(accs)} = {v}<float>.Zero;")
    w(f"        nint tap = {g * lanes}, filterRow = args->FilterRow, pixel = args->PixelStep;")
    w("        float* xr = x, wr = w;")
    w("        for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)")
    w("        {")
    w("            float* xc = xr, wc = wr;")
    w("            for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)")
    w("            {")
    for i in range(p):
        w(f"                {v}<float> x{i} = {v}.Load(xc{'' if i == 0 else f' + {i} * pixel'});")
    for r in range(g):
        line = f"                {v}<float> w{r} = {v}.Load(wc + {r * lanes});"
        for i in range(p):
            line += f" a{i}_{r} = {v}.FusedMultiplyAdd(x{i}, w{r}, a{i}_{r});"
        w(line)
    w("            }")
    w("        }")
    for r in range(1, g):
        w(f"        {v}<int> r{r} = {v}.Create({perm(g, r, lanes)});")
    w(f"        {v}<float> bias0 = {v}.Load(bias);")
    for i in range(p):
        total = f"a{i}_0"
        for r in range(1, g):
            total = f"{total} + {t['permute']}(a{i}_{r}, r{r})"
        w(f"        {v}<float> s{i} = {total};")
        w(f"        {v}.Store(TEpilogue.Apply(s{i}, bias0, TEpilogue.ReadsResidual ? {v}.Load(residual + {i * lanes}) : default), y + {i * lanes});")
    w("    }")


out = []
w = out.append
w("using System.Runtime.CompilerServices;")
w("using System.Runtime.Intrinsics;")
w("using System.Runtime.Intrinsics.X86;")
w("using Cardinal.Epilogues;")
w("")
w("namespace Cardinal.Kernels.Cpu.Nchwc;")
w("")
w("// Written out per (group width, pixels) by a short generator (tools/kernel-gen/diagonal-grouped.py):")
w("// the JIT does not unroll loops, and each accumulator must be its own local to stay in a register.")
w("internal sealed unsafe partial class GroupedDiagonalPlan")
w("{")
for t in TIERS:
    dispatcher(w, t)
    for g, pmax in t["widths"]:
        for p in range(1, pmax + 1):
            tile(w, t, g, p)
w("}")
open(os.path.join(root, "Kernels.Cpu/Nchwc/GroupedDiagonal.Tiles.cs"), "w").write("\n".join(out) + "\n")
