using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>
/// A blocked convolution computed the NCHW way: the blocked input (and residual) reordered to NCHW in the
/// workspace, the NCHW plan <see cref="ConvPlan.Select"/> picks for the logical shape, the result reordered back
/// to blocked. Correct for every shape the NCHW plans take. The layout pass only blocks layers the direct kernel
/// takes, so in a session this runs only when a caller asks <see cref="BlockedConvPlans"/> for another shape or for
/// run-time weights, and in the tests that pin the pass's arithmetic (bit-identical to the NCHW plans).
/// </summary>
internal sealed class BlockedConvViaNchw : ConvPlan
{
    private readonly ConvPlan _inner;
    private readonly int _block;
    private readonly long _xBytes, _rBytes, _yBytes;

    /// <param name="shape">The logical shape (channels as the model has them).</param>
    /// <param name="weights">Constant weights, or null when they arrive at run time.</param>
    /// <param name="block">The channel block of the layout.</param>
    /// <param name="platform">The tier's kernel table.</param>
    /// <param name="parallel">The worker threads the plan runs on.</param>
    /// <param name="cache">The backend's packed weights, shared by every plan of the layer.</param>
    public BlockedConvViaNchw(ConvShape shape, Tensor? weights, int block, CpuPlatform platform, ParallelRunner parallel, PackedWeightsCache? cache)
        : base(shape, platform, parallel)
    {
        if (!shape.Window.IsPlanar) throw new ArgumentException($"Blocked convolutions are 2-D; {shape} is not.");
        _block = block;
        _inner = Select(shape, weights, platform, parallel, cache);
        _xBytes = Workspace.Align(shape.InputLength * sizeof(float));
        _rBytes = shape.Epilogue.Residual ? Workspace.Align(shape.OutputLength * sizeof(float)) : 0;
        _yBytes = Workspace.Align(shape.OutputLength * sizeof(float));
    }

    public override ConvAlgorithm Algorithm => _inner.Algorithm;

    public override string Description => $"{_inner.Description} between reorders (NCHW{_block}c)";

    public override bool HoldsPackedWeights => _inner.HoldsPackedWeights;

    public override long WorkspaceBytes => _xBytes + _rBytes + _yBytes + _inner.WorkspaceBytes;

    /// <param name="x">Blocked [N][Cp/b][H][W][b].</param>
    /// <param name="residual">Blocked as y, or empty.</param>
    /// <param name="y">Blocked [N][Mp/b][OutH][OutW][b], written in full (padded lanes zero).</param>
    /// <param name="weight">[M][C/group][taps]; read only when the weights arrive at run time.</param>
    /// <param name="bias">[M], or empty for none.</param>
    /// <param name="workspace">At least the plan's workspace bytes, 64-byte aligned, contents undefined.</param>
    public override unsafe void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual,
        Span<float> y, Workspace workspace)
    {
        ConvShape s = Shape;
        if (workspace.Bytes < WorkspaceBytes) throw new ArgumentException($"{Description} needs {WorkspaceBytes} bytes of workspace; {workspace.Bytes} were given.");
        int cp = BlockedLayout.PaddedChannels(s.Channels, _block), mp = BlockedLayout.PaddedChannels(s.OutChannels, _block);
        var xn = new Span<float>(workspace.Pointer, (int)s.InputLength);
        var rn = new Span<float>(workspace.Pointer + _xBytes, s.Epilogue.Residual ? (int)s.OutputLength : 0);
        var yn = new Span<float>(workspace.Pointer + _xBytes + _rBytes, (int)s.OutputLength);
        var inner = new Workspace(workspace.Pointer + _xBytes + _rBytes + _yBytes, _inner.WorkspaceBytes);
        Reorder.FromBlocked(x, xn, s.Batch, s.Channels, cp, s.Window.InSize, _block, Parallel);
        if (s.Epilogue.Residual) Reorder.FromBlocked(residual, rn, s.Batch, s.OutChannels, mp, s.Window.OutSize, _block, Parallel);
        _inner.Run(xn, weight, bias, rn, yn, inner);
        Reorder.ToBlocked(yn, y, s.Batch, s.OutChannels, s.Window.OutSize, _block, Parallel);
    }
}
