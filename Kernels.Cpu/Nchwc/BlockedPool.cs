using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Simd;
using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>
/// Pooling on channel-blocked values ([N][Cp/b][spatial][b]): every lane is its own channel, so a window is a
/// walk over whole b-float vectors, one plane (image, channel block) per task. Twin: the NCHW pooling kernels
/// on the same data reordered (the tests compare them bit for bit).
/// </summary>
internal static class BlockedPool
{
    /// <summary>Bands of output rows per plane: enough for every thread to take its own rows of every channel block.</summary>
    private const int MaxBands = 8;

    /// <summary>
    /// Max pooling: y[n][cb][oh][ow][·] = max over the window's taps inside the input (NaN propagates). Every
    /// window must hold at least one tap (the layout pass only blocks such pools), so padded lanes stay zero.
    /// </summary>
    public static unsafe void Max(ReadOnlySpan<float> x, Span<float> y, int batch, int paddedChannels, int block, in Window3D w, ParallelRunner parallel)
    {
        if (!w.IsPlanar) throw new ArgumentException($"Blocked max pooling is 2-D; the window {w} is not.");
        long planes = (long)batch * (paddedChannels / block);
        if (x.Length < planes * w.InSize * block || y.Length < planes * w.OutSize * block)
            throw new ArgumentException($"Blocked max pool: x {x.Length} or y {y.Length} elements are too few for {planes} planes.");
        // Tasks (image, band of output rows, channel block), bands outermost within an image: each thread pools the rows
        // the stem wrote on the same thread (it splits by rows too) rather than every row of some channel blocks.
        int perImage = paddedChannels / block, bands = Math.Clamp(w.OutH, 1, MaxBands), tasks = checked((int)(planes * bands));
        fixed (float* px = x, py = y)
        {
            switch (block)
            {
                case 16: parallel.For(tasks, new MaxBody<Vec512>(px, py, block, w, perImage, bands)); break;
                case 8: parallel.For(tasks, new MaxBody<Vec256>(px, py, block, w, perImage, bands)); break;
                case 4: parallel.For(tasks, new MaxBody<Vec128>(px, py, block, w, perImage, bands)); break;
                default: parallel.For(tasks, new MaxBody<Vec1>(px, py, block, w, perImage, bands)); break;
            }
        }
    }

    /// <summary>
    /// Loop body: one (image, channel block) plane; lanes in vectors of <typeparamref name="TVec"/>'s width. Each
    /// output row clamps its kernel rows to the input once, and its interior columns (every tap inside the row, found
    /// once per plane) run without per-tap checks: the window's fields are hoisted into locals, because the plain
    /// per-tap walk had read them from the struct at every tap (ResNet-50's 3×3 s2 pool took 0.42 ms for 0.8 MB).
    /// </summary>
    private readonly unsafe struct MaxBody<TVec>(float* x, float* y, int block, Window3D w, int planesPerImage, int bands) : IParallelBody where TVec : unmanaged, IVec<TVec>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int task)
        {
            int inImage = task % planesPerImage; task /= planesPerImage;
            int band = task % bands, plane = task / bands * planesPerImage + inImage;
            int rowsPerBand = (w.OutH + bands - 1) / bands, oh0 = band * rowsPerBand, oh1 = Math.Min(w.OutH, oh0 + rowsPerBand);
            int inH = w.InH, inW = w.InW, outW = w.OutW, kh = w.KH, kw = w.KW;
            int sh = w.SH, sw = w.SW, dh = w.DH, dw = w.DW, padH = w.PadH, padW = w.PadW, b = block;
            float* input = x + (long)plane * w.InSize * b, output = y + (long)plane * w.OutSize * b;
            (int lo, int hi) = WindowTaps.InteriorColumns(w);
            long rowStep = (long)dh * inW * b, colStep = (long)dw * b;
            TVec start = TVec.Broadcast(MaxPoolPadding.Float);
            for (int oh = oh0; oh < oh1; oh++)
            {
                int top = oh * sh - padH;
                (int khLo, int khCount) = WindowTaps.Inside(top, dh, kh, inH);
                float* rows = input + ((long)(top + khLo * dh) * inW) * b;
                float* o = output + (long)oh * outW * b;
                // A 3 × 3 window with every row inside: its interior columns unrolled, the same maxima in the same order
                // as the walk below (ResNet's 3 × 3 s2 pool: the per-tap loops had cost 0.16 ms at 1 thread for 0.8 MB out).
                bool unrolled = kh == 3 && kw == 3 && khCount == 3 && b == TVec.Count;
                if (unrolled)
                    for (int ow = lo; ow < hi; ow++)
                    {
                        float* r0 = rows + (long)(ow * sw - padW) * b, r1 = r0 + rowStep, r2 = r1 + rowStep;
                        TVec best = TVec.Max(TVec.Max(TVec.Max(start, TVec.Load(r0)), TVec.Load(r0 + colStep)), TVec.Load(r0 + 2 * colStep));
                        best = TVec.Max(TVec.Max(TVec.Max(best, TVec.Load(r1)), TVec.Load(r1 + colStep)), TVec.Load(r1 + 2 * colStep));
                        best = TVec.Max(TVec.Max(TVec.Max(best, TVec.Load(r2)), TVec.Load(r2 + colStep)), TVec.Load(r2 + 2 * colStep));
                        TVec.Store(o + (long)ow * b, best);
                    }
                for (int ow = 0; ow < outW; ow++, o += b)
                {
                    if (unrolled && ow >= lo && ow < hi) continue;
                    int left = ow * sw - padW;
                    (int kwLo, int kwCount) = ow >= lo && ow < hi ? (0, kw) : WindowTaps.Inside(left, dw, kw, inW);
                    float* first = rows + (long)(left + kwLo * dw) * b;
                    for (int q = 0; q < b; q += TVec.Count)
                    {
                        TVec best = start;
                        float* r = first + q;
                        for (int i = 0; i < khCount; i++, r += rowStep)
                        {
                            float* p = r;
                            for (int j = 0; j < kwCount; j++, p += colStep) best = TVec.Max(best, TVec.Load(p));
                        }
                        TVec.Store(o + q, best);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Global average pooling: y[n][cb][·] = the mean over the plane, each lane summed in double in pixel order,
    /// exactly as the NCHW kernel sums a channel (so both give the same float).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GlobalAverage(ReadOnlySpan<float> x, Span<float> y, int batch, int paddedChannels, int block, int size)
    {
        int planes = batch * (paddedChannels / block);
        if (x.Length < (long)planes * size * block || y.Length < (long)planes * block)
            throw new ArgumentException($"Blocked global average pool: x {x.Length} or y {y.Length} elements are too few.");
        if (block is 8 or 16 && size > 0)
        {
            GlobalAverageWide(x, y, planes, block, size);
            return;
        }
        Span<double> sums = block <= 64 ? stackalloc double[block] : new double[block];
        for (int p = 0; p < planes; p++)
        {
            sums.Clear();
            ReadOnlySpan<float> plane = x.Slice(p * size * block, size * block);
            for (int i = 0; i < size; i++)
                for (int c = 0; c < block; c++) sums[c] += plane[i * block + c];
            for (int c = 0; c < block; c++) y[p * block + c] = size == 0 ? float.NaN : (float)(sums[c] / size);
        }
    }

    /// <summary>
    /// <see cref="GlobalAverage"/> for blocks of 8 and 16: the lanes' double sums in vectors (each lane still adds its
    /// pixels in order, so the floats are the scalar loop's), where the scalar loop's bounds-checked adds had made
    /// ResNet-50's 7×7 pool take 0.06 ms.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void GlobalAverageWide(ReadOnlySpan<float> x, Span<float> y, int planes, int block, int size)
    {
        var count = Vector256.Create((double)size);
        fixed (float* px = x, py = y)
            for (int p = 0; p < planes; p++)
            {
                float* plane = px + (long)p * size * block;
                for (int half = 0; half < block; half += 8)
                {
                    var lo = Vector256<double>.Zero;
                    var hi = Vector256<double>.Zero;
                    for (int i = 0; i < size; i++)
                    {
                        var (l, h) = Vector256.Widen(Vector256.Load(plane + (long)i * block + half));
                        lo += l;
                        hi += h;
                    }
                    Vector256.Narrow(lo / count, hi / count).Store(py + (long)p * block + half);
                }
            }
    }
}
