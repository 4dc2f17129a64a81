using Cardinal.Tensors;

namespace Cardinal.Graph.Ops;

/// <summary>
/// The channel-blocked layout (NCHWc, as ONNX Runtime's NCHWc transformer: 16-channel blocks on AVX-512,
/// 8 on AVX2). A blocked value keeps ordinary dims [N, Cp, spatial…] with Cp = ⌈C/b⌉·b, the padded channel
/// count (ONNX Runtime's convention), so liveness and the memory planners stay layout-blind; its data is
/// laid out [N][Cp/b][spatial…][b], channels C…Cp−1 zero. Only backend passes insert these ops (the ONNX
/// importer never produces them); 1-D, 2-D and 3-D spatial, float32.
/// </summary>
internal static class BlockedLayout
{
    /// <summary>⌈<paramref name="channels"/>/<paramref name="block"/>⌉·<paramref name="block"/>.</summary>
    public static int PaddedChannels(int channels, int block) => checked((channels + block - 1) / block * block);

    /// <summary>"NCHW" for a 2-D value, "NCDHW" for 3-D: the plain layout's name.</summary>
    public static string PlainName(int spatialRank) => "NC" + spatialRank switch { 1 => "W", 2 => "HW", 3 => "DHW", _ => "…" };

    /// <summary>"NCHW16c" for a 2-D, block-16 value: the blocked layout's name, for plans and `cardinal inspect`.</summary>
    public static string Name(int spatialRank, int block) => PlainName(spatialRank) + block + "c";

    /// <summary><see cref="CheckInput"/> for a value that is already blocked: its channel count a multiple of the block.</summary>
    internal static ValueInfo CheckBlockedInput(Operator op, Node node, ValueInfo?[] inputs, int block)
    {
        ValueInfo x = CheckInput(op, node, inputs, block);
        if (x.Dims[1] % block != 0)
            throw new InvalidModelException($"{node.Describe()}: the blocked input's {x.Dims[1]} channels are not a multiple of the block {block}.");
        return x;
    }

    internal static ValueInfo CheckInput(Operator op, Node node, ValueInfo?[] inputs, int block)
    {
        if (block < 1) throw new InvalidModelException($"{node.Describe()}: block {block} must be positive.");
        if (inputs.Length != 1 || inputs[0] is null) throw new InvalidModelException($"{node.Describe()}: takes exactly one input.");
        ValueInfo x = inputs[0]!;
        if (x.ElementType != ElementType.Float32)
            throw new UnsupportedModelException($"{node.Describe()}: input is {x.ElementType.Name()}; only float32 is supported for {op.OpType}.");
        if (x.Rank is < 3 or > 5)
            throw new InvalidModelException($"{node.Describe()}: input {TensorShape.Format(x.Dims)} must be [N, C, spatial…] with 1 to 3 spatial dims.");
        return x;
    }
}

/// <summary>NCHW [N, C, spatial…] → blocked [N, ⌈C/b⌉·b, spatial…], data [N][C/b][spatial…][b], padded channels zero.</summary>
internal sealed class ReorderToBlockedOp(int block) : Operator
{
    public override string OpType => "ReorderToBlocked";
    public int Block { get; } = block;

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = BlockedLayout.CheckInput(this, node, inputs, Block);
        int[] dims = (int[])x.Dims.Clone();
        dims[1] = BlockedLayout.PaddedChannels(x.Dims[1], Block);
        return [new(ElementType.Float32, dims)];
    }

    public override bool ImagesIndependent(ValueInfo?[] inputs, ValueInfo[] outputs) => true;

    public override string Describe() => $"{OpType}(block={Block})";
}

/// <summary>
/// Blocked [N, Cp, spatial…] (data [N][Cp/b][spatial…][b]) → NCHW [N, <see cref="Channels"/>, spatial…];
/// the padded channels are dropped. Cp must be a multiple of the block and at least Channels.
/// </summary>
internal sealed class ReorderFromBlockedOp(int block, int channels) : Operator
{
    public override string OpType => "ReorderFromBlocked";
    public int Block { get; } = block;
    public int Channels { get; } = channels;

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = BlockedLayout.CheckBlockedInput(this, node, inputs, Block);
        int padded = x.Dims[1];
        if (Channels < 0 || Channels > padded)
            throw new InvalidModelException($"{node.Describe()}: {Channels} channels do not fit the blocked input's {padded}.");
        int[] dims = (int[])x.Dims.Clone();
        dims[1] = Channels;
        return [new(ElementType.Float32, dims)];
    }

    public override bool ImagesIndependent(ValueInfo?[] inputs, ValueInfo[] outputs) => true;

    public override string Describe() => $"{OpType}(block={Block}, channels={Channels})";
}
