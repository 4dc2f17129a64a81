using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;

namespace Cardinal.Kernels.Cpu.Conv;

/// <summary>
/// Convolution as GEMM, per image and group: Y[g] (M/g × OutSize) = W[g] (M/g × K) · B (K × OutSize), with
/// K = C/g·KD·KH·KW; the subclass says where B comes from. Bias, the residual and ReLU are applied by the
/// GEMM to each tile as it finishes it. Workspace: the GEMM's per-thread packing buffers first, then
/// whatever the subclass needs (<see cref="ExtraBytes"/>).
/// </summary>
internal abstract unsafe class GemmConvPlan : ConvPlan
{
    /// <summary>Per group, the weights packed as the GEMM's A operand; null when the weights arrive at run time.</summary>
    protected readonly PackedMatrix[]? Packed;
    protected readonly long GemmScratchBytes;

    protected GemmConvPlan(ConvShape shape, PackedMatrix[]? packed, CpuPlatform platform, ParallelRunner parallel) : base(shape, platform, parallel)
    {
        Packed = packed;
        GemmScratchBytes = Workspace.Align(Sgemm.ScratchBytes(shape.OutChannelsPerGroup, shape.Window.OutSize, platform, parallel, packedA: packed is not null));
    }

    /// <summary>
    /// Each group's weights packed for <paramref name="platform"/>'s GEMM:
    /// src [M][C/g·taps] → per group g a <see cref="PackedMatrix"/> of rows [g·M/g, (g+1)·M/g).
    /// </summary>
    public static PackedMatrix[] PackWeights(ReadOnlySpan<float> weight, in ConvShape shape, CpuPlatform platform)
    {
        int m = shape.OutChannelsPerGroup, k = shape.K;
        var packed = new PackedMatrix[shape.Group];
        for (int g = 0; g < shape.Group; g++) packed[g] = new PackedMatrix(weight.Slice(g * m * k, m * k), m, k, k, platform);
        return packed;
    }

    public override bool HoldsPackedWeights => Packed is not null;

    /// <summary>Bytes after the GEMM's scratch that the subclass uses.</summary>
    protected virtual long ExtraBytes => 0;

    public override long WorkspaceBytes => GemmScratchBytes + ExtraBytes;

    public sealed override void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual,
        Span<float> y, Workspace workspace)
    {
        ConvShape s = Shape;
        CheckLengths(x, weight, bias, residual, y);
        var gemmScratch = new Workspace(workspace.Pointer, GemmScratchBytes);
        byte* extra = workspace.Pointer + GemmScratchBytes;
        if (workspace.Bytes < WorkspaceBytes) throw new ArgumentException($"{Description} needs {WorkspaceBytes} bytes of workspace; {workspace.Bytes} were given.");
        int m = s.OutChannelsPerGroup, outSize = s.Window.OutSize;
        fixed (float* pBias = bias, pResidual = residual, pX = x)
            for (int n = 0; n < s.Batch; n++)
                for (int g = 0; g < s.Group; g++)
                {
                    float* xGroup = pX + ((long)n * s.Channels + g * s.ChannelsPerGroup) * s.Window.InSize;
                    Span<float> yGroup = y.Slice((int)(((long)n * s.OutChannels + g * m) * outSize), m * outSize);
                    var epilogue = new GemmEpilogue(Platform,
                        bias.IsEmpty ? null : pBias + g * m,
                        s.Epilogue.Residual ? pResidual + ((long)n * s.OutChannels + g * m) * outSize : null,
                        s.Epilogue.Relu);
                    ReadOnlySpan<float> groupWeights = Packed is null ? weight.Slice(g * m * s.K, m * s.K) : default;
                    Multiply(xGroup, g, groupWeights, yGroup, epilogue, gemmScratch, extra);
                }
    }

    /// <summary>One group's product into <paramref name="yGroup"/> (M/g × OutSize).</summary>
    protected abstract void Multiply(float* xGroup, int group, ReadOnlySpan<float> groupWeights, Span<float> yGroup, GemmEpilogue epilogue,
        Workspace gemmScratch, byte* extra);

    /// <summary>B as a K × OutSize matrix in memory, with the weights packed or not.</summary>
    protected void MultiplyMatrix(ReadOnlySpan<float> b, int group, ReadOnlySpan<float> groupWeights, Span<float> yGroup, GemmEpilogue epilogue, Workspace gemmScratch)
    {
        int outSize = Shape.Window.OutSize;
        if (Packed is not null)
            Sgemm.Multiply(Packed[group], outSize, b, outSize, yGroup, outSize, accumulate: false, Parallel, epilogue, gemmScratch);
        else
            Sgemm.Multiply(Shape.OutChannelsPerGroup, outSize, Shape.K, groupWeights, Shape.K, b, outSize, yGroup, outSize,
                accumulate: false, Parallel, Platform, epilogue, gemmScratch);
    }

    protected void CheckLengths(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual, Span<float> y) =>
        CheckConvLengths(Shape, Packed is not null, x, weight, bias, residual, y);

    internal static void CheckConvLengths(in ConvShape s, bool weightsPrepared, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> residual, Span<float> y)
    {
        if (x.Length < s.InputLength || y.Length < s.OutputLength || (!weightsPrepared && weight.Length < s.WeightLength)
            || (!bias.IsEmpty && bias.Length < s.OutChannels) || (s.Epilogue.Residual && residual.Length < s.OutputLength))
            throw new ArgumentException($"Convolution {s}: x {x.Length}, weight {weight.Length}, bias {bias.Length}, residual {residual.Length}, y {y.Length} elements are too few.");
    }
}

/// <summary>1×1, stride 1, unpadded: the group's input planes are B as they are.</summary>
internal sealed unsafe class PointwiseGemmPlan(ConvShape shape, PackedMatrix[]? packed, CpuPlatform platform, ParallelRunner parallel)
    : GemmConvPlan(shape, packed, platform, parallel)
{
    public override ConvAlgorithm Algorithm => ConvAlgorithm.PointwiseGemm;

    protected override void Multiply(float* xGroup, int group, ReadOnlySpan<float> groupWeights, Span<float> yGroup, GemmEpilogue epilogue,
        Workspace gemmScratch, byte* extra) =>
        MultiplyMatrix(new ReadOnlySpan<float>(xGroup, Shape.K * Shape.Window.OutSize), group, groupWeights, yGroup, epilogue, gemmScratch);
}

/// <summary>
/// Any window: the group's input unfolded into a K × OutSize matrix (<see cref="Im2Col"/>) in the workspace,
/// then the GEMM. (Writing B straight into packed panels for the whole matrix measured slower: the panels are
/// cold by the time a block reads them; each GEMM block packs its own panels while they are hot.)
/// </summary>
internal sealed unsafe class Im2ColGemmPlan(ConvShape shape, PackedMatrix[]? packed, CpuPlatform platform, ParallelRunner parallel)
    : GemmConvPlan(shape, packed, platform, parallel)
{
    private long ColumnsBytes => Workspace.Align((long)Shape.K * Shape.Window.OutSize * sizeof(float));
    private long HalvesBytes => Im2Col.UsesHalves(Shape.Window) ? Parallel.Threads * Im2Col.HalvesStride(Shape.Window) * sizeof(float) : 0;

    public override ConvAlgorithm Algorithm => ConvAlgorithm.Im2ColGemm;

    protected override long ExtraBytes => ColumnsBytes + HalvesBytes;

    protected override void Multiply(float* xGroup, int group, ReadOnlySpan<float> groupWeights, Span<float> yGroup, GemmEpilogue epilogue,
        Workspace gemmScratch, byte* extra)
    {
        int length = Shape.K * Shape.Window.OutSize;
        var cols = new Span<float>(extra, length);
        Im2Col.Unfold(new ReadOnlySpan<float>(xGroup, Shape.ChannelsPerGroup * Shape.Window.InSize), Shape.ChannelsPerGroup, Shape.Window, cols, Parallel,
            HalvesBytes == 0 ? null : (float*)(extra + ColumnsBytes));
        MultiplyMatrix(cols, group, groupWeights, yGroup, epilogue, gemmScratch);
    }
}

/// <summary>
/// "Same" stride-1 2-D windows: each GEMM block gathers its B panels straight from the input through the
/// tap masks made here, once (<see cref="ShiftedTaps"/>). Needs packed weights.
/// </summary>
internal sealed unsafe class ShiftedTapGemmPlan : GemmConvPlan
{
    private readonly uint[] _masks;

    public ShiftedTapGemmPlan(ConvShape shape, PackedMatrix[] packed, CpuPlatform platform, ParallelRunner parallel) : base(shape, packed, platform, parallel)
    {
        _masks = GC.AllocateArray<uint>(TapMasks.Length(shape.Window, platform.NR), pinned: true);
        TapMasks.Fill(shape.Window, platform.NR, _masks);
    }

    public static bool Applies(in Graph.Ops.Window3D w) => ShiftedTaps.Applies(w);

    public override ConvAlgorithm Algorithm => ConvAlgorithm.ShiftedTapGemm;

    protected override void Multiply(float* xGroup, int group, ReadOnlySpan<float> groupWeights, Span<float> yGroup, GemmEpilogue epilogue,
        Workspace gemmScratch, byte* extra)
    {
        // The masks live on the pinned heap: their address is stable for as long as the plan exists.
        fixed (uint* masks = _masks)
        {
            var taps = new ShiftedTaps(xGroup, Shape.ChannelsPerGroup, Shape.Window, masks, Platform);
            Sgemm.Multiply(Packed![group], Shape.Window.OutSize, taps, yGroup, Shape.Window.OutSize, accumulate: false, Parallel, epilogue, gemmScratch);
        }
    }
}
