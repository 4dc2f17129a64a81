using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Conv;

namespace Cardinal.Testing;

/// <summary>
/// One convolution of the shared table: a name, the model it comes from ("" for the odd ones), and its
/// geometry as ONNX states it (per axis D, H, W; 1-D and 2-D rows have unit leading axes). Sizes are the
/// model's own (224×224, batch 1); <see cref="Reduced"/> gives the same layer at a smaller plane for tests.
/// </summary>
internal sealed record ConvCase(string Name, string Model, int Batch, int Channels, int OutChannels, int Group,
    (int D, int H, int W) Input, (int D, int H, int W) Kernel, (int D, int H, int W) Stride, (int D, int H, int W) Dilation,
    (int D, int H, int W) PadBegin, (int D, int H, int W) PadEnd, ConvEpilogue Epilogue = default, bool Bias = true)
{
    /// <summary>Spatial rank as ONNX sees it (1, 2 or 3): leading unit axes with unit kernels are not counted.</summary>
    public int Rank => Input.D > 1 || Kernel.D > 1 || PadBegin.D > 0 || PadEnd.D > 0 ? 3 : Input.H > 1 || Kernel.H > 1 || PadBegin.H > 0 || PadEnd.H > 0 ? 2 : 1;

    public Window3D Window => MakeWindow(Input, Kernel, Stride, Dilation, PadBegin, PadEnd);

    public ConvShape Shape => new(Batch, Channels, OutChannels, Group, Window, Epilogue);

    public long Flops => Shape.Flops;

    /// <summary>
    /// The same layer (channels, groups, kernel, stride, dilation, pads, epilogue) with each spatial input axis
    /// cut to at most <paramref name="maxSpatial"/> (never below the effective kernel) and the given batch:
    /// what the kernel tests run, so that the slow reference stays fast on the 2048-channel layers.
    /// </summary>
    public ConvCase Reduced(int maxSpatial, int batch = 1)
    {
        int Cut(int n, int k, int d) => Math.Min(n, Math.Max(maxSpatial, (k - 1) * d + 1));
        return this with
        {
            Batch = batch,
            Input = (Cut(Input.D, Kernel.D, Dilation.D), Cut(Input.H, Kernel.H, Dilation.H), Cut(Input.W, Kernel.W, Dilation.W)),
        };
    }

    public override string ToString() => Name;

    /// <summary>Output size per axis as ONNX computes it with explicit pads (floor mode).</summary>
    public static int OutSize(int n, int k, int s, int d, int padBegin, int padEnd) => (n + padBegin + padEnd - ((k - 1) * d + 1)) / s + 1;

    /// <summary>A 2-D window of a square k×k kernel, one stride and the same pad on every side (dilation 1).</summary>
    public static Window3D Planar(int inH, int inW, int k, int stride, int pad) =>
        MakeWindow((1, inH, inW), (1, k, k), (1, stride, stride), (1, 1, 1), (0, pad, pad), (0, pad, pad));

    public static Window3D MakeWindow((int D, int H, int W) input, (int D, int H, int W) kernel, (int D, int H, int W) stride,
        (int D, int H, int W) dilation, (int D, int H, int W) padBegin, (int D, int H, int W) padEnd) =>
        new(input.D, input.H, input.W,
            OutSize(input.D, kernel.D, stride.D, dilation.D, padBegin.D, padEnd.D),
            OutSize(input.H, kernel.H, stride.H, dilation.H, padBegin.H, padEnd.H),
            OutSize(input.W, kernel.W, stride.W, dilation.W, padBegin.W, padEnd.W),
            kernel.D, kernel.H, kernel.W, stride.D, stride.H, stride.W, dilation.D, dilation.H, dilation.W,
            padBegin.D, padBegin.H, padBegin.W, padEnd.D, padEnd.H, padEnd.W);
}

/// <summary>
/// The one table of convolution shapes (design §3): ResNet-50 and ResNeXt-50 32x4d layers at 224×224, batch 1
/// (torchvision v1.5: the stride sits on the 3×3), plus odd ones. The CPU kernel tests run every row (reduced:
/// see <see cref="ConvCase.Reduced"/>) through every applicable algorithm on every tier, the GPU tests run the
/// <see cref="Small"/> rows, and <c>Engine.Bench</c>'s <c>ConvBenchmarks</c> times the model rows.
/// The geometry fuzz (<see cref="ConvFuzz"/>) covers what the table does not.
/// </summary>
internal static class ConvCases
{
    public const string ResNet50 = "resnet50", ResNeXt50 = "resnext50_32x4d", ResNeXt101 = "resnext101_32x8d";

    private static readonly ConvEpilogue Relu = new(false, true), AddRelu = new(true, true), None = default;

    private static ConvCase Conv2D(string name, string model, int c, int m, int group, int size, int k, int stride, ConvEpilogue epilogue)
    {
        int pad = k / 2;
        return new ConvCase(name, model, 1, c, m, group, (1, size, size), (1, k, k), (1, stride, stride), (1, 1, 1), (0, pad, pad), (0, pad, pad), epilogue);
    }

    /// <summary>The distinct convolutions of ResNet-50 (each shape once; names say where it first occurs).</summary>
    public static IReadOnlyList<ConvCase> ResNet50Layers { get; } =
    [
        Conv2D("r50.stem.7x7s2", ResNet50, 3, 64, 1, 224, 7, 2, Relu),
        Conv2D("r50.l1.1x1.64-64", ResNet50, 64, 64, 1, 56, 1, 1, Relu),
        Conv2D("r50.l1.3x3.64", ResNet50, 64, 64, 1, 56, 3, 1, Relu),
        Conv2D("r50.l1.1x1.64-256", ResNet50, 64, 256, 1, 56, 1, 1, AddRelu),
        Conv2D("r50.l1.down.1x1.64-256", ResNet50, 64, 256, 1, 56, 1, 1, None),
        Conv2D("r50.l1.1x1.256-64", ResNet50, 256, 64, 1, 56, 1, 1, Relu),
        Conv2D("r50.l2.1x1.256-128", ResNet50, 256, 128, 1, 56, 1, 1, Relu),
        Conv2D("r50.l2.3x3s2.128", ResNet50, 128, 128, 1, 56, 3, 2, Relu),
        Conv2D("r50.l2.1x1.128-512", ResNet50, 128, 512, 1, 28, 1, 1, AddRelu),
        Conv2D("r50.l2.down.1x1s2.256-512", ResNet50, 256, 512, 1, 56, 1, 2, None),
        Conv2D("r50.l2.1x1.512-128", ResNet50, 512, 128, 1, 28, 1, 1, Relu),
        Conv2D("r50.l2.3x3.128", ResNet50, 128, 128, 1, 28, 3, 1, Relu),
        Conv2D("r50.l3.1x1.512-256", ResNet50, 512, 256, 1, 28, 1, 1, Relu),
        Conv2D("r50.l3.3x3s2.256", ResNet50, 256, 256, 1, 28, 3, 2, Relu),
        Conv2D("r50.l3.1x1.256-1024", ResNet50, 256, 1024, 1, 14, 1, 1, AddRelu),
        Conv2D("r50.l3.down.1x1s2.512-1024", ResNet50, 512, 1024, 1, 28, 1, 2, None),
        Conv2D("r50.l3.1x1.1024-256", ResNet50, 1024, 256, 1, 14, 1, 1, Relu),
        Conv2D("r50.l3.3x3.256", ResNet50, 256, 256, 1, 14, 3, 1, Relu),
        Conv2D("r50.l4.1x1.1024-512", ResNet50, 1024, 512, 1, 14, 1, 1, Relu),
        Conv2D("r50.l4.3x3s2.512", ResNet50, 512, 512, 1, 14, 3, 2, Relu),
        Conv2D("r50.l4.1x1.512-2048", ResNet50, 512, 2048, 1, 7, 1, 1, AddRelu),
        Conv2D("r50.l4.down.1x1s2.1024-2048", ResNet50, 1024, 2048, 1, 14, 1, 2, None),
        Conv2D("r50.l4.1x1.2048-512", ResNet50, 2048, 512, 1, 7, 1, 1, Relu),
        Conv2D("r50.l4.3x3.512", ResNet50, 512, 512, 1, 7, 3, 1, Relu),
    ];

    /// <summary>ResNeXt-50 32x4d's own layers: the grouped 3×3s (32 groups of 4·2^stage channels) and the 1×1s that feed them.</summary>
    public static IReadOnlyList<ConvCase> ResNeXt50Layers { get; } =
    [
        Conv2D("rx50.l1.1x1.64-128", ResNeXt50, 64, 128, 1, 56, 1, 1, Relu),
        Conv2D("rx50.l1.3x3g32.128", ResNeXt50, 128, 128, 32, 56, 3, 1, Relu),
        Conv2D("rx50.l1.1x1.128-256", ResNeXt50, 128, 256, 1, 56, 1, 1, AddRelu),
        Conv2D("rx50.l1.1x1.256-128", ResNeXt50, 256, 128, 1, 56, 1, 1, Relu),
        Conv2D("rx50.l2.1x1.256-256", ResNeXt50, 256, 256, 1, 56, 1, 1, Relu),
        Conv2D("rx50.l2.3x3g32s2.256", ResNeXt50, 256, 256, 32, 56, 3, 2, Relu),
        Conv2D("rx50.l2.1x1.256-512", ResNeXt50, 256, 512, 1, 28, 1, 1, AddRelu),
        Conv2D("rx50.l2.3x3g32.256", ResNeXt50, 256, 256, 32, 28, 3, 1, Relu),
        Conv2D("rx50.l3.3x3g32s2.512", ResNeXt50, 512, 512, 32, 28, 3, 2, Relu),
        Conv2D("rx50.l3.3x3g32.512", ResNeXt50, 512, 512, 32, 14, 3, 1, Relu),
        Conv2D("rx50.l3.1x1.512-1024", ResNeXt50, 512, 1024, 1, 14, 1, 1, AddRelu),
        Conv2D("rx50.l4.3x3g32s2.1024", ResNeXt50, 1024, 1024, 32, 14, 3, 2, Relu),
        Conv2D("rx50.l4.3x3g32.1024", ResNeXt50, 1024, 1024, 32, 7, 3, 1, Relu),
        Conv2D("rx50.l4.1x1.1024-2048", ResNeXt50, 1024, 2048, 1, 7, 1, 1, AddRelu),
    ];

    /// <summary>
    /// ResNeXt-101 32x8d's grouped 3×3s (groups of 16, 32 and 64 channels: one, two and four blocks): the strided ones,
    /// where its blocked kernel ran behind ORT's node even on 1 thread (NOTES "Twelfth sitting"), and the stride-1 ones,
    /// layer3's 22 of them the most time of any grouped shape in the zoo (NOTES "Sixteenth sitting"); and its dense 1×1s of as
    /// many channels out as in, whose 45 layer3 ones (4 MiB of filter each) take over half of the model's time.
    /// </summary>
    public static IReadOnlyList<ConvCase> ResNeXt101Layers { get; } =
    [
        Conv2D("rx101.l2.3x3g32s2.512", ResNeXt101, 512, 512, 32, 56, 3, 2, Relu),
        Conv2D("rx101.l2.3x3g32.512", ResNeXt101, 512, 512, 32, 28, 3, 1, Relu),
        Conv2D("rx101.l3.3x3g32s2.1024", ResNeXt101, 1024, 1024, 32, 28, 3, 2, Relu),
        Conv2D("rx101.l3.3x3g32.1024", ResNeXt101, 1024, 1024, 32, 14, 3, 1, Relu),
        Conv2D("rx101.l4.3x3g32s2.2048", ResNeXt101, 2048, 2048, 32, 14, 3, 2, Relu),
        Conv2D("rx101.l4.3x3g32.2048", ResNeXt101, 2048, 2048, 32, 7, 3, 1, Relu),
        Conv2D("rx101.l2.1x1.512-512", ResNeXt101, 512, 512, 1, 28, 1, 1, AddRelu),
        Conv2D("rx101.l3.1x1.1024-1024", ResNeXt101, 1024, 1024, 1, 14, 1, 1, AddRelu),
        Conv2D("rx101.l4.1x1.2048-2048", ResNeXt101, 2048, 2048, 1, 7, 1, 1, AddRelu),
    ];

    /// <summary>Odd shapes the models do not have: every one small enough to run as it is.</summary>
    public static IReadOnlyList<ConvCase> OddLayers { get; } =
    [
        new("odd.3x3.13-11.odd_plane", "", 2, 13, 11, 1, (1, 9, 7), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1), AddRelu),
        new("odd.pointwise.19-40", "", 1, 19, 40, 1, (1, 4, 3), (1, 1, 1), (1, 1, 1), (1, 1, 1), (0, 0, 0), (0, 0, 0)),
        new("odd.depthwise.3x3", "", 1, 12, 12, 12, (1, 10, 9), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1), Relu),
        new("odd.depthwise_multiplier", "", 1, 4, 12, 4, (1, 6, 6), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 0, 0), (0, 0, 0)),
        new("odd.groups_of_16", "", 1, 32, 32, 2, (1, 6, 5), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1), AddRelu),
        new("odd.5x5_same", "", 1, 3, 5, 1, (1, 8, 11), (1, 5, 5), (1, 1, 1), (1, 1, 1), (0, 2, 2), (0, 2, 2)),
        new("odd.dilated_same", "", 1, 4, 17, 1, (1, 9, 9), (1, 3, 3), (1, 1, 1), (1, 2, 2), (0, 2, 2), (0, 2, 2), AddRelu),
        new("odd.dilated_asymmetric_pad", "", 1, 5, 7, 1, (1, 11, 13), (1, 3, 2), (1, 2, 1), (1, 2, 3), (0, 2, 0), (0, 1, 3)),
        new("odd.strided_asymmetric", "", 1, 3, 20, 1, (1, 11, 10), (1, 3, 2), (1, 2, 3), (1, 1, 1), (0, 2, 0), (0, 1, 3), Bias: false),
        new("odd.pad_wider_than_input", "", 1, 2, 3, 1, (1, 1, 2), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 2, 2), (0, 2, 2)),
        new("odd.width_one_same", "", 1, 2, 2, 1, (1, 4, 1), (1, 3, 5), (1, 1, 1), (1, 1, 1), (0, 1, 2), (0, 1, 2), Relu),
        new("odd.conv1d", "", 2, 3, 18, 1, (1, 1, 17), (1, 1, 5), (1, 1, 2), (1, 1, 2), (0, 0, 2), (0, 0, 1), Relu),
        new("odd.conv3d", "", 1, 2, 16, 1, (5, 6, 4), (3, 2, 3), (1, 2, 1), (1, 1, 1), (1, 0, 1), (1, 1, 0)),
        new("odd.conv3d_groups", "", 1, 4, 6, 2, (5, 6, 7), (3, 3, 2), (2, 1, 2), (1, 2, 1), (1, 1, 0), (1, 0, 1)),
        new("odd.conv3d_depth_one_same", "", 1, 16, 16, 1, (1, 4, 4), (3, 3, 3), (1, 1, 1), (1, 1, 1), (1, 1, 1), (1, 1, 1), Relu),
        new("odd.k_across_two_slices", "", 2, 40, 19, 1, (1, 30, 41), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1)),
    ];

    /// <summary>Every row: the models' layers, then the odd ones.</summary>
    public static IReadOnlyList<ConvCase> All { get; } = [.. ResNet50Layers, .. ResNeXt50Layers, .. ResNeXt101Layers, .. OddLayers];

    /// <summary>Rows cheap enough for ILGPU's CPU accelerator (a thread-by-thread simulator), reduced to a 7-wide plane.</summary>
    public static IEnumerable<ConvCase> Small =>
        All.Where(c => c.Name is "r50.stem.7x7s2" or "rx50.l2.3x3g32s2.256" or "r50.l1.1x1.64-256" or "odd.3x3.13-11.odd_plane"
            or "odd.depthwise.3x3" or "odd.dilated_asymmetric_pad" or "odd.conv1d" or "odd.conv3d_groups")
           .Select(c => c.Model.Length > 0 ? c.Reduced(c.Kernel.H >= 7 ? 11 : 7) : c);

    public static ConvCase Find(string name) => All.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"No convolution case '{name}'.");
}
