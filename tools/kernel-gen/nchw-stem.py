# Generates Kernels.Cpu/Nchwc/NchwStem.Avx512.cs: the NCHW-input stem tiles, one method per (pixels, blocks).
# Run from anywhere: python3 tools/kernel-gen/nchw-stem.py (rewrites the file in the repository).
import os
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
out = []
w = out.append
w("using System.Runtime.CompilerServices;")
w("using System.Runtime.Intrinsics;")
w("using Cardinal.Epilogues;")
w("")
w("namespace Cardinal.Kernels.Cpu.Nchwc;")
w("")
w("// Written out per (pixels, blocks) by a short generator (tools/kernel-gen/nchw-stem.py): the")
w("// JIT does not unroll loops, and each accumulator must be its own local to stay in a register.")
w("internal sealed unsafe partial class NchwStemPlan")
w("{")
w("    /// <summary>One tile of <paramref name=\"pixels\"/> ∈ [1, 6] output pixels along a row × <paramref name=\"blocks\"/> ∈ [1, 4] output blocks.</summary>")
w("    internal static void Tile_Avx512<TEpilogue>(int pixels, int blocks, float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)")
w("        where TEpilogue : struct, IEpilogue")
w("    {")
w("        switch (pixels * 8 + blocks)")
w("        {")
for p in range(1, 7):
    for r in range(1, 5):
        w(f"            case {p * 8 + r}: Stem_{p}x{r}_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;")
w("            default: throw new ArgumentOutOfRangeException(nameof(pixels), $\"No stem tile of {pixels} pixels × {blocks} blocks.\");")
w("        }")
w("    }")
for p in range(1, 7):
    for r in range(1, 5):
        accs = [f"a{i}{j}" for i in range(p) for j in range(r)]
        w("")
        w(f"    /// <summary>{p} pixel(s) × {r} output block(s): {p * r} accumulators; per tap {r} weight vectors and {p} broadcast input values.</summary>")
        w("    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
        w(f"    private static void Stem_{p}x{r}_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)")
        w("        where TEpilogue : struct, IEpilogue")
        w("    {")
        w(f"        Vector512<float> {', '.join(accs)};")
        w(f"        {' = '.join(accs)} = Vector512<float>.Zero;")
        w(f"        nint tap = {r * 16}, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;")
        w("        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)")
        w("        {")
        w("            float* xr = x, wr = w;")
        w("            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)")
        w("            {")
        w("                float* xc = xr, wc = wr;")
        w("                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)")
        w("                {")
        for j in range(r):
            w(f"                    Vector512<float> w{j} = Vector512.Load(wc + {j * 16});")
        for i in range(p):
            line = f"                    Vector512<float> s{i} = Vector512.Create(xc[{'0' if i == 0 else f'{i} * pixel'}]);"
            for j in range(r):
                line += f" a{i}{j} = Vector512.FusedMultiplyAdd(s{i}, w{j}, a{i}{j});"
            w(line)
        w("                }")
        w("            }")
        w("        }")
        w("        nint outBlock = args->OutBlockStride;")
        for j in range(r):
            w(f"        Vector512<float> bias{j} = Vector512.Load(bias + {j * 16});")
        for i in range(p):
            for j in range(r):
                off = f"{j} * outBlock + {i * 16}" if j else f"{i * 16}"
                w(f"        Vector512.Store(TEpilogue.Apply(a{i}{j}, bias{j}, TEpilogue.ReadsResidual ? Vector512.Load(residual + {off}) : default), y + {off});")
        w("    }")
w("}")
open(os.path.join(root, "Kernels.Cpu/Nchwc/NchwStem.Avx512.cs"), "w").write("\n".join(out) + "\n")
