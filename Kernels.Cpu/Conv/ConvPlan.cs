using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Conv;

/// <summary>
/// One convolution layer, prepared once at compile time: its algorithm, its packed weights and everything
/// else that depends only on the shape (tap masks, workspace layout). <see cref="Run"/> decides nothing and
/// allocates nothing; its scratch comes from the run context's workspace (<see cref="WorkspaceBytes"/>).
/// A new algorithm is one subclass, one branch in <see cref="Choose"/> and <see cref="Applicable"/>, one
/// platform slot if it has a microkernel, and its twin test. Twin of every plan: <see cref="Reference.ConvReference"/>.
/// </summary>
internal abstract class ConvPlan
{
    protected ConvPlan(ConvShape shape, CpuPlatform platform, ParallelRunner parallel)
    {
        Shape = shape;
        Platform = platform;
        Parallel = parallel;
    }

    public ConvShape Shape { get; }
    public CpuPlatform Platform { get; }
    protected ParallelRunner Parallel { get; }

    public abstract ConvAlgorithm Algorithm { get; }

    /// <summary>The plan holds its own (packed) copy of the weights and never reads the weight argument of <see cref="Run"/>.</summary>
    public virtual bool HoldsPackedWeights => false;

    /// <summary>
    /// y may be the residual's own buffer: every output element is stored once its own residual element has been read,
    /// and no other element's work reads that residual element (tiles do not overlap; partial sums go back through y).
    /// The executor then lets the output take over the residual's buffer where that value dies (as ONNX Runtime's
    /// fused Sum does): one value fewer alive, and the stores land on lines the residual's reads brought into cache.
    /// </summary>
    public virtual bool OutputMayBeResidual => false;

    /// <summary>
    /// Whether the executor should let y take over the residual's buffer where the residual dies: where it may
    /// (<see cref="OutputMayBeResidual"/>) and the plan does not keep its output apart (<see cref="KeepsOutputApart"/>).
    /// </summary>
    public bool OutputOverResidual => OutputMayBeResidual && !KeepsOutputApart;

    /// <summary>
    /// A plan that may write y over its residual but prefers a buffer of its own, where writing over the residual's lines
    /// costs more than the value it saves (<see cref="Nchwc.BlockedTuning.SeparateSharedResidual"/>).
    /// </summary>
    protected virtual bool KeepsOutputApart => false;

    /// <summary>
    /// Whether y wants a buffer of its own that no other value of the plan shares (<see cref="Cardinal.IKernel.OutputAlone"/>):
    /// the grouped Winograd layers on more threads than images (<see cref="Nchwc.BlockedTuning.GroupedOutputAlone"/>).
    /// </summary>
    public virtual bool OutputAlone => false;

    /// <summary>Scratch bytes one <see cref="Run"/> needs (0: none).</summary>
    public abstract long WorkspaceBytes { get; }

    /// <summary>What runs, for `cardinal inspect` and benchmark headers: the algorithm and its tile.</summary>
    public virtual string Description => Algorithm switch
    {
        ConvAlgorithm.PointwiseGemm => $"pointwise GEMM {Platform.MR}×{Platform.NR} (no im2col)",
        ConvAlgorithm.ShiftedTapGemm => $"shifted-tap GEMM {Platform.MR}×{Platform.NR} (no im2col)",
        ConvAlgorithm.Im2ColGemm => $"im2col + packed GEMM {Platform.MR}×{Platform.NR}",
        ConvAlgorithm.BlockedDirect => $"blocked direct NCHW{Platform.BlockSize}c, {(Platform.BlockSize == 16 ? "6×4" : "6×2")} pixels×blocks",
        _ => $"direct grouped ({Platform.VectorWidth}-wide)",
    };

    /// <param name="x">[N][C][InD·InH·InW]</param>
    /// <param name="weight">[M][C/group][taps]; read only by plans made without constant weights.</param>
    /// <param name="bias">[M], or empty for none.</param>
    /// <param name="residual">Laid out as y, or empty; read only when the shape's epilogue has one.</param>
    /// <param name="y">[N][M][OutD·OutH·OutW], written in full.</param>
    /// <param name="workspace">At least the plan's workspace bytes, 64-byte aligned, contents undefined.</param>
    public abstract void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual,
        Span<float> y, Workspace workspace);

    /// <summary>
    /// The algorithm for a shape: every threshold of the CPU backend's convolutions lives here.
    /// </summary>
    public static ConvAlgorithm Choose(in ConvShape shape, bool constantWeights)
    {
        var w = shape.Window;
        // Narrow groups (ResNeXt 32x4d's 4 channels per group, depthwise): a GEMM per group has M of 4 and
        // spends its time packing. Measured (Engine.Bench compare, ResNeXt-50 32x4d, batch 1, 1 thread, 2-core
        // VM, NOTES step 9): with stride-2 layers included the direct kernel lost (121 ms vs 108 ms: its strided
        // path is scalar); stride 1 only, it is at parity (106–111 ms vs 108 ms) and needs no workspace.
        if (DirectGroupedPlan.Applies(shape) && shape.OutChannelsPerGroup < DirectGroupedPlan.MaxChannelsPerGroup) return ConvAlgorithm.DirectGrouped;
        // A pointwise window's input is B as it is: nothing to unfold.
        if (w.IsPointwise) return ConvAlgorithm.PointwiseGemm;
        // "Same" stride-1 windows gather B panels from the input (NOTES step 16: ResNet-50's 3×3 layers 32.9 →
        // 26.0 ms at 1 thread, 22.7 → 17.4 ms at 2, against im2col into a K×N matrix). Needs packed weights.
        if (constantWeights && ShiftedTapGemmPlan.Applies(w)) return ConvAlgorithm.ShiftedTapGemm;
        // Everything else (strided windows, the stem, 3-D, dilated non-"same") unfolds first. Strided-tap
        // packing for stride-2 windows was tried and rejected (NOTES step 18: the stem gained 0.4 ms, the 14-
        // and 7-wide strided layers lost 0.2–0.7 ms).
        return ConvAlgorithm.Im2ColGemm;
    }

    /// <summary>Every algorithm that computes this shape correctly (what the geometry fuzz checks), <see cref="Choose"/>'s pick among them.</summary>
    public static IReadOnlyList<ConvAlgorithm> Applicable(in ConvShape shape, bool constantWeights)
    {
        var all = new List<ConvAlgorithm>();
        if (DirectGroupedPlan.Applies(shape)) all.Add(ConvAlgorithm.DirectGrouped);
        if (shape.Window.IsPointwise) all.Add(ConvAlgorithm.PointwiseGemm);
        if (constantWeights && ShiftedTapGemmPlan.Applies(shape.Window)) all.Add(ConvAlgorithm.ShiftedTapGemm);
        all.Add(ConvAlgorithm.Im2ColGemm);
        return all;
    }

    /// <summary>The plan <see cref="Choose"/> picks.</summary>
    /// <param name="weights">Constant weights (packed now, through the cache when one is given), or null when they arrive at run time.</param>
    /// <param name="shape">The convolution (channels, groups, window, epilogue).</param>
    /// <param name="platform">The tier's kernel table.</param>
    /// <param name="parallel">The worker threads the plan runs on.</param>
    /// <param name="cache">The backend's packed weights, shared by every plan of the layer; null packs privately.</param>
    public static ConvPlan Select(in ConvShape shape, Tensor? weights, CpuPlatform platform, ParallelRunner parallel, PackedWeightsCache? cache = null) =>
        Create(Choose(shape, weights is not null), shape, weights, platform, parallel, cache);

    /// <summary>A plan of the given algorithm, which must be <see cref="Applicable"/>.</summary>
    public static ConvPlan Create(ConvAlgorithm algorithm, in ConvShape shape, Tensor? weights, CpuPlatform platform, ParallelRunner parallel,
        PackedWeightsCache? cache = null)
    {
        if (!Applicable(shape, weights is not null).Contains(algorithm))
            throw new ArgumentException($"{algorithm} cannot run {shape}{(weights is null ? " with run-time weights" : "")}.", nameof(algorithm));
        if (weights is not null && weights.Length != shape.WeightLength)
            throw new ArgumentException($"Weights hold {weights.Length} values; {shape} needs {shape.WeightLength}.", nameof(weights));
        return algorithm switch
        {
            ConvAlgorithm.DirectGrouped => new DirectGroupedPlan(shape, platform, parallel),
            ConvAlgorithm.PointwiseGemm => new PointwiseGemmPlan(shape, Pack(algorithm, shape, weights, platform, cache), platform, parallel),
            ConvAlgorithm.ShiftedTapGemm => new ShiftedTapGemmPlan(shape, Pack(algorithm, shape, weights, platform, cache)!, platform, parallel),
            _ => new Im2ColGemmPlan(shape, Pack(algorithm, shape, weights, platform, cache), platform, parallel),
        };
    }

    private static Gemm.PackedMatrix[]? Pack(ConvAlgorithm algorithm, in ConvShape shape, Tensor? weights, CpuPlatform platform, PackedWeightsCache? cache) =>
        weights is null ? null
        : cache is not null ? cache.Get(weights, algorithm, shape, platform)
        : GemmConvPlan.PackWeights(weights.Floats, shape, platform);
}
