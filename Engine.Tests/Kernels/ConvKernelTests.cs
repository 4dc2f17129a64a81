using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Reference;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Graph.Ops;
using Cardinal.Testing;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// Convolution as im2col + GEMM against the direct reference: 1-D, 2-D and 3-D windows, groups (ResNeXt's
/// 32, depthwise), strides, pads (asymmetric too), dilations, odd sizes such as 9×7 spatial and 13 channels.
/// </summary>
[TestFixture]
public class ConvKernelTests
{
    public static IEnumerable<TestCaseData> Cases()
    {
        // name, N, C, M, group, input D/H/W, kernel D/H/W, stride, dilation, pad begin, pad end
        yield return Case("resnet_stem_small", 1, 3, 8, 1, (1, 20, 20), (1, 7, 7), (1, 2, 2), (1, 1, 1), (0, 3, 3), (0, 3, 3));
        yield return Case("pointwise", 2, 16, 24, 1, (1, 9, 7), (1, 1, 1), (1, 1, 1), (1, 1, 1), (0, 0, 0), (0, 0, 0));
        yield return Case("pointwise_strided", 1, 16, 8, 1, (1, 9, 7), (1, 1, 1), (1, 2, 2), (1, 1, 1), (0, 0, 0), (0, 0, 0));
        yield return Case("3x3_odd_channels", 2, 13, 11, 1, (1, 9, 7), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1));
        yield return Case("resnext_32_groups", 1, 64, 64, 32, (1, 8, 8), (1, 3, 3), (1, 2, 2), (1, 1, 1), (0, 1, 1), (0, 1, 1));
        yield return Case("depthwise", 1, 12, 12, 12, (1, 10, 9), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1));
        yield return Case("depthwise_multiplier", 1, 4, 12, 4, (1, 6, 6), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 0, 0), (0, 0, 0));
        yield return Case("dilated_asymmetric_pad", 1, 5, 7, 1, (1, 11, 13), (1, 3, 2), (1, 2, 1), (1, 2, 3), (0, 2, 0), (0, 1, 3));
        yield return Case("pad_wider_than_input", 1, 2, 3, 1, (1, 1, 2), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 2, 2), (0, 2, 2));
        yield return Case("conv1d", 2, 3, 4, 1, (1, 1, 17), (1, 1, 5), (1, 1, 2), (1, 1, 2), (0, 0, 2), (0, 0, 1));
        yield return Case("conv3d_groups", 1, 4, 6, 2, (5, 6, 7), (3, 3, 2), (2, 1, 2), (1, 2, 1), (1, 1, 0), (1, 0, 1));
        yield return Case("same_5x5_shifted_copy", 1, 3, 5, 1, (1, 8, 11), (1, 5, 5), (1, 1, 1), (1, 1, 1), (0, 2, 2), (0, 2, 2));
        yield return Case("same_dilated_shifted_copy", 1, 2, 3, 1, (1, 7, 9), (1, 3, 3), (1, 1, 1), (1, 2, 2), (0, 2, 2), (0, 2, 2));
        yield return Case("same_width_one", 1, 2, 2, 1, (1, 4, 1), (1, 3, 5), (1, 1, 1), (1, 1, 1), (0, 1, 2), (0, 1, 2));
        yield return Case("large_k_across_blocks", 1, 64, 10, 1, (1, 6, 6), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1));
        // r3d_18's failure: a 3×3×3 "same" convolution once depth is 1 (its depth taps 0 and 2 read padding).
        yield return Case("conv3d_depth_one_same", 1, 16, 16, 1, (1, 4, 4), (3, 3, 3), (1, 1, 1), (1, 1, 1), (1, 1, 1), (1, 1, 1));
        yield return Case("conv3d_depth_one_pointwise_depth_pad", 1, 4, 5, 1, (1, 5, 6), (1, 3, 3), (1, 1, 1), (1, 1, 1), (1, 1, 1), (1, 1, 1));
        yield return Case("conv3d_depth_one_grouped_depth_pad", 1, 8, 8, 4, (1, 5, 6), (1, 3, 3), (1, 1, 1), (1, 1, 1), (1, 1, 1), (0, 1, 1));
        yield return Case("many_column_blocks_two_k_slices", 2, 40, 19, 1, (1, 30, 41), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1));
    }

    private static TestCaseData Case(string name, int n, int c, int m, int group, (int, int, int) input, (int, int, int) kernel,
        (int, int, int) stride, (int, int, int) dilation, (int, int, int) padBegin, (int, int, int) padEnd)
    {
        int Out(int i, int k, int s, int d, int pb, int pe) => (i + pb + pe - ((k - 1) * d + 1)) / s + 1;
        var w = new Window3D(input.Item1, input.Item2, input.Item3,
            Out(input.Item1, kernel.Item1, stride.Item1, dilation.Item1, padBegin.Item1, padEnd.Item1),
            Out(input.Item2, kernel.Item2, stride.Item2, dilation.Item2, padBegin.Item2, padEnd.Item2),
            Out(input.Item3, kernel.Item3, stride.Item3, dilation.Item3, padBegin.Item3, padEnd.Item3),
            kernel.Item1, kernel.Item2, kernel.Item3, stride.Item1, stride.Item2, stride.Item3,
            dilation.Item1, dilation.Item2, dilation.Item3, padBegin.Item1, padBegin.Item2, padBegin.Item3,
            padEnd.Item1, padEnd.Item2, padEnd.Item3);
        return new TestCaseData(n, c, m, group, w).SetName($"Run_{name}_MatchesReference");
    }

    [TestCaseSource(nameof(Cases))]
    public void Run_Case_MatchesReference(int n, int c, int m, int group, object window)
    {
        // NUnit runs public methods only, and the case type is internal to the engine: it arrives boxed.
        var w = (Window3D)window;
        var random = new Random(c * 100 + m);
        float[] x = Random(random, n * c * w.InSize);
        float[] weight = Random(random, m * (c / group) * w.KernelSize);
        float[] bias = Random(random, m);
        float[] y = new float[n * m * w.OutSize + 4], expected = new float[n * m * w.OutSize];
        y.AsSpan(n * m * w.OutSize).Fill(float.NaN);

        foreach (int threads in new[] { 1, 2 })
        {
            Run(null, x, weight, bias, y, new ConvShape(n, c, m, group, w), new ParallelRunner(threads), CpuPlatform.Default, constantWeights: false);
            ConvReference.Run(x, weight, bias, expected, n, c, m, group, w);
            for (int i = 0; i < expected.Length; i++)
                Assert.That(y[i], Is.EqualTo(expected[i]).Within(1e-4 * (1 + Math.Abs(expected[i]))), $"threads={threads} element {i} of {w}");
            Assert.That(y.AsSpan(expected.Length).ToArray(), Is.All.NaN, "wrote past the output");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Run_WithResidualAndRelu_MatchesReference(int n, int c, int m, int group, object window)
    {
        // NUnit runs public methods only, and the case type is internal to the engine: it arrives boxed.
        var w = (Window3D)window;
        var random = new Random(c * 31 + m);
        float[] x = Random(random, n * c * w.InSize), weight = Random(random, m * (c / group) * w.KernelSize);
        float[] bias = Random(random, m), residual = Random(random, n * m * w.OutSize);
        float[] y = new float[n * m * w.OutSize], expected = new float[y.Length];
        Run(null, x, weight, bias, y, new ConvShape(n, c, m, group, w, new ConvEpilogue(true, true)), new ParallelRunner(2), CpuPlatform.Default,
            constantWeights: true, residual);
        ConvReference.Run(x, weight, bias, expected, n, c, m, group, w, residual, relu: true);
        for (int i = 0; i < expected.Length; i++)
            Assert.That(y[i], Is.EqualTo(expected[i]).Within(1e-4 * (1 + Math.Abs(expected[i]))), $"element {i}");
        Assert.That(expected.Count(v => v == 0), Is.GreaterThan(0), "ReLU should clip something");
    }

    [TestCaseSource(nameof(Cases))]
    public void Run_WithWeightsPackedAtLoad_MatchesReference(int n, int c, int m, int group, object window)
    {
        // NUnit runs public methods only, and the case type is internal to the engine: it arrives boxed.
        var w = (Window3D)window;
        // Packed weights take the packed-B path too (im2col straight into panels) and the GEMM's tile epilogue.
        var random = new Random(c * 7 + m);
        float[] x = Random(random, n * c * w.InSize), weight = Random(random, m * (c / group) * w.KernelSize), bias = Random(random, m);
        float[] residual = Random(random, n * m * w.OutSize);
        float[] y = new float[n * m * w.OutSize], expected = new float[y.Length];
        var shape = new ConvShape(n, c, m, group, w, new ConvEpilogue(true, true));
        ConvReference.Run(x, weight, bias, expected, n, c, m, group, w, residual, relu: true);
        foreach (CpuIsa isa in CpuIsas.Supported)
            foreach (ConvAlgorithm algorithm in ConvPlan.Applicable(shape, constantWeights: true))
            {
                var platform = CpuPlatform.Create(isa);
                Array.Fill(y, float.NaN);
                Run(algorithm, x, weight, bias, y, shape, new ParallelRunner(2), platform, constantWeights: true, residual);
                for (int i = 0; i < expected.Length; i++)
                    Assert.That(y[i], Is.EqualTo(expected[i]).Within(1e-4 * (1 + Math.Abs(expected[i]))), $"{platform} {algorithm}: element {i}");
            }
    }

    /// <summary>
    /// The shared table (Engine.Tests/Shared/ConvCases.cs). The ResNet-50/ResNeXt-50 rows run at a reduced plane
    /// (each input axis cut to 7, the stem to 15: channels, groups, kernel, stride, pads and epilogue as in the
    /// model) so that the double-precision twin stays fast; the odd rows run as they are. Batch 2 where the
    /// reduced layer is small, 1 for the 1024/2048-channel ones.
    /// </summary>
    public static IEnumerable<TestCaseData> TableCases() =>
        ConvCases.All.Select(c => new TestCaseData(c.Name).SetName($"ConvCase_{c.Name}_EveryAlgorithmEveryTier_MatchesReference"));

    internal static ConvCase TestSize(ConvCase c)
    {
        if (c.Model.Length == 0) return c;
        ConvCase reduced = c.Reduced(c.Kernel.H >= 7 ? 15 : 7);
        return reduced.Flops <= 40_000_000 ? reduced with { Batch = 2 } : reduced;
    }

    [TestCaseSource(nameof(TableCases))]
    public void ConvCase_EveryAlgorithmEveryTier_MatchesReference(string name)
    {
        ConvCase c = TestSize(ConvCases.Find(name));
        using var one = new ParallelRunner(1);
        using var two = new ParallelRunner(2);
        var result = new FuzzResult();
        var failures = new List<string>();
        ConvFuzz.RunConv(c.Shape, c.Bias, name.GetHashCode(StringComparison.Ordinal), $"{name} ({c.Shape})", CpuIsas.Supported, [one, two], result, failures);
        TestContext.Out.WriteLine($"{c.Shape}: {string.Join(", ", result.Counts.Keys)}");
        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    [TestCase(3, 7, 9, 3, 3, 1, 1, 1, 1, 32)]     // odd plane, the AVX-512 panel width
    [TestCase(5, 12, 5, 3, 3, 1, 1, 1, 1, 16)]    // AVX2's
    [TestCase(2, 9, 11, 5, 5, 2, 2, 1, 1, 8)]     // 5×5 "same"
    [TestCase(4, 8, 8, 3, 3, 2, 2, 2, 2, 4)]      // dilated, the scalar tier's 4
    [TestCase(2, 4, 1, 3, 5, 1, 2, 1, 1, 8)]      // width 1: every column tap but the centre is padding
    public unsafe void ShiftedTaps_PacksWhatIm2ColThenPackBPack(int channels, int h, int width, int kh, int kw, int padH, int padW, int dh, int dw, int nr)
    {
        // The twin: im2col's matrix packed by the plain PackB, block by block, over every K slice and column block.
        var w = new Window3D(1, h, width, 1, h, width, 1, kh, kw, 1, 1, 1, 1, dh, dw, 0, padH, padW, 0, padH, padW);
        Assert.That(ShiftedTaps.Applies(w), Is.True);
        var random = new Random(channels * 100 + h);
        float[] x = Random(random, channels * w.InSize);
        int k = channels * w.KernelSize, n = w.OutSize;
        float[] cols = new float[k * n];
        Im2Col.Unfold(x, channels, w, cols);
        uint[] masks = new uint[TapMasks.Length(w, nr)];
        TapMasks.Fill(w, nr, masks);
        fixed (float* px = x, pc = cols)
        fixed (uint* pm = masks)
        {
            var taps = new ShiftedTaps(px, channels, w, pm, nr, CpuPlatform.Default);
            foreach (int blockColumns in new[] { nr, 2 * nr, (n + nr - 1) / nr * nr })
                for (int p0 = 0; p0 < k; p0 += Sgemm.KC)
                    for (int col0 = 0; col0 < n; col0 += blockColumns)
                    {
                        int kc = Math.Min(Sgemm.KC, k - p0), nc = Math.Min(blockColumns, n - col0), size = (nc + nr - 1) / nr * nr * kc;
                        float[] got = new float[size], expected = new float[size];
                        fixed (float* pg = got, pe = expected)
                        {
                            taps.Pack(p0, kc, col0, nc, nr, pg);
                            SgemmPack.PackB(pc + (long)p0 * n + col0, n, kc, nc, nr, pe);
                        }
                        Assert.That(got, Is.EqualTo(expected), $"slice {p0}, columns {col0}+{nc}");
                    }
        }
    }

    [TestCase(9, 7, 3, 3, 1, 1, 1, 1, 1, 1, 32)]
    [TestCase(11, 13, 5, 3, 2, 2, 2, 1, 1, 1, 16)]
    [TestCase(4, 1, 3, 5, 1, 2, 1, 1, 1, 1, 8)]
    [TestCase(10, 9, 3, 3, 1, 1, 2, 2, 2, 1, 4)]
    public void TapMasks_MarkExactlyTheTapsInsideThePlane(int h, int width, int kh, int kw, int padH, int padW, int sh, int sw, int dh, int dw, int nr)
    {
        int outH = (h + 2 * padH - (dh * (kh - 1) + 1)) / sh + 1, outW = (width + 2 * padW - (dw * (kw - 1) + 1)) / sw + 1;
        var w = new Window3D(1, h, width, 1, outH, outW, 1, kh, kw, 1, sh, sw, 1, dh, dw, 0, padH, padW, 0, padH, padW);
        uint[] masks = new uint[TapMasks.Length(w, nr)];
        TapMasks.Fill(w, nr, masks);
        int stride = TapMasks.Stride(w, nr);
        for (int t = 0; t < kh * kw; t++)
            for (int p = 0; p < stride; p++)
            {
                int oh = p / outW, ow = p % outW, ih = oh * sh + t / kw * dh - padH, iw = ow * sw + t % kw * dw - padW;
                bool inside = p < w.OutSize && ih >= 0 && ih < h && iw >= 0 && iw < width;
                Assert.That(masks[t * stride + p], Is.EqualTo(inside ? ~0u : 0u), $"tap {t}, pixel {p}");
            }
    }

    /// <summary>Runs one convolution through a prepared plan (Select's pick when <paramref name="algorithm"/> is null) with its own workspace.</summary>
    internal static void Run(ConvAlgorithm? algorithm, float[] x, float[] weight, float[] bias, float[] y, ConvShape shape, ParallelRunner parallel,
        CpuPlatform platform, bool constantWeights, float[]? residual = null)
    {
        Cardinal.Tensors.Tensor? weights = constantWeights ? Cardinal.Tensors.Tensor.FromArray(weight, weight.Length) : null;
        ConvPlan plan = algorithm is { } chosen ? ConvPlan.Create(chosen, shape, weights, platform, parallel) : ConvPlan.Select(shape, weights, platform, parallel);
        var workspace = new Cardinal.Planning.WorkspaceBuffer(plan.WorkspaceBytes);
        plan.Run(x, weight, bias, residual ?? default, y, workspace.Workspace);
        GC.KeepAlive(workspace); // the Workspace is a raw pointer into it
    }

    private static float[] Random(Random r, int length) => Enumerable.Range(0, length).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
}
