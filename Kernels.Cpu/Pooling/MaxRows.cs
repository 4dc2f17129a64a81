using System.Runtime.CompilerServices;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Graph.Ops;

namespace Cardinal.Kernels.Cpu.Pooling;

/// <summary>
/// 2-D float max pooling without indices (ResNet's 3×3 stride-2 stem pool), one plane per task, in two
/// passes per output row: the vertical maximum of the window's input rows, whole rows at a time in vectors of
/// the platform's width,
/// then the horizontal maximum of each window over that row. The general window walk visits every tap with
/// bounds checks and took ~5 % of ResNet-50; this does a third of the comparisons, mostly vectorised.
/// </summary>
/// <remarks>
/// NaN propagates, as in the general walk: the platform's MaxRow and <see cref="MathF.Max"/> follow
/// IEEE 754 maximum. The one difference is that max(−0, +0) is +0 here where the walk keeps the first.
/// </remarks>
internal readonly unsafe struct MaxRows(float* x, float* y, Window3D win, CpuPlatform platform) : IParallelBody
{
    public static bool Applies(in Window3D w) =>
        w.IsPlanar && w.DH == 1 && w.DW == 1 && w.InW <= 4096; // one row on the stack

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Invoke(int p)
    {
        float* plane = x + (long)p * win.InSize;
        float* outRow = y + (long)p * win.OutSize;
        Span<float> columns = stackalloc float[win.InW];
        for (int oh = 0; oh < win.OutH; oh++, outRow += win.OutW)
        {
            int top = Math.Max(0, oh * win.SH - win.PadH), bottom = Math.Min(win.InH, oh * win.SH - win.PadH + win.KH);
            if (top >= bottom)
            {
                // A window wholly in the padding has no taps: it gives the padding value, as in the general walk.
                new Span<float>(outRow, win.OutW).Fill(MaxPoolPadding.Float);
                continue;
            }
            VerticalMax(plane, top, bottom, columns);
            for (int ow = 0; ow < win.OutW; ow++)
            {
                int left = Math.Max(0, ow * win.SW - win.PadW), right = Math.Min(win.InW, ow * win.SW - win.PadW + win.KW);
                float best = left < right ? columns[left] : MaxPoolPadding.Float;
                for (int iw = left + 1; iw < right; iw++) best = MathF.Max(best, columns[iw]);
                outRow[ow] = best;
            }
        }
    }

    private void VerticalMax(float* plane, int top, int bottom, Span<float> columns)
    {
        new ReadOnlySpan<float>(plane + (long)top * win.InW, win.InW).CopyTo(columns);
        fixed (float* acc = columns)
            for (int ih = top + 1; ih < bottom; ih++) platform.MaxRow(acc, plane + (long)ih * win.InW, win.InW);
    }
}
