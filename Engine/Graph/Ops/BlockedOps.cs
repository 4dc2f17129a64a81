using Cardinal.Tensors;

namespace Cardinal.Graph.Ops;

/// <summary>
/// A convolution on channel-blocked values (<see cref="BlockedLayout"/>): X [N, Cp, H, W] blocked, the logical
/// weights W [M, C, KH, KW] and bias B [M] as the ONNX Conv has them, after fusion a residual R blocked like
/// the output, and the output Y [N, Mp, OutH, OutW] blocked with its padded channels zero. Only a backend's
/// layout pass makes it, from a <see cref="ConvOp"/> whose window, group and epilogue it keeps. X may instead be
/// the NCHW value itself [N, C, H, W] when C is less than one block (the image a network's stem reads: the CPU
/// backend's folded stem reads it without a reorder).
/// </summary>
internal sealed class BlockedConvOp(ConvOp conv, int block, int channels) : Operator
{
    public override string OpType => "BlockedConv";
    public ConvOp Conv { get; } = conv;
    public int Block { get; } = block;
    /// <summary>The logical input channel count C (the blocked input carries ⌈C/b⌉·b).</summary>
    public int Channels { get; } = channels;

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "X"), w = Required(node, inputs, 1, "W");
        RequireFloat(node, x, "X"); RequireFloat(node, w, "W");
        if (x.Rank != 4 || w.Rank != 4) throw Invalid(node, $"blocked convolutions are 2-D: X {TensorShape.Format(x.Dims)}, W {TensorShape.Format(w.Dims)}.");
        if (Block < 1 || (x.Dims[1] != BlockedLayout.PaddedChannels(Channels, Block) && !(x.Rank == 4 && Channels < Block && x.Dims[1] == Channels)))
            throw Invalid(node, $"the blocked input's {x.Dims[1]} channels are not {Channels} padded to the block {Block}.");
        if (w.Dims[1] * Conv.Group != Channels) throw Invalid(node, $"weight {TensorShape.Format(w.Dims)} with group {Conv.Group} does not take {Channels} channels.");
        int m = w.Dims[0];
        if (inputs.Length > 2 && inputs[2] is { } b && (b.Rank != 1 || b.Dims[0] != m))
            throw Invalid(node, $"bias shape {TensorShape.Format(b.Dims)} should be [{m}].");
        WindowGeometry g = Conv.Geometry(node, x, w);
        int[] dims = [x.Dims[0], BlockedLayout.PaddedChannels(m, Block), .. g.Output];
        if (Conv.Epilogue.Residual)
        {
            ValueInfo r = Required(node, inputs, 3, "residual");
            if (!r.Dims.AsSpan().SequenceEqual(dims)) throw Invalid(node, $"fused residual {r} does not match the blocked output {TensorShape.Format(dims)}.");
        }
        return [new(ElementType.Float32, dims)];
    }

    /// <summary>The logical work: padded channels are not counted.</summary>
    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs)
    {
        ValueInfo w = inputs[1]!, y = outputs[0];
        long perOutput = 2L * w.Dims[1] * w.Dims[2] * w.Dims[3];
        return perOutput * y.Dims[0] * w.Dims[0] * y.Dims[2] * y.Dims[3];
    }

    public override bool ImagesIndependent(ValueInfo?[] inputs, ValueInfo[] outputs) => ConvOp.ParametersConstant(inputs);

    public override string Describe() => $"Conv{Conv.Epilogue} group={Conv.Group} {Conv.Window.Describe()} {BlockedLayout.Name(2, Block)}";
}

/// <summary>
/// Max pooling on channel-blocked values, each lane its own channel: X and Y [N, Cp, spatial…] blocked. Made by
/// a layout pass from a <see cref="PoolOp"/> (no Indices output) whose every window holds at least one input
/// element, so a padded lane (zero) stays zero.
/// </summary>
internal sealed class BlockedMaxPoolOp(PoolOp pool, int block) : Operator
{
    public override string OpType => "BlockedMaxPool";
    public PoolOp Pool { get; } = pool;
    public int Block { get; } = block;

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = BlockedLayout.CheckBlockedInput(this, node, inputs, Block);
        WindowGeometry g = Pool.Geometry(node, x);
        return [new(ElementType.Float32, [x.Dims[0], x.Dims[1], .. g.Output])];
    }

    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs) => Pool.Flops(inputs, outputs);

    public override bool ImagesIndependent(ValueInfo?[] inputs, ValueInfo[] outputs) => true;

    public override string Describe() => $"MaxPool {Pool.Window.Describe()} NCHW{Block}c";
}

/// <summary>GlobalAveragePool on a channel-blocked value: [N, Cp, spatial…] → [N, Cp, 1…], padded lanes zero.</summary>
internal sealed class BlockedGlobalAveragePoolOp(int block) : Operator
{
    public override string OpType => "BlockedGlobalAveragePool";
    public int Block { get; } = block;

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = BlockedLayout.CheckBlockedInput(this, node, inputs, Block);
        return [new(ElementType.Float32, [x.Dims[0], x.Dims[1], .. Enumerable.Repeat(1, x.Rank - 2)])];
    }

    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs) => inputs[0]!.ElementCount;

    public override bool ImagesIndependent(ValueInfo?[] inputs, ValueInfo[] outputs) => true;

    public override string Describe() => $"GlobalAveragePool NCHW{Block}c";
}
