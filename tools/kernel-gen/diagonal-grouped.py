# Generates Kernels.Cpu/Nchwc/GroupedDiagonal.Tiles.cs: the diagonal grouped kernels, one method per (tier, group width, pixels).
# Run from anywhere: python3 tools/kernel-gen/diagonal-grouped.py (rewrites the file in the repository).
import os
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
def perm(g, r, lanes=16):
    return ", ".join(str((o // g) * g + (o % g + r) % g) for o in range(lanes))

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
w("    /// <summary>One tile of <paramref name=\"pixels\"/> output pixels of one block, groups of <paramref name=\"width\"/> (4: 1–6 pixels, 8: 1–3).</summary>")
w("    internal static void Tile_Avx512<TEpilogue>(int width, int pixels, float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)")
w("        where TEpilogue : struct, IEpilogue")
w("    {")
w("        switch (width * 8 + pixels)")
w("        {")
for g, pmax in ((4, 6), (8, 3)):
    for p in range(1, pmax + 1):
        w(f"            case {g * 8 + p}: Diag{g}x{p}_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;")
w("            default: throw new ArgumentOutOfRangeException(nameof(pixels), $\"No diagonal tile of {pixels} pixels for groups of {width}.\");")
w("        }")
w("    }")
for g, pmax in ((4, 6), (8, 3)):
    for p in range(1, pmax + 1):
        accs = [f"a{i}_{r}" for i in range(p) for r in range(g)]
        w("")
        w(f"    /// <summary>{p} pixel(s), groups of {g}: {p * g} accumulators (pixel × rotation), one weight vector per rotation and tap.</summary>")
        w("    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
        w(f"    private static void Diag{g}x{p}_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)")
        w("        where TEpilogue : struct, IEpilogue")
        w("    {")
        w(f"        Vector512<float> {', '.join(accs)};")
        w(f"        {' = '.join(accs)} = Vector512<float>.Zero;")
        w(f"        nint tap = {g * 16}, filterRow = args->FilterRow, pixel = args->PixelStep;")
        w("        float* xr = x, wr = w;")
        w("        for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)")
        w("        {")
        w("            float* xc = xr, wc = wr;")
        w("            for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)")
        w("            {")
        for i in range(p):
            w(f"                Vector512<float> x{i} = Vector512.Load(xc{'' if i == 0 else f' + {i} * pixel'});")
        for r in range(g):
            line = f"                Vector512<float> w{r} = Vector512.Load(wc + {r * 16});"
            for i in range(p):
                line += f" a{i}_{r} = Vector512.FusedMultiplyAdd(x{i}, w{r}, a{i}_{r});"
            w(line)
        w("            }")
        w("        }")
        for r in range(1, g):
            w(f"        Vector512<int> r{r} = Vector512.Create({perm(g, r)});")
        w("        Vector512<float> bias0 = Vector512.Load(bias);")
        for i in range(p):
            s = f"a{i}_0"
            for r in range(1, g):
                s = f"{s} + Avx512F.PermuteVar16x32(a{i}_{r}, r{r})"
            w(f"        Vector512<float> s{i} = {s};")
            w(f"        Vector512.Store(TEpilogue.Apply(s{i}, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + {i * 16}) : default), y + {i * 16});")
        w("    }")
# AVX2: 8 lanes (two groups of 4), 16 ymm registers: tiles of 1–2 pixels × 4 rotations (8 accumulators, the weight
# and the pixels' inputs in the rest).
w("")
w("    /// <summary>AVX2 (b = 8): one tile of <paramref name=\"pixels\"/> ∈ {1, 2} output pixels of one block, groups of 4.</summary>")
w("    internal static void Tile_Avx2<TEpilogue>(int width, int pixels, float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)")
w("        where TEpilogue : struct, IEpilogue")
w("    {")
w("        switch (width * 8 + pixels)")
w("        {")
for p in (1, 2):
    w(f"            case {4 * 8 + p}: Diag4x{p}_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;")
w("            default: throw new ArgumentOutOfRangeException(nameof(pixels), $\"No AVX2 diagonal tile of {pixels} pixels for groups of {width}.\");")
w("        }")
w("    }")
g = 4
for p in (1, 2):
    accs = [f"a{i}_{r}" for i in range(p) for r in range(g)]
    w("")
    w(f"    /// <summary>AVX2, {p} pixel(s), groups of {g}: {p * g} accumulators (pixel × rotation).</summary>")
    w("    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
    w(f"    private static void Diag{g}x{p}_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)")
    w("        where TEpilogue : struct, IEpilogue")
    w("    {")
    w(f"        Vector256<float> {', '.join(accs)};")
    w(f"        {' = '.join(accs)} = Vector256<float>.Zero;")
    w(f"        nint tap = {g * 8}, filterRow = args->FilterRow, pixel = args->PixelStep;")
    w("        float* xr = x, wr = w;")
    w("        for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)")
    w("        {")
    w("            float* xc = xr, wc = wr;")
    w("            for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)")
    w("            {")
    for i in range(p):
        w(f"                Vector256<float> x{i} = Vector256.Load(xc{'' if i == 0 else f' + {i} * pixel'});")
    for r in range(g):
        line = f"                Vector256<float> w{r} = Vector256.Load(wc + {r * 8});"
        for i in range(p):
            line += f" a{i}_{r} = Vector256.FusedMultiplyAdd(x{i}, w{r}, a{i}_{r});"
        w(line)
    w("            }")
    w("        }")
    for r in range(1, g):
        w(f"        Vector256<int> r{r} = Vector256.Create({perm(g, r, 8)});")
    w("        Vector256<float> bias0 = Vector256.Load(bias);")
    for i in range(p):
        t = f"a{i}_0"
        for r in range(1, g):
            t = f"{t} + Avx2.PermuteVar8x32(a{i}_{r}, r{r})"
        w(f"        Vector256<float> s{i} = {t};")
        w(f"        Vector256.Store(TEpilogue.Apply(s{i}, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + {i * 8}) : default), y + {i * 8});")
    w("    }")
w("}")
open(os.path.join(root, "Kernels.Cpu/Nchwc/GroupedDiagonal.Tiles.cs"), "w").write("\n".join(out) + "\n")
