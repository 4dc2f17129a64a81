using System.Runtime.CompilerServices;
using Cardinal.Graph.Ops;
namespace Cardinal.Kernels.Cpu.Conv;

/// <summary>
/// Unfolds input patches into columns for convolution as GEMM.
/// src [C][InD][InH][InW] → dst [C·KD·KH·KW][OutD·OutH·OutW]; taps that fall in the padding read as 0.
/// </summary>
internal static class Im2Col
{
    /// <summary>Unfolds channel by channel; channels are independent rows of the output, so they run in parallel.</summary>
    /// <param name="halves">
    /// Where windows that <see cref="UsesHalves"/> split each channel: one <see cref="HalvesLength"/> slice per
    /// thread of <paramref name="parallel"/>, each starting on a 64-byte boundary (<see cref="HalvesStride"/>);
    /// null: allocated for this call.
    /// </param>
    /// <param name="src">[channels][InD·InH·InW]</param>
    /// <param name="channels">Input channels to unfold.</param>
    /// <param name="w">The window geometry.</param>
    /// <param name="dst">[channels·taps][OutD·OutH·OutW]</param>
    /// <param name="parallel">The worker threads; null runs on the caller's thread.</param>
    public static unsafe void Unfold(ReadOnlySpan<float> src, int channels, in Window3D w, Span<float> dst, Threading.ParallelRunner? parallel = null,
        float* halves = null)
    {
        parallel ??= Threading.ParallelRunner.Sequential;
        float[]? own = UsesHalves(w) && halves is null ? GC.AllocateUninitializedArray<float>((int)(parallel.Threads * HalvesStride(w)), pinned: true) : null;
        fixed (float* ps = src, pd = dst, po = own)
            parallel.For(channels, new ChannelBody(ps, pd, w, own is null ? halves : po, parallel));
    }

    /// <summary>Floats between two threads' half-plane slices (the length rounded up to 16 floats).</summary>
    public static long HalvesStride(in Window3D w) => (HalvesLength(w) + 15) / 16 * 16;

    /// <summary>Loop body: channel c's KD·KH·KW rows of the output.</summary>
    private readonly unsafe struct ChannelBody(float* src, float* dst, Window3D w, float* halves, Threading.ParallelRunner parallel) : Threading.IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int c)
        {
            var plane = new ReadOnlySpan<float>(src + (long)c * w.InSize, w.InSize);
            Span<float> split = default;
            if (UsesHalves(w))
            {
                split = new Span<float>(halves + parallel.CurrentWorker * HalvesStride(w), HalvesLength(w));
                SplitHalves(plane, w, split);
            }
            int row = c * w.KernelSize, outSize = w.OutSize;
            for (int kd = 0; kd < w.KD; kd++)
                for (int kh = 0; kh < w.KH; kh++)
                    for (int kw = 0; kw < w.KW; kw++, row++)
                        UnfoldTap(plane, w, kd, kh, kw, new Span<float>(dst + (long)row * outSize, outSize), split);
        }
    }

    /// <summary>
    /// A stride-1 "same" window (output as large as the input — every 3×3 layer of a ResNet but the
    /// strided ones): the tap's rows are the input plane shifted by (dy, dx), so one block copy moves
    /// them all and only the columns that wrapped across a row edge are zeroed afterwards. Row by row,
    /// a 7×7 plane would cost 7 tiny copies per tap.
    /// </summary>
    private static void UnfoldSameTap(ReadOnlySpan<float> plane, int height, int width, int dy, int dx, Span<float> dst)
    {
        int first = Math.Max(0, -dy), last = Math.Min(height, height - dy); // output rows whose input row exists
        if (last <= first) { dst.Clear(); return; }
        dst[..(first * width)].Clear();
        dst[(last * width)..].Clear();
        long source = (long)(first + dy) * width + dx, length = (long)(last - first) * width;
        // The part of the block whose source lies inside the plane (the rest reads past an edge: zero).
        long lo = Math.Clamp(-source, 0, length), hi = Math.Clamp(plane.Length - source, lo, length);
        Span<float> block = dst.Slice(first * width, (int)length);
        block[..(int)lo].Clear();
        if (hi > lo) plane.Slice((int)(source + lo), (int)(hi - lo)).CopyTo(block[(int)lo..]);
        block[(int)hi..].Clear();
        if (dx == 0) return;
        for (int row = 0; row < last - first; row++)
        {
            Span<float> line = block.Slice(row * width, width);
            if (dx > 0) line[Math.Max(0, width - dx)..].Clear();
            else line[..Math.Min(width, -dx)].Clear();
        }
    }

    /// <summary>
    /// Stride-2 windows (ResNet's 7×7 stem and strided downsamples) read every other input column. Split
    /// once per channel into its even and odd columns, each tap's row becomes one contiguous copy from a
    /// half instead of a scalar gather: [InD·InH][2][⌈InW/2⌉]. Only for windows several taps wide, which
    /// share the split: a strided 1×1 downsample reads each input element at most once, and splitting its
    /// whole plane first measured slower (5.3 → 5.9 ms over ResNet-50's downsamples).
    /// </summary>
    public static bool UsesHalves(in Window3D w) => w.SW == 2 && w.DW == 1 && w.KW >= 3;

    public static int HalvesLength(in Window3D w) => w.InD * w.InH * 2 * ((w.InW + 1) / 2);

    public static void SplitHalves(ReadOnlySpan<float> plane, in Window3D w, Span<float> halves)
    {
        int half = (w.InW + 1) / 2;
        for (int row = 0; row < w.InD * w.InH; row++)
        {
            ReadOnlySpan<float> source = plane.Slice(row * w.InW, w.InW);
            Span<float> even = halves.Slice(row * 2 * half, half), odd = halves.Slice(row * 2 * half + half, half);
            for (int i = 0; i < half; i++)
            {
                even[i] = source[2 * i];
                odd[i] = 2 * i + 1 < source.Length ? source[2 * i + 1] : 0f;
            }
        }
    }

    private static void UnfoldTap(ReadOnlySpan<float> plane, in Window3D w, int kd, int kh, int kw, Span<float> dst, ReadOnlySpan<float> halves = default)
    {
        if (w.InD == 1 && w.OutD == 1 && w.SH == 1 && w.SW == 1 && w.OutH == w.InH && w.OutW == w.InW)
        {
            // One depth plane in and out: a depth tap other than the one landing on it reads only padding
            // (a 3×3×3 video convolution once its depth has been strided down to 1).
            if (kd * w.DD - w.PadD != 0) dst.Clear();
            else UnfoldSameTap(plane, w.InH, w.InW, kh * w.DH - w.PadH, kw * w.DW - w.PadW, dst);
            return;
        }
        int o = 0;
        for (int od = 0; od < w.OutD; od++)
        {
            int id = od * w.SD - w.PadD + kd * w.DD;
            bool dInside = (uint)id < (uint)w.InD;
            for (int oh = 0; oh < w.OutH; oh++)
            {
                int ih = oh * w.SH - w.PadH + kh * w.DH;
                Span<float> line = dst.Slice(o, w.OutW);
                o += w.OutW;
                if (!dInside || (uint)ih >= (uint)w.InH) { line.Clear(); continue; }
                ReadOnlySpan<float> srcRow = plane.Slice((id * w.InH + ih) * w.InW, w.InW);
                int offset = kw * w.DW - w.PadW;
                if (w.SW == 1)
                {
                    // Contiguous: zeros where the row reads left/right padding, one copy for the rest.
                    int first = Math.Clamp(-offset, 0, w.OutW);
                    int last = Math.Clamp(w.InW - offset, first, w.OutW);
                    line[..first].Clear();
                    if (last > first) srcRow.Slice(first + offset, last - first).CopyTo(line[first..last]);
                    line[last..].Clear();
                }
                else if (!halves.IsEmpty)
                {
                    // iw = 2·ow + offset lives in the half of offset's parity, at ow + (offset − parity)/2.
                    int half = (w.InW + 1) / 2, parity = offset & 1, shift = (offset - parity) / 2;
                    int count = (w.InW - parity + 1) / 2; // columns of that parity that exist
                    ReadOnlySpan<float> source = halves.Slice((id * w.InH + ih) * 2 * half + parity * half, count);
                    int first = Math.Clamp(-shift, 0, w.OutW), last = Math.Clamp(count - shift, first, w.OutW);
                    line[..first].Clear();
                    if (last > first) source.Slice(first + shift, last - first).CopyTo(line[first..last]);
                    line[last..].Clear();
                }
                else
                {
                    for (int ow = 0; ow < w.OutW; ow++)
                    {
                        int iw = ow * w.SW + offset;
                        line[ow] = (uint)iw < (uint)w.InW ? srcRow[iw] : 0f;
                    }
                }
            }
        }
    }
}
