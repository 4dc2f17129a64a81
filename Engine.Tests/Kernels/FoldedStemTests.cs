using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Reference;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// <see cref="FoldedStemPlan"/> (a stem read straight from the NCHW image, its kernel columns folded into channels)
/// against its twin <see cref="ConvReference"/>, the blocked answer reordered back by <see cref="ReorderReference"/>:
/// on every tier with a block size, 1 and 2 threads, 1–4 channels, 2–7 kernel columns, strides 1–3, row dilation,
/// pads past the kernel, rows wide enough for the vector fold and narrow enough for the scalar one, batch 1–3, every
/// epilogue; the padded output channels exactly 0 and the NaN guard after y intact. And the ResNet stem itself.
/// </summary>
[TestFixture]
public class FoldedStemTests
{
    private static IEnumerable<CpuIsa> Tiers => CpuIsas.Blocked;
    private static readonly ParallelRunner One = new(1), Two = new(2);

    public static IEnumerable<TestCaseData> Cases()
    {
        var random = new Random(20261130);
        for (int i = 0; i < 32; i++)
        {
            int c = random.Next(1, 5), kh = random.Next(1, 8), kw = random.Next(2, 8);
            int sh = random.Next(1, 4), sw = random.Next(1, 4), dh = random.Next(4) == 0 ? 2 : 1;
            int pt = random.Next(0, kh / 2 + 2), pl = random.Next(0, kw / 2 + 2), pb = random.Next(3) == 0 ? random.Next(0, kh / 2 + 2) : pt, pr = random.Next(3) == 0 ? random.Next(0, kw / 2 + 2) : pl;
            int inH = Math.Max(random.Next(1, 12), (kh - 1) * dh + 1 - pt - pb), inW = Math.Max(random.Next(1, 48), kw - pl - pr);
            int m = new[] { 3, 16, 17, 40, 64 }[random.Next(5)], n = random.Next(1, 4);
            var epilogue = new ConvEpilogue(random.Next(3) == 0, random.Next(2) == 0);
            var w = ConvCase.MakeWindow((1, inH, inW), (1, kh, kw), (1, sh, sw), (1, dh, 1), (0, pt, pl), (0, pb, pr));
            yield return new TestCaseData(new ConvShape(n, c, m, 1, w, epilogue), random.Next(4) != 0)
                .SetName($"Run_{i:00}_n{n}_c{c}_m{m}_{inH}x{inW}_k{kh}x{kw}_s{sh}x{sw}_dh{dh}_p{pt}{pl}{pb}{pr}{(epilogue.Residual ? "_res" : "")}{(epilogue.Relu ? "_relu" : "")}_MatchesReference");
        }
        // ResNet's stem: 3 channels, 7×7 stride 2, pad 3, at a reduced plane and at 224 (every row has interior columns).
        yield return new TestCaseData(new ConvShape(1, 3, 64, 1, ConvCase.MakeWindow((1, 60, 60), (1, 7, 7), (1, 2, 2), (1, 1, 1), (0, 3, 3), (0, 3, 3)), new ConvEpilogue(false, true)), true)
            .SetName("Run_ResNetStem_60x60_MatchesReference");
        yield return new TestCaseData(new ConvShape(2, 3, 64, 1, ConvCase.MakeWindow((1, 224, 224), (1, 7, 7), (1, 2, 2), (1, 1, 1), (0, 3, 3), (0, 3, 3)), new ConvEpilogue(false, true)), true)
            .SetName("Run_ResNetStem_224x224_Batch2_MatchesReference");
    }

    [TestCaseSource(nameof(Cases))]
    public void Run_Case_MatchesReference(object shapeCase, bool hasBias) // boxed: NUnit runs public methods, ConvShape is internal
    {
        var shape = (ConvShape)shapeCase;
        References.RequireBlockedTier(Tiers.Any(), "the folded stem");
        Window3D w = shape.Window;
        int n = shape.Batch, c = shape.Channels, m = shape.OutChannels;
        var random = new Random(shape.GetHashCode());
        float[] Fill(long length) { var a = new float[length]; for (long i = 0; i < length; i++) a[i] = (float)(random.NextDouble() * 2 - 1); return a; }
        float[] x = Fill(shape.InputLength), weight = Fill(shape.WeightLength), bias = hasBias ? Fill(m) : [];
        float[] residual = shape.Epilogue.Residual ? Fill(shape.OutputLength) : [];
        var expected = new float[shape.OutputLength];
        ConvReference.Run(x, weight, bias, expected, n, c, m, 1, w, residual, shape.Epilogue.Relu);
        double atol = 1e-5 * Math.Sqrt(shape.K);
        var tensor = Tensor.FromArray(weight, weight.Length);
        foreach (CpuIsa isa in Tiers)
        {
            var platform = CpuPlatform.Create(isa);
            int b = platform.BlockSize, mp = BlockedLayout.PaddedChannels(m, b);
            Assert.That(FoldedStemPlan.Supports(shape, b), Is.True, $"{shape} at block {b}");
            var rb = new float[shape.Epilogue.Residual ? (long)n * mp * w.OutSize : 0];
            if (shape.Epilogue.Residual) ReorderReference.ToBlocked(residual, rb, n, m, w.OutSize, b);
            long length = (long)n * mp * w.OutSize;
            foreach (ParallelRunner runner in new[] { One, Two })
            {
                var plan = new FoldedStemPlan(shape, tensor, platform, runner);
                Assert.That(plan.BlockedOutputLength, Is.EqualTo(length));
                float[] yb = BlockedOutputAssert.Run(plan, x, bias, rb, length);
                string where = $"{shape} on {isa} (b={b}), {runner.Threads} thread(s)";
                BlockedOutputAssert.Matches(yb, expected, shape, b, atol, where);
                // AVX-512's stem reads the image in place (NchwStemPlan): the same twin.
                if (NchwStemPlan.Supports(shape, platform))
                {
                    var direct = new NchwStemPlan(shape, tensor, platform, runner);
                    Assert.That(direct.BlockedOutputLength, Is.EqualTo(length));
                    BlockedOutputAssert.Matches(BlockedOutputAssert.Run(direct, x, bias, rb, length), expected, shape, b, atol, $"{where}, read in place");
                }
            }
        }
    }

    /// <summary>
    /// The in-place stem takes what the fold cannot: dilated kernel columns, one column, more channels than 4 blocks
    /// hold folded; on AVX-512, against the same twin.
    /// </summary>
    [Test]
    public void NchwStem_DilatedColumnsPointwiseAndWideChannels_MatchReference([Values(1, 2)] int threads)
    {
        if (!CpuIsas.Supported.Contains(CpuIsa.Avx512)) References.Unavailable("No AVX-512 on this machine: the NCHW-input stem needs it.");
        var platform = CpuPlatform.Create(CpuIsa.Avx512);
        var shapes = new[]
        {
            new ConvShape(2, 3, 20, 1, ConvCase.MakeWindow((1, 9, 31), (1, 3, 5), (1, 1, 2), (1, 2, 2), (0, 2, 3), (0, 1, 4)), new ConvEpilogue(true, true)),
            new ConvShape(1, 5, 70, 1, ConvCase.MakeWindow((1, 6, 13), (1, 1, 1), (1, 1, 1), (1, 1, 1), (0, 0, 0), (0, 0, 0)), new ConvEpilogue(false, false)),
            new ConvShape(1, 15, 33, 1, ConvCase.MakeWindow((1, 11, 17), (1, 7, 7), (1, 3, 3), (1, 1, 1), (0, 3, 3), (0, 3, 3)), new ConvEpilogue(false, true)),
        };
        ParallelRunner runner = threads == 1 ? One : Two;
        foreach (ConvShape shape in shapes)
        {
            Assert.That(NchwStemPlan.Supports(shape, platform), Is.True, shape.ToString());
            var random = new Random(shape.GetHashCode());
            float[] Fill(long length) { var a = new float[length]; for (long i = 0; i < length; i++) a[i] = (float)(random.NextDouble() * 2 - 1); return a; }
            float[] x = Fill(shape.InputLength), weight = Fill(shape.WeightLength), bias = Fill(shape.OutChannels);
            float[] residual = shape.Epilogue.Residual ? Fill(shape.OutputLength) : [];
            var expected = new float[shape.OutputLength];
            ConvReference.Run(x, weight, bias, expected, shape.Batch, shape.Channels, shape.OutChannels, 1, shape.Window, residual, shape.Epilogue.Relu);
            int mp = BlockedLayout.PaddedChannels(shape.OutChannels, 16);
            long length = (long)shape.Batch * mp * shape.Window.OutSize;
            var rb = new float[shape.Epilogue.Residual ? length : 0];
            if (shape.Epilogue.Residual) ReorderReference.ToBlocked(residual, rb, shape.Batch, shape.OutChannels, shape.Window.OutSize, 16);
            var plan = new NchwStemPlan(shape, Tensor.FromArray(weight, weight.Length), platform, runner);
            BlockedOutputAssert.Matches(BlockedOutputAssert.Run(plan, x, bias, rb, length), expected, shape, 16, 1e-5 * Math.Sqrt(shape.K), $"{shape}, {threads} thread(s)");
        }
    }

    [Test]
    public void Supports_OnlyNarrowOneGroupPlanarWindows()
    {
        var stem = ConvCase.MakeWindow((1, 32, 32), (1, 7, 7), (1, 2, 2), (1, 1, 1), (0, 3, 3), (0, 3, 3));
        Assert.That(FoldedStemPlan.Supports(new ConvShape(1, 3, 64, 1, stem), 16), Is.True);
        Assert.That(FoldedStemPlan.Supports(new ConvShape(1, 16, 64, 1, stem), 16), Is.False, "a whole block: read blocked");
        Assert.That(FoldedStemPlan.Supports(new ConvShape(1, 5, 64, 1, stem), 8), Is.False, "5 × 7 = 35 lanes > 4 blocks of 8");
        Assert.That(FoldedStemPlan.Supports(new ConvShape(1, 3, 64, 1, stem with { DW = 2 }), 16), Is.False, "dilated columns");
        Assert.That(FoldedStemPlan.Supports(new ConvShape(1, 4, 4, 2, stem), 16), Is.False, "groups");
        var pointwise = ConvCase.MakeWindow((1, 8, 8), (1, 1, 1), (1, 1, 1), (1, 1, 1), (0, 0, 0), (0, 0, 0));
        Assert.That(FoldedStemPlan.Supports(new ConvShape(1, 3, 64, 1, pointwise), 16), Is.False, "one column: nothing to fold");
    }
}
