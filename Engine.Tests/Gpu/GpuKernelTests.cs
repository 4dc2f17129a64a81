using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Gpu;
using Cardinal.Planning;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;
using ElementType = Cardinal.Tensors.ElementType;

namespace Cardinal.Tests.Gpu;

/// <summary>
/// Every device kernel against Cardinal's CPU kernels on the same one-node plan, run on ILGPU's CPU
/// accelerator (NVIDIA-shaped groups): odd sizes, groups on both convolution paths (tiled and direct),
/// strides, asymmetric pads, dilations, 1-D and 3-D windows, every fused epilogue.
/// </summary>
[TestFixture, NonParallelizable]
public class GpuKernelTests
{
    private GpuBackend _gpu = null!;
    private CpuBackend _cpu = null!;

    [OneTimeSetUp]
    public void Open()
    {
        _gpu = new GpuBackend(Device.IlgpuCpu, new CpuBackend(new CpuBackendOptions { Threads = 1 }));
        _cpu = new CpuBackend(new CpuBackendOptions { Threads = 1 });
    }

    [OneTimeTearDown]
    public void Close()
    {
        _gpu.Dispose();
        _cpu.Dispose();
    }

    /// <summary>Runs <paramref name="op"/> on both backends; inputs with a constant become constants, the others run-time inputs.</summary>
    private void Compare(Operator op, (Tensor Value, bool Constant)[] inputs, string context, int outputs = 1)
    {
        var (expected, actual) = RunAll(op, inputs, outputs);
        for (int o = 0; o < expected.Length; o++) TensorAssert.Close(expected[o], actual[o], 1e-4, 1e-5, $"{context} output {o}");
    }

    /// <summary>A one-node plan of <paramref name="op"/> run on the CPU and on the GPU: every output of each.</summary>
    private (Tensor[] Cpu, Tensor[] Gpu) RunAll(Operator op, (Tensor Value, bool Constant)[] inputs, int outputs)
    {
        var values = new List<ValueInfo>();
        var runtime = new List<int>();
        var data = new List<Tensor>();
        for (int i = 0; i < inputs.Length; i++)
        {
            var (t, constant) = inputs[i];
            values.Add(new ValueInfo($"in{i}", t.ElementType, t.Shape(), constant ? t : null));
            if (!constant) { runtime.Add(i); data.Add(t); }
        }
        var node = new Node("node", op, values.Select(v => v.Name).ToArray(), Enumerable.Range(0, outputs).Select(o => $"out{o}").ToArray(), 17);
        TensorType[] types = op.Infer(node, values.ToArray());
        int[] outIds = types.Select((t, o) => { values.Add(new ValueInfo($"out{o}", t.ElementType, t.Dims)); return values.Count - 1; }).ToArray();
        var plan = new ExecutionPlan { Values = values, Steps = [new PlanStep(node, Enumerable.Range(0, inputs.Length).ToArray(), outIds)], Inputs = runtime.ToArray(), Outputs = outIds };
        using var cpu = _cpu.Compile(plan);
        using var gpu = _gpu.Compile(plan);
        return (cpu.Run(data.ToArray()), gpu.Run(data.ToArray()));
    }

    private static Tensor Random(int seed, params int[] dims)
    {
        var r = new Random(seed);
        var t = Tensor.Create(ElementType.Float32, dims);
        for (int i = 0; i < t.Length; i++) t.Floats[i] = (float)(r.NextDouble() * 2 - 1);
        return t;
    }

    public static IEnumerable<TestCaseData> ConvCases()
    {
        // name, x dims, w dims, group, strides, pads, dilations, auto_pad, bias, residual, relu
        yield return new TestCaseData("tiled_3x3_pad", new[] { 2, 5, 9, 7 }, new[] { 33, 5, 3, 3 }, 1, new[] { 1, 1 }, new[] { 1, 1, 1, 1 }, null, AutoPad.NotSet, true, false, true);
        yield return new TestCaseData("tiled_strided_asymmetric", new[] { 1, 3, 11, 10 }, new[] { 20, 3, 3, 2 }, 1, new[] { 2, 3 }, new[] { 2, 0, 1, 3 }, null, AutoPad.NotSet, false, false, false);
        yield return new TestCaseData("tiled_dilated_residual_relu", new[] { 1, 4, 9, 9 }, new[] { 17, 4, 3, 3 }, 1, null, new[] { 2, 2, 2, 2 }, new[] { 2, 2 }, AutoPad.NotSet, true, true, true);
        yield return new TestCaseData("tiled_groups_of_16", new[] { 1, 32, 6, 5 }, new[] { 32, 16, 3, 3 }, 2, null, new[] { 1, 1, 1, 1 }, null, AutoPad.NotSet, true, true, false);
        yield return new TestCaseData("direct_resnext_groups", new[] { 1, 32, 6, 6 }, new[] { 32, 4, 3, 3 }, 8, new[] { 2, 2 }, new[] { 1, 1, 1, 1 }, null, AutoPad.NotSet, true, false, true);
        yield return new TestCaseData("direct_depthwise", new[] { 2, 6, 7, 5 }, new[] { 6, 1, 3, 3 }, 6, null, null, null, AutoPad.SameUpper, true, true, true);
        yield return new TestCaseData("pointwise", new[] { 1, 19, 4, 3 }, new[] { 40, 19, 1, 1 }, 1, null, null, null, AutoPad.NotSet, true, false, false);
        yield return new TestCaseData("conv1d", new[] { 2, 3, 17 }, new[] { 18, 3, 5 }, 1, new[] { 2 }, new[] { 2, 1 }, new[] { 2 }, AutoPad.NotSet, true, false, true);
        yield return new TestCaseData("conv3d", new[] { 1, 2, 5, 6, 4 }, new[] { 16, 2, 3, 2, 3 }, 1, new[] { 1, 2, 1 }, new[] { 1, 0, 1, 1, 1, 0 }, null, AutoPad.NotSet, true, false, false);
    }

    /// <summary>The shared table's small rows (Engine.Tests/Shared/ConvCases.cs; model rows cut to a 7-wide plane, the stem to 11).</summary>
    public static IEnumerable<TestCaseData> TableCases()
    {
        foreach (ConvCase c in Testing.ConvCases.Small)
        {
            int rank = c.Rank;
            int[] Spatial((int D, int H, int W) v) => new[] { v.D, v.H, v.W }[(3 - rank)..];
            int[] x = [c.Batch, c.Channels, .. Spatial(c.Input)], w = [c.OutChannels, c.Channels / c.Group, .. Spatial(c.Kernel)];
            yield return new TestCaseData($"table_{c.Name}", x, w, c.Group, Spatial(c.Stride), (int[])[.. Spatial(c.PadBegin), .. Spatial(c.PadEnd)],
                Spatial(c.Dilation), AutoPad.NotSet, c.Bias, c.Epilogue.Residual, c.Epilogue.Relu).SetName($"Conv_ConvCase_{c.Name}_MatchesCpu");
        }
    }

    [TestCaseSource(nameof(ConvCases)), TestCaseSource(nameof(TableCases))]
    public void Conv_MatchesCpu(string name, int[] x, int[] w, int group, int[]? strides, int[]? pads, int[]? dilations, object autoPadCase, bool bias, bool residual, bool relu)
    {
        // NUnit runs public methods only, and the case type is internal to the engine: it arrives boxed.
        var autoPad = (AutoPad)autoPadCase;
        var op = new ConvOp(new WindowAttributes(null, strides, dilations, pads, autoPad), group, new ConvEpilogue(residual, relu));
        var input = Random(1, x);
        var weight = Random(2, w);
        var inputs = new List<(Tensor, bool)> { (input, false), (weight, true) };
        if (bias || residual) inputs.Add((bias ? Random(3, w[0]) : Random(3, w[0]), true));
        if (residual)
        {
            var probe = new Node("probe", new ConvOp(op.Window, group), [], [], 17);
            int[] outDims = new ConvOp(op.Window, group).Infer(probe, [new ValueInfo("x", ElementType.Float32, x), new ValueInfo("w", ElementType.Float32, w)])[0].Dims;
            inputs.Add((Random(4, outDims), false));
        }
        Compare(op, inputs.ToArray(), name);
    }

    [TestCase(PoolKind.Max, false, false), TestCase(PoolKind.Average, false, false), TestCase(PoolKind.Average, true, true), TestCase(PoolKind.Max, false, true)]
    public void Pool_MatchesCpu(object kindCase, bool countIncludePad, bool ceil)
    {
        // NUnit runs public methods only, and the case type is internal to the engine: it arrives boxed.
        var kind = (PoolKind)kindCase;
        var op = new PoolOp(kind, new WindowAttributes([3, 2], [2, 2], null, [1, 0, 1, 1], AutoPad.NotSet, ceil), countIncludePad, 0);
        Compare(op, [(Random(5, 2, 3, 9, 8), false)], $"{kind} pool");
    }

    [Test]
    public void GlobalAveragePool_MatchesCpu() => Compare(new GlobalAveragePoolOp(), [(Random(6, 2, 5, 7, 3), false)], "global average");

    [Test]
    public void Binary_Broadcasting_MatchesCpu()
    {
        foreach (BinaryKind kind in Enum.GetValues<BinaryKind>())
            Compare(new BinaryOp(kind), [(Random(7, 2, 3, 4), false), (Random(8, 3, 1), false)], $"{kind} broadcast");
        Compare(new BinaryOp(BinaryKind.Add), [(Random(9, 5), false), (Tensor.Scalar(2f), true)], "add scalar");
    }

    [Test]
    public void Sum_Relu_Sigmoid_Clip_MatchCpu()
    {
        Compare(new SumOp(), [(Random(10, 2, 3), false), (Random(11, 3), false), (Random(12, 2, 1), false)], "sum");
        Compare(new UnaryOp(UnaryKind.Relu), [(Random(13, 37), false)], "relu");
        Compare(new UnaryOp(UnaryKind.Sigmoid), [(Random(14, 37), false)], "sigmoid");
        Compare(new ClipOp(), [(Random(15, 37), false), (Tensor.Scalar(-0.3f), true), (Tensor.Scalar(0.4f), true)], "clip");
    }

    [Test]
    public void BatchNorm_MatchesCpu()
    {
        var variance = Random(19, 4);
        for (int i = 0; i < 4; i++) variance.Floats[i] = Math.Abs(variance.Floats[i]) + 0.1f;
        Compare(new BatchNormOp(1e-5f), [(Random(16, 2, 4, 3, 3), false), (Random(17, 4), true), (Random(18, 4), true), (Random(20, 4), true), (variance, true)], "batchnorm");
    }

    [Test]
    public void BatchNorm_ZerosAndOnes_MatchCpuBitForBit()
    {
        // x = 0 gives the shift and x = 1 scale + shift: both backends take them from BatchNormFolding.
        const int channels = 64;
        var (gamma, beta, mean, variance) = Planning.FusionTests.BatchNormParameters(channels, 3);
        var x = Tensor.FromArray(Enumerable.Repeat(0f, channels).Concat(Enumerable.Repeat(1f, channels)).ToArray(), 2, channels, 1, 1);
        var (cpu, gpu) = RunBoth(new BatchNormOp(1e-5f), [(x, false), (gamma, true), (beta, true), (mean, true), (variance, true)]);
        Assert.That(gpu.Floats.ToArray(), Is.EqualTo(cpu.Floats.ToArray()));
    }

    [TestCaseSource(typeof(Kernels.MaxPoolPaddingTests), nameof(Kernels.MaxPoolPaddingTests.Cases))]
    public void MaxPool_WindowsInPadding_AreNegativeInfinity_AsOnCpu(string name, int kernel, int stride, int pad, bool ceil, int n)
    {
        var op = new PoolOp(PoolKind.Max, new WindowAttributes([kernel, kernel], [stride, stride], null, [pad, pad, pad, pad], AutoPad.NotSet, ceil), false, 0);
        float[] x = Kernels.MaxPoolPaddingTests.Input(n);
        var (cpu, gpu) = RunBoth(op, [(Tensor.FromArray(x, 1, 2, n, n), false)]);
        float[] expected = Kernels.MaxPoolPaddingTests.Expected(x, 2, Kernels.MaxPoolPaddingTests.Window(kernel, stride, pad, ceil, n).Window);
        Assert.That(expected, Has.Some.EqualTo(float.NegativeInfinity), name);
        Assert.That(gpu.Floats.ToArray(), Is.EqualTo(expected), $"{name} on the GPU");
        Assert.That(cpu.Floats.ToArray(), Is.EqualTo(expected), $"{name} on the CPU");
    }

    /// <summary>One single-output node on both backends (as <see cref="Compare"/>), returning both outputs.</summary>
    private (Tensor Cpu, Tensor Gpu) RunBoth(Operator op, (Tensor Value, bool Constant)[] inputs)
    {
        var (cpu, gpu) = RunAll(op, inputs, 1);
        return (cpu[0], gpu[0]);
    }

    [TestCase(1, true), TestCase(-1, false), TestCase(1, false)]
    public void Softmax_MatchesCpu(int axis, bool legacy) => Compare(new SoftmaxOp(axis, legacy), [(Random(21, 3, 4, 5), false)], $"softmax axis {axis}");

    [TestCase(false, false), TestCase(true, false), TestCase(false, true), TestCase(true, true)]
    public void Gemm_MatchesCpu(bool transA, bool transB)
    {
        int m = 3, n = 5, k = 7;
        Tensor a = transA ? Random(22, k, m) : Random(22, m, k), b = transB ? Random(23, n, k) : Random(23, k, n);
        Compare(new GemmOp(0.5f, 2f, transA, transB), [(a, false), (b, true), (Random(24, n), true)], $"gemm {transA} {transB}");
    }

    [Test]
    public void MatMul_And_Concat_And_Flatten_MatchCpu()
    {
        Compare(new MatMulOp(), [(Random(25, 4, 6), false), (Random(26, 6, 3), false)], "matmul");
        Compare(new ConcatOp(1), [(Random(27, 2, 3, 2), false), (Random(28, 2, 1, 2), false), (Random(29, 2, 4, 2), true)], "concat");
        Compare(new FlattenOp(1), [(Random(30, 2, 3, 2), false)], "flatten");
    }

    [Test]
    public void UnsupportedOp_RefusedAtCompileNamingTheDevice()
    {
        var op = new GatherOp(0);
        Assert.That(() => Compare(op, [(Random(31, 4, 2), false), (Tensor.FromArray(new long[] { 1, 0 }, 2), true)], "gather"),
            Throws.TypeOf<UnsupportedModelException>().With.Message.Contains("IlgpuCpu"));
    }
}
