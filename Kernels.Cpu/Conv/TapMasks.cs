using Cardinal.Graph.Ops;
namespace Cardinal.Kernels.Cpu.Conv;

/// <summary>
/// Which output pixels each tap of a 2-D window reads inside the input: one word per (tap, output pixel),
/// all ones where input (SH·oh + dy, SW·ow + dx) exists, zero where it is padding, and N padded to NR
/// with zeros. Made once per convolution call, and shared by every GEMM block that gathers B panels.
/// </summary>
internal static class TapMasks
{
    public static int Stride(in Window3D w, int nr) => (w.OutSize + nr - 1) / nr * nr;

    public static int Length(in Window3D w, int nr) => w.KernelSize * Stride(w, nr);

    public static void Fill(in Window3D w, int nr, Span<uint> masks)
    {
        int stride = Stride(w, nr);
        masks[..Length(w, nr)].Clear();
        for (int kh = 0; kh < w.KH; kh++)
            for (int kw = 0; kw < w.KW; kw++)
            {
                int dy = kh * w.DH - w.PadH, dx = kw * w.DW - w.PadW;
                Span<uint> tap = masks.Slice((kh * w.KW + kw) * stride, stride);
                // Output columns [first, last) and rows [top, bottom) read inside the plane.
                var (first, last) = Inside(dx, w.SW, w.InW, w.OutW);
                var (top, bottom) = Inside(dy, w.SH, w.InH, w.OutH);
                for (int oh = top; oh < bottom; oh++) tap.Slice(oh * w.OutW + first, last - first).Fill(~0u);
            }
    }

    /// <summary>The outputs o in [0, count) with 0 ≤ stride·o + shift &lt; size, as [first, last).</summary>
    private static (int First, int Last) Inside(int shift, int stride, int size, int count)
    {
        int first = Math.Clamp(shift >= 0 ? 0 : (-shift + stride - 1) / stride, 0, count);
        int last = Math.Clamp(size - 1 - shift < 0 ? 0 : (size - 1 - shift) / stride + 1, first, count);
        return (first, last);
    }
}
