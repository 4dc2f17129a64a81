using System.Buffers;
using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Graph.Ops;

namespace Cardinal.Kernels.Cpu.Conv;

/// <summary>
/// Convolution as GEMM, per image and group: Y[g] (M/g × OutSize) = W[g] (M/g × K) · cols (K × OutSize),
/// with K = C/g·KD·KH·KW. A pointwise (1×1, stride 1, unpadded) window uses the input directly as B;
/// any other window unfolds it with <see cref="Im2Col"/> first. The output starts as the bias, and the
/// GEMM accumulates onto it; a fused residual and ReLU follow per image, while it is still in cache.
/// Twin: <see cref="Reference.ConvReference"/>.
/// </summary>
public static unsafe class ConvKernel
{
    /// <summary>
    /// The weights of each group packed once for <paramref name="table"/> (the GEMM's A operand), or null when
    /// the direct grouped kernel runs this window and needs no packing.
    /// </summary>
    public static PackedMatrix[]? PackWeights(ReadOnlySpan<float> weight, int channels, int outChannels, int group, in Window3D w, CpuKernelTable table)
    {
        if (GroupedConvKernel.Applies(group, outChannels, w)) return null;
        int mPerGroup = outChannels / group, k = channels / group * w.KernelSize;
        var packed = new PackedMatrix[group];
        for (int g = 0; g < group; g++) packed[g] = new PackedMatrix(weight.Slice(g * mPerGroup * k, mPerGroup * k), mPerGroup, k, k, table);
        return packed;
    }

    /// <summary>What <see cref="Run"/> does for this window (shown by `cardinal inspect`).</summary>
    public static string Algorithm(int group, int outChannels, in Window3D w, bool weightsPacked) =>
        GroupedConvKernel.Applies(group, outChannels, w) ? "direct grouped"
        : w.IsPointwise ? "pointwise GEMM (no im2col)"
        : weightsPacked && ShiftedTaps.Applies(w) ? "shifted-tap GEMM (no im2col)"
        : "im2col + packed GEMM";

    /// <param name="residual">Empty, or a tensor of y's shape added after the bias (fused residual Add).</param>
    /// <param name="relu">Apply ReLU last (fused Relu).</param>
    public static void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> y, int batch, int channels, int outChannels, int group, in Window3D w, ParallelRunner parallel,
        ReadOnlySpan<float> residual = default, bool relu = false, CpuKernelTable? table = null, PackedMatrix[]? packedWeights = null)
    {
        if (GroupedConvKernel.Applies(group, outChannels, w))
        {
            GroupedConvKernel.Run(x, weight, bias, y, batch, channels, outChannels, group, w, parallel, residual, relu);
            return;
        }
        int cPerGroup = channels / group, mPerGroup = outChannels / group;
        int k = cPerGroup * w.KernelSize, outSize = w.OutSize;
        bool pointwise = w.IsPointwise;
        // im2col writes B as a plain matrix; each GEMM block packs its own panels of it right before using
        // them, while they are hot in cache. (Writing B straight into panels for the whole matrix measured
        // slower: the panels are cold by the time a block reads them.) A pointwise window's input is B.
        // A "same" stride-1 window with packed weights needs no im2col at all: each GEMM block gathers its
        // B panels straight from the input (ShiftedTaps), through per-tap masks made once per call.
        bool shifted = packedWeights is not null && ShiftedTaps.Applies(w);
        int nr = packedWeights?[0].Table.NR ?? 0;
        uint[]? masks = shifted ? ArrayPool<uint>.Shared.Rent(TapMasks.Length(w, nr)) : null;
        if (masks is not null) TapMasks.Fill(w, nr, masks);
        int colsLength = pointwise || shifted ? 0 : k * outSize;
        float[]? cols = colsLength == 0 ? null : ArrayPool<float>.Shared.Rent(colsLength);
        try
        {
            fixed (float* pBias = bias, pResidual = residual, pX = x)
            fixed (uint* pMasks = masks)
            for (int n = 0; n < batch; n++)
            {
                Span<float> yImage = y.Slice(n * outChannels * outSize, outChannels * outSize);
                for (int g = 0; g < group; g++)
                {
                    ReadOnlySpan<float> xGroup = x.Slice((n * channels + g * cPerGroup) * w.InSize, cPerGroup * w.InSize);
                    ReadOnlySpan<float> b = xGroup;
                    if (cols is not null)
                    {
                        Im2Col.Unfold(xGroup, cPerGroup, w, cols.AsSpan(0, colsLength), parallel);
                        b = cols.AsSpan(0, colsLength);
                    }
                    Span<float> yGroup = yImage.Slice(g * mPerGroup * outSize, mPerGroup * outSize);
                    // Bias, the residual Add and ReLU are applied by the GEMM to each tile as it finishes it.
                    var epilogue = new GemmEpilogue(
                        bias.IsEmpty ? null : pBias + g * mPerGroup,
                        residual.IsEmpty ? null : pResidual + ((long)n * outChannels + g * mPerGroup) * outSize,
                        relu);
                    if (shifted)
                    {
                        var taps = new ShiftedTaps(pX + ((long)n * channels + g * cPerGroup) * w.InSize, cPerGroup, w, pMasks, nr);
                        Sgemm.Multiply(packedWeights![g], outSize, taps, yGroup, outSize, accumulate: false, parallel, epilogue);
                    }
                    else if (packedWeights is not null)
                        Sgemm.Multiply(packedWeights[g], outSize, b, outSize, yGroup, outSize, accumulate: false, parallel, epilogue);
                    else
                        Sgemm.Multiply(mPerGroup, outSize, k, weight.Slice(g * mPerGroup * k, mPerGroup * k), k,
                            b, outSize, yGroup, outSize, accumulate: false, parallel, table, epilogue);
                }
            }
        }
        finally
        {
            if (cols is not null) ArrayPool<float>.Shared.Return(cols);
            if (masks is not null) ArrayPool<uint>.Shared.Return(masks);
        }
    }
}
