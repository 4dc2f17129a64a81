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
/// <see cref="GroupedDiagonalPlan"/> (ResNeXt's groups of 4 and 8 channels, true multiply-adds only) against its two
/// twins: <see cref="ConvReference"/> between reorders, and the block-diagonal dense <see cref="BlockedDirectPlan"/> on
/// the same blocked input. Channel counts that leave padded lanes, strides 1–2, asymmetric pads, dilation 2, rows
/// that reach every tile width (1–6 pixels for groups of 4, 1–3 for 8) and borders, planes down to 1×1, batch 1–3,
/// every epilogue, 1 and 2 threads, on every tier this machine runs that takes the shape (AVX-512: groups of 4 and 8;
/// AVX2: groups of 4). A machine with neither skips (CI=true fails: its machines have AVX-512).
/// </summary>
[TestFixture]
public class GroupedDiagonalTests
{
    private static readonly ParallelRunner One = new(1), Two = new(2);

    /// <summary>The tiers this machine runs that take the shape (AVX-512: groups of 4 and 8; AVX2: groups of 4).</summary>
    private static CpuPlatform[] TiersFor(in ConvShape shape)
    {
        var tiers = new List<CpuPlatform>();
        foreach (CpuIsa isa in CpuIsas.Supported)
        {
            var platform = CpuPlatform.Create(isa);
            if (GroupedDiagonalPlan.Supports(shape, platform)) tiers.Add(platform);
        }
        return tiers.ToArray();
    }

    private static Window3D Window2D(int inH, int inW, int k, int s, int d, int pt, int pl, int pb, int pr) =>
        ConvCase.MakeWindow((1, inH, inW), (1, k, k), (1, s, s), (1, d, d), (0, pt, pl), (0, pb, pr));

    public static IEnumerable<TestCaseData> Cases()
    {
        var random = new Random(4242);
        foreach (int width in new[] { 4, 8 })
            for (int i = 0; i < 24; i++)
            {
                int groups = random.Next(2, 11);
                int k = new[] { 1, 3, 3, 3, 5 }[random.Next(5)], s = random.Next(1, 3), d = random.Next(10) == 0 ? 2 : 1;
                int inH = random.Next(1, 12), inW = random.Next(1, 26);
                int pt = random.Next(0, k), pl = random.Next(0, k), pb = random.Next(0, k), pr = random.Next(0, k);
                var w = Window2D(inH, inW, k, s, d, pt, pl, pb, pr);
                if (w.OutH < 1 || w.OutW < 1) { i--; continue; }
                var epilogue = new ConvEpilogue(random.Next(2) == 0, random.Next(2) == 0);
                var shape = new ConvShape(random.Next(1, 4), groups * width, groups * width, groups, w, epilogue);
                yield return new TestCaseData(shape, random.Next(4) != 0).SetName($"Run_{width}PerGroup_{i}_MatchesBothTwins");
            }
        // ResNeXt-50's own (at reduced planes): stride 1 and 2, 56- and 28-wide rows.
        yield return new TestCaseData(new ConvShape(1, 128, 128, 32, Window2D(6, 56, 3, 1, 1, 1, 1, 1, 1), new ConvEpilogue(false, true)), true).SetName("Run_ResNeXt50Layer1_MatchesBothTwins");
        yield return new TestCaseData(new ConvShape(1, 256, 256, 32, Window2D(8, 56, 3, 2, 1, 1, 1, 1, 1), new ConvEpilogue(false, true)), true).SetName("Run_ResNeXt50Layer2Strided_MatchesBothTwins");
        yield return new TestCaseData(new ConvShape(2, 256, 256, 32, Window2D(5, 28, 3, 1, 1, 1, 1, 1, 1), new ConvEpilogue(true, true)), false).SetName("Run_ResNeXt50Layer2Residual_MatchesBothTwins");
    }

    [TestCaseSource(nameof(Cases))]
    public void Run_Case_MatchesBothTwins(object shapeCase, bool hasBias) // boxed: ConvShape is internal
    {
        var shape = (ConvShape)shapeCase;
        CpuPlatform[] tiers = TiersFor(shape);
        // CI's machines have AVX-512: a run that reached no tier would hide a broken kernel (a skip locally, a failure there).
        if (tiers.Length == 0) References.Unavailable($"No tier on this machine runs the diagonal kernel for {shape} (AVX-512: groups of 4 and 8; AVX2: 4).");
        Window3D w = shape.Window;
        int n = shape.Batch, c = shape.Channels;
        var random = new Random(shape.GetHashCode());
        float[] x = Values(random, shape.InputLength), weight = Values(random, shape.WeightLength);
        float[] bias = hasBias ? Values(random, c) : [];
        float[] residual = shape.Epilogue.Residual ? Values(random, shape.OutputLength) : [];
        var expected = new float[shape.OutputLength];
        ConvReference.Run(x, weight, bias, expected, n, c, c, shape.Group, w, residual, shape.Epilogue.Relu);
        var tensor = Tensor.FromArray(weight, weight.Length);
        double atol = 1e-5 * Math.Sqrt(shape.K);
        foreach (CpuPlatform platform in tiers)
        {
            int b = platform.BlockSize;
            (float[] xb, float[] rb, long length) = BlockedOutputAssert.BlockedOperands(shape, x, residual, b);
            float[] dense = BlockedOutputAssert.Run(new BlockedDirectPlan(shape, tensor, platform, One), xb, bias, rb, length);
            foreach (ParallelRunner runner in new[] { One, Two })
            {
                var plan = new GroupedDiagonalPlan(shape, tensor, platform, runner);
                Assert.That(plan.BlockedOutputLength, Is.EqualTo(length));
                float[] yb = BlockedOutputAssert.Run(plan, xb, bias, rb, length);
                string where = $"{shape} on {platform.Isa} (b={b}), {runner.Threads} thread(s)";
                BlockedOutputAssert.Matches(yb, expected, shape, b, atol, where);
                // The dense twin sums the same true products (and zeros) in another order: agreement within rounding.
                for (long i = 0; i < length; i++)
                    Assert.That(yb[i], Is.EqualTo(dense[i]).Within(atol + 1e-5 * Math.Abs(dense[i])), $"{where}: against the block-diagonal kernel at {i}");
            }
        }
    }

    [Test]
    public void Supports_OnlyNarrowEqualGroupsOnAvx512()
    {
        var w = Window2D(6, 6, 3, 1, 1, 1, 1, 1, 1);
        var avx512 = CpuPlatform.Create(CpuIsa.Avx512);
        Assert.Multiple(() =>
        {
            Assert.That(GroupedDiagonalPlan.Supports(new ConvShape(1, 64, 64, 16, w), avx512), Is.True, "4 per group");
            Assert.That(GroupedDiagonalPlan.Supports(new ConvShape(1, 64, 64, 8, w), avx512), Is.True, "8 per group");
            Assert.That(GroupedDiagonalPlan.Supports(new ConvShape(1, 64, 64, 4, w), avx512), Is.False, "16 per group: whole blocks, the dense kernel");
            Assert.That(GroupedDiagonalPlan.Supports(new ConvShape(1, 64, 64, 1, w), avx512), Is.False, "one group");
            Assert.That(GroupedDiagonalPlan.Supports(new ConvShape(1, 64, 32, 8, w), avx512), Is.False, "8 in, 4 out per group");
            var avx2 = CpuPlatform.Create(CpuIsa.Avx2);
            Assert.That(GroupedDiagonalPlan.Supports(new ConvShape(1, 64, 64, 16, w), avx2), Is.True, "AVX2, 4 per group (half its block)");
            Assert.That(GroupedDiagonalPlan.Supports(new ConvShape(1, 64, 64, 8, w), avx2), Is.False, "AVX2, 8 per group: the whole block, the dense kernel is exact");
            Assert.That(GroupedDiagonalPlan.Supports(new ConvShape(1, 64, 64, 16, w), CpuPlatform.Create(CpuIsa.Portable)), Is.False, "no blocked layout");
        });
    }

    private static float[] Values(Random random, long length)
    {
        var a = new float[length];
        for (long i = 0; i < length; i++) a[i] = (float)(random.NextDouble() * 2 - 1);
        return a;
    }
}
