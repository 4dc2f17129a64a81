using System.Runtime.CompilerServices;
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
        fixed (float* px = x, py = y)
        {
            switch (block)
            {
                case 16: parallel.For((int)planes, new MaxBody<Vec512>(px, py, block, w)); break;
                case 8: parallel.For((int)planes, new MaxBody<Vec256>(px, py, block, w)); break;
                case 4: parallel.For((int)planes, new MaxBody<Vec128>(px, py, block, w)); break;
                default: parallel.For((int)planes, new MaxBody<Vec1>(px, py, block, w)); break;
            }
        }
    }

    /// <summary>Loop body: one (image, channel block) plane; lanes in vectors of <typeparamref name="TVec"/>'s width.</summary>
    private readonly unsafe struct MaxBody<TVec>(float* x, float* y, int block, Window3D w) : IParallelBody where TVec : unmanaged, IVec<TVec>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int plane)
        {
            float* input = x + (long)plane * w.InSize * block, output = y + (long)plane * w.OutSize * block;
            TVec start = TVec.Broadcast(MaxPoolPadding.Float);
            for (int oh = 0; oh < w.OutH; oh++)
            {
                int top = oh * w.SH - w.PadH;
                for (int ow = 0; ow < w.OutW; ow++)
                {
                    int left = ow * w.SW - w.PadW;
                    float* o = output + ((long)oh * w.OutW + ow) * block;
                    for (int q = 0; q < block; q += TVec.Count)
                    {
                        TVec best = start;
                        for (int kh = 0; kh < w.KH; kh++)
                        {
                            int ih = top + kh * w.DH;
                            if ((uint)ih >= (uint)w.InH) continue;
                            for (int kw = 0; kw < w.KW; kw++)
                            {
                                int iw = left + kw * w.DW;
                                if ((uint)iw < (uint)w.InW) best = TVec.Max(best, TVec.Load(input + ((long)ih * w.InW + iw) * block + q));
                            }
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
}
