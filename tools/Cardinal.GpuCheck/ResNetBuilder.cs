using Cardinal.Formats.Onnx;

namespace Cardinal.GpuCheck;

/// <summary>
/// Writes torchvision-shaped ResNet / ResNeXt / Wide ResNet ONNX files (Conv, BatchNormalization, Relu,
/// MaxPool, Add, GlobalAveragePool, Flatten, Gemm — the layers and shapes torchvision exports) with seeded
/// random weights. For machines without Python, such as the lent GPU machine: its check compares the device
/// against Cardinal's CPU path on these, at full size. Weights are He-normal; BatchNorm statistics are
/// perturbed away from the identity, and each block's last BatchNorm gets γ = 0.2, so activations stay O(1)
/// through 150 layers (as calibrated ones do).
/// </summary>
public sealed class ResNetBuilder
{
    public sealed record Architecture(string Name, bool Bottleneck, int[] Blocks, int Groups = 1, int WidthPerGroup = 64);

    public static readonly Architecture[] Zoo =
    [
        new("resnet18", false, [2, 2, 2, 2]),
        new("resnet34", false, [3, 4, 6, 3]),
        new("resnet50", true, [3, 4, 6, 3]),
        new("resnet101", true, [3, 4, 23, 3]),
        new("resnet152", true, [3, 8, 36, 3]),
        new("resnext50_32x4d", true, [3, 4, 6, 3], 32, 4),
        new("resnext101_32x8d", true, [3, 4, 23, 3], 32, 8),
        new("wide_resnet50_2", true, [3, 4, 6, 3], 1, 128),
    ];

    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly Random _random;
    private int _counter;

    private ResNetBuilder(int seed) => _random = new Random(seed);

    /// <summary>The model as ONNX bytes: input "input" [N,3,224,224] (N symbolic), output "logits" [N,1000].</summary>
    public static byte[] Build(Architecture a, int seed = 1234)
    {
        var b = new ResNetBuilder(seed);
        string x = b.ConvBn("input", 3, 64, 7, 2, 3, 1, relu: true, lastInBlock: false);
        x = b.Node("MaxPool", [x], [OnnxWriter.IntsAttribute("kernel_shape", 3, 3), OnnxWriter.IntsAttribute("strides", 2, 2), OnnxWriter.IntsAttribute("pads", 1, 1, 1, 1)]);
        int inplanes = 64, expansion = a.Bottleneck ? 4 : 1;
        int[] planes = [64, 128, 256, 512];
        for (int stage = 0; stage < 4; stage++)
            for (int block = 0; block < a.Blocks[stage]; block++)
            {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                int outChannels = planes[stage] * expansion;
                string identity = x;
                if (stride != 1 || inplanes != outChannels)
                    identity = b.ConvBn(x, inplanes, outChannels, 1, stride, 0, 1, relu: false, lastInBlock: false);
                string y;
                if (a.Bottleneck)
                {
                    int width = planes[stage] * a.WidthPerGroup / 64 * a.Groups;
                    y = b.ConvBn(x, inplanes, width, 1, 1, 0, 1, relu: true, lastInBlock: false);
                    y = b.ConvBn(y, width, width, 3, stride, 1, a.Groups, relu: true, lastInBlock: false);
                    y = b.ConvBn(y, width, outChannels, 1, 1, 0, 1, relu: false, lastInBlock: true);
                }
                else
                {
                    y = b.ConvBn(x, inplanes, outChannels, 3, stride, 1, 1, relu: true, lastInBlock: false);
                    y = b.ConvBn(y, outChannels, outChannels, 3, 1, 1, 1, relu: false, lastInBlock: true);
                }
                x = b.Node("Relu", [b.Node("Add", [y, identity], [])], []);
                inplanes = outChannels;
            }
        x = b.Node("Flatten", [b.Node("GlobalAveragePool", [x], [])], [OnnxWriter.IntAttribute("axis", 1)]);
        string w = b.Weight([1000, inplanes], Math.Sqrt(1.0 / inplanes)), bias = b.Weight([1000], 0.01);
        b._nodes.Add(OnnxWriter.Node("Gemm", [x, w, bias], ["logits"], "fc", OnnxWriter.IntAttribute("transB", 1)));

        var input = new ProtoWriter().String(1, "input").Message(2, new ProtoWriter().Message(1, new ProtoWriter().Varint(1, OnnxWriter.Float)
            .Message(2, new ProtoWriter().Message(1, new ProtoWriter().String(2, "N")).Message(1, new ProtoWriter().Varint(1, 3))
                .Message(1, new ProtoWriter().Varint(1, 224)).Message(1, new ProtoWriter().Varint(1, 224)))));
        var output = new ProtoWriter().String(1, "logits").Message(2, new ProtoWriter().Message(1, new ProtoWriter().Varint(1, OnnxWriter.Float)
            .Message(2, new ProtoWriter().Message(1, new ProtoWriter().String(2, "N")).Message(1, new ProtoWriter().Varint(1, 1000)))));
        return OnnxWriter.Model(13, b._nodes.ToArray(), b._initializers.ToArray(), [input], [output]);
    }

    private string ConvBn(string x, int cin, int cout, int k, int stride, int pad, int groups, bool relu, bool lastInBlock)
    {
        string w = Weight([cout, cin / groups, k, k], Math.Sqrt(2.0 / (cin / groups * k * k)));
        string y = Node("Conv", [x, w],
        [
            OnnxWriter.IntsAttribute("kernel_shape", k, k), OnnxWriter.IntsAttribute("strides", stride, stride),
            OnnxWriter.IntsAttribute("pads", pad, pad, pad, pad), OnnxWriter.IntAttribute("group", groups),
        ]);
        string gamma = Constant(cout, lastInBlock ? 0.2 : 1.0, 0.05), beta = Constant(cout, 0, 0.05);
        string mean = Constant(cout, 0, 0.05), variance = Constant(cout, 1.0, 0.1);
        y = Node("BatchNormalization", [y, gamma, beta, mean, variance], [OnnxWriter.FloatAttribute("epsilon", 1e-5f)]);
        return relu ? Node("Relu", [y], []) : y;
    }

    private string Node(string op, string[] inputs, ProtoWriter[] attributes)
    {
        string output = $"{op.ToLowerInvariant()}_{_counter++}";
        _nodes.Add(OnnxWriter.Node(op, inputs, [output], output, attributes));
        return output;
    }

    private string Weight(long[] dims, double std)
    {
        long count = dims.Aggregate(1L, (a, b) => a * b);
        var values = new float[count];
        for (long i = 0; i < count; i++) values[i] = (float)(std * Normal());
        return Add(dims, values);
    }

    private string Constant(int count, double center, double spread)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(center + spread * (2 * _random.NextDouble() - 1));
        return Add([count], values);
    }

    private string Add(long[] dims, float[] values)
    {
        string name = $"w_{_counter++}";
        byte[] raw = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        _initializers.Add(OnnxWriter.Tensor(name, OnnxWriter.Float, dims, raw: raw));
        return name;
    }

    private double Normal()
    {
        double u1 = 1.0 - _random.NextDouble(), u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
