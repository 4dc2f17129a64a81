using System.Runtime.CompilerServices;
using System.Numerics;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Graph.Ops;

namespace Cardinal.Kernels.Cpu.Pooling;

/// <summary>
/// Max and average pooling over 3-D-normalised windows, one (image, channel) plane per task. Windows are
/// clipped to the input; the average divides by the taps inside the input, or with countIncludePad by the
/// taps inside input plus declared padding (taps that ceil_mode pushes past the padding never count).
/// </summary>
internal static class PoolKernel
{
    /// <summary>Max pooling for any number type (float32 in ResNets; the ONNX suite also pools uint8).</summary>
    public static void Max<T>(ReadOnlySpan<T> x, Span<T> y, Span<long> indices, int planes, in Window3D w,
        bool columnMajorIndices, ParallelRunner parallel, CpuPlatform platform) where T : unmanaged, INumber<T> =>
        Max(x, y, indices, planes, w, columnMajorIndices, parallel, platform, allowRowPath: true);

    /// <param name="allowRowPath">False forces the general window walk (the twin the tests compare the row path against).</param>
    /// <param name="x">[planes][InD·InH·InW]</param>
    /// <param name="y">[planes][OutD·OutH·OutW], written in full.</param>
    /// <param name="indices">Per output, the flat input index of its maximum; empty when not asked for.</param>
    /// <param name="planes">N·C.</param>
    /// <param name="w">The window geometry.</param>
    /// <param name="columnMajorIndices">ONNX storage_order 1: indices count columns first.</param>
    /// <param name="parallel">The worker threads.</param>
    /// <param name="platform">The tier's kernel table.</param>
    internal static unsafe void Max<T>(ReadOnlySpan<T> x, Span<T> y, Span<long> indices, int planes, in Window3D w,
        bool columnMajorIndices, ParallelRunner parallel, CpuPlatform platform, bool allowRowPath) where T : unmanaged, INumber<T>
    {
        if (allowRowPath && typeof(T) == typeof(float) && indices.IsEmpty && MaxRows.Applies(w))
        {
            fixed (T* px = x, py = y)
                parallel.For(planes, new MaxRows((float*)px, (float*)py, w, platform));
            return;
        }
        fixed (T* px = x, py = y)
        fixed (long* pi = indices)
            parallel.For(planes, new MaxBody<T>(px, py, indices.IsEmpty ? null : pi, w, columnMajorIndices));
    }

    /// <summary>Loop body: one (image, channel) plane.</summary>
    private readonly unsafe struct MaxBody<T>(T* x, T* y, long* indices, Window3D win, bool columnMajorIndices) : IParallelBody
        where T : unmanaged, INumber<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int p)
        {
            T* plane = x + (long)p * win.InSize;
            T* outPlane = y + (long)p * win.OutSize;
            int o = 0;
            for (int od = 0; od < win.OutD; od++)
                for (int oh = 0; oh < win.OutH; oh++)
                    for (int ow = 0; ow < win.OutW; ow++, o++)
                    {
                        T best = MaxPoolPadding.Value<T>(); int bd = 0, bh = 0, bw = 0; bool any = false; // a window wholly in the padding gives the padding
                        for (int kd = 0; kd < win.KD; kd++)
                        {
                            int id = od * win.SD - win.PadD + kd * win.DD;
                            if ((uint)id >= (uint)win.InD) continue;
                            for (int kh = 0; kh < win.KH; kh++)
                            {
                                int ih = oh * win.SH - win.PadH + kh * win.DH;
                                if ((uint)ih >= (uint)win.InH) continue;
                                for (int kw = 0; kw < win.KW; kw++)
                                {
                                    int iw = ow * win.SW - win.PadW + kw * win.DW;
                                    if ((uint)iw >= (uint)win.InW) continue;
                                    T v = plane[(id * win.InH + ih) * win.InW + iw];
                                    // NaN propagates; otherwise the first maximum wins.
                                    if (!any || v > best || T.IsNaN(v)) { best = v; bd = id; bh = ih; bw = iw; any = true; if (T.IsNaN(v)) goto done; }
                                }
                            }
                        }
                    done:
                        outPlane[o] = best;
                        if (indices is not null)
                        {
                            long within = columnMajorIndices
                                ? bd + (long)bh * win.InD + (long)bw * win.InD * win.InH
                                : ((long)bd * win.InH + bh) * win.InW + bw;
                            indices[(long)p * win.OutSize + o] = (long)p * win.InSize + within;
                        }
                    }
        }
    }

    public static unsafe void Average(ReadOnlySpan<float> x, Span<float> y, int planes, in Window3D w, bool countIncludePad, ParallelRunner parallel)
    {
        fixed (float* px = x, py = y)
            parallel.For(planes, new AverageBody(px, py, w, countIncludePad));
    }

    /// <summary>Loop body: one (image, channel) plane.</summary>
    private readonly unsafe struct AverageBody(float* x, float* y, Window3D win, bool countIncludePad) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int p)
        {
            float* plane = x + (long)p * win.InSize;
            float* outPlane = y + (long)p * win.OutSize;
            int o = 0;
            for (int od = 0; od < win.OutD; od++)
                for (int oh = 0; oh < win.OutH; oh++)
                    for (int ow = 0; ow < win.OutW; ow++, o++)
                    {
                        double sum = 0; int inside = 0;
                        int padded = Taps(od * win.SD - win.PadD, win.KD, win.DD, -win.PadD, win.InD + win.PadEndD)
                            * Taps(oh * win.SH - win.PadH, win.KH, win.DH, -win.PadH, win.InH + win.PadEndH)
                            * Taps(ow * win.SW - win.PadW, win.KW, win.DW, -win.PadW, win.InW + win.PadEndW);
                        for (int kd = 0; kd < win.KD; kd++)
                        {
                            int id = od * win.SD - win.PadD + kd * win.DD;
                            if ((uint)id >= (uint)win.InD) continue;
                            for (int kh = 0; kh < win.KH; kh++)
                            {
                                int ih = oh * win.SH - win.PadH + kh * win.DH;
                                if ((uint)ih >= (uint)win.InH) continue;
                                for (int kw = 0; kw < win.KW; kw++)
                                {
                                    int iw = ow * win.SW - win.PadW + kw * win.DW;
                                    if ((uint)iw >= (uint)win.InW) continue;
                                    sum += plane[(id * win.InH + ih) * win.InW + iw];
                                    inside++;
                                }
                            }
                        }
                        int divisor = countIncludePad ? padded : inside;
                        outPlane[o] = divisor == 0 ? 0f : (float)(sum / divisor);
                    }
        }
    }

    /// <summary>Taps start + k·dilation (k &lt; kernel) that land in [low, high).</summary>
    private static int Taps(int start, int kernel, int dilation, int low, int high)
    {
        int count = 0;
        for (int k = 0; k < kernel; k++)
        {
            int pos = start + k * dilation;
            if (pos >= low && pos < high) count++;
        }
        return count;
    }

    /// <summary>Mean of each contiguous plane: [planes][size] → [planes].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GlobalAverage(ReadOnlySpan<float> x, Span<float> y, int planes, int size)
    {
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> plane = x.Slice(p * size, size);
            double sum = 0;
            foreach (float v in plane) sum += v;
            y[p] = size == 0 ? float.NaN : (float)(sum / size);
        }
    }
}
