using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Reference;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Tensors;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// The longer passes of wide 1×1s (<see cref="BlockedTuning.PointwisePassChannels"/>): half the input channels, at least
/// PassChannels and at most PointwisePassChannels, for every 1×1 on AVX-512 (with
/// <see cref="BlockedTuning.PointwisePassMaxFilterRatio"/> at 6, the path before, only those whose filter is less than 6 times
/// one image's input); the same passes whatever the batch and the threads; and the answers against the reference
/// convolution on every blocked tier (the sums change order, so within a tolerance, as every other choice of passes is held).
/// The longer passes are the default where L1 is 32 KiB or unknown (<see cref="BlockedTuning.PointwisePassChannelsFor"/>): the
/// tests of the rule pin them (<see cref="BlockedTuning.LongPointwisePasses"/>), whatever this machine's L1.
/// </summary>
[TestFixture]
public class PointwisePassesTests
{
    private static readonly ParallelRunner One = new(1), Two = new(2);
    private static readonly BlockedTuning Long = BlockedTuning.LongPointwisePasses;

    [Test]
    public void Default_FollowsTheL1DataCache()
    {
        Assert.That(BlockedTuning.PointwisePassChannelsFor(0), Is.EqualTo(512), "an unknown L1 keeps the longer passes");
        Assert.That(BlockedTuning.PointwisePassChannelsFor(32 * 1024), Is.EqualTo(512), "a 32 KiB L1 (Zen 4, Skylake): the longer passes");
        Assert.That(BlockedTuning.PointwisePassChannelsFor(48 * 1024), Is.EqualTo(0), "a 48 KiB L1 (Zen 5, Ice Lake and later): passes of PassChannels");
        Assert.That(BlockedTuning.Default.PointwisePassChannels, Is.EqualTo(BlockedTuning.PointwisePassChannelsFor(CpuCaches.L1DataBytes)));
        // CPUID's answer, where it gives one, is a plausible L1: a whole number of KiB between 8 KiB and 1 MiB.
        int l1 = CpuCaches.L1DataBytes;
        TestContext.Progress.WriteLine($"L1 data cache (CPUID): {l1} bytes");
        if (l1 != 0) Assert.That(l1 % 1024 == 0 && l1 is >= 8 * 1024 and <= 1024 * 1024, Is.True, $"{l1} bytes");
        if (System.Runtime.Intrinsics.X86.X86Base.IsSupported && Environment.GetEnvironmentVariable("CI") == "true")
            Assert.That(l1, Is.GreaterThan(0), "an x86 machine answers CPUID's cache leaves");
    }

    private static ConvShape Pointwise(int batch, int c, int m, int size, bool residual = false) =>
        new(batch, c, m, 1, ConvCase.Planar(size, size, 1, 1, 0), new(residual, true));

    [Test]
    public void PassBlocks_HalfTheInput_BetweenPassChannelsAnd512()
    {
        var tuning = BlockedTuning.LongPointwisePasses;
        // (input blocks, block, wide) → (blocks per pass, passes); a 1×1 slice of 4 output blocks, many row units.
        (int InBlocks, int Block, bool Wide, int PassBlocks, int Passes)[] cases =
        [
            (16, 16, true, 8, 2),    // 256 channels: passes of 128, as before
            (32, 16, true, 16, 2),   // 512: 2 × 256 (4 × 128 before)
            (64, 16, true, 32, 2),   // 1024: 2 × 512 (8 × 128)
            (128, 16, true, 32, 4),  // 2048: 4 × 512 (16 × 128)
            (20, 16, true, 10, 2),   // 320: 2 × 160
            (65, 16, true, 22, 3),   // 1040: passes of at most 512, near-equal
            (128, 8, true, 64, 2),   // AVX2's blocks of 8: 1024 in 2 × 512
            (64, 16, false, 8, 8),   // not wide: passes of PassChannels
        ];
        foreach ((int inBlocks, int block, bool wide, int passBlocks, int passes) in cases)
        {
            long blockBytes = (long)4 * block * block * sizeof(float);
            Assert.That(BlockedDirectPlan.PassBlocks(inBlocks, blockBytes, block, manyUnits: true, tuning, wide), Is.EqualTo((passBlocks, passes)),
                $"{inBlocks} blocks of {block}, wide {wide}");
            Assert.That(BlockedDirectPlan.PassBlocks(inBlocks, blockBytes, block, manyUnits: true, BlockedTuning.PointwisePassesOfPassChannels, wide),
                Is.EqualTo(BlockedDirectPlan.PassBlocks(inBlocks, blockBytes, block, manyUnits: true, tuning, false)), $"{inBlocks} blocks of {block}: the rule off");
        }
    }

    [Test]
    public void Plans_WidePassesForEveryPointwiseLayer_WhateverTheBatchAndThreads()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Contains(CpuIsa.Avx512), "AVX-512's blocks of 16");
        const CpuIsa isa = CpuIsa.Avx512;
        // ResNet-50's layer3 1024 → 256 at 14×14 (filter 1.3 × the input), ResNeXt-101 32x8d's 1024 → 1024 (5 ×), ResNet-50's
        // layer3.0 downsample 512 → 1024 s2 (1.3 ×; a subsampled copy, shared on 2 threads at batch 1), a 3×3 whose filter is
        // a third of its input (passes of 128: windows with taps keep theirs), ResNet-50's layer4 2048 → 512 at 7×7 (10 ×) and
        // ResNeXt-101 32x8d's 2048 → 2048 (42 ×): the last two kept passes of 128 below six times the input (the path before).
        (ConvShape Shape, int Passes, int Before, int BelowSix)[] layers =
        [
            (Pointwise(1, 1024, 256, 14), 2, 8, 2),
            (Pointwise(1, 1024, 1024, 14, residual: true), 2, 8, 2),
            (new(1, 512, 1024, 1, ConvCase.Planar(28, 28, 1, 2, 0), new(true, true)), 2, 4, 2),
            (new(1, 512, 32, 1, ConvCase.Planar(28, 28, 3, 1, 1), new(false, true)), 4, 4, 4),
            (Pointwise(1, 2048, 512, 7), 4, 16, 16),
            (Pointwise(1, 2048, 2048, 7, residual: true), 4, 16, 16),
        ];
        foreach ((ConvShape shape, int passes, int before, int belowSix) in layers)
        {
            var plan = BlockedPlans.WithRandomWeights(shape, isa, One, Long);
            Assert.That(plan.Passes, Is.EqualTo(passes), $"{shape}");
            Assert.That(BlockedPlans.WithRandomWeights(shape, CpuIsa.Avx2, One, Long).Passes,
                Is.EqualTo(BlockedPlans.WithRandomWeights(shape, CpuIsa.Avx2, One, BlockedTuning.PointwisePassesOfPassChannels).Passes), $"{shape}: AVX2 keeps its passes");
            Assert.That(BlockedPlans.WithRandomWeights(shape, isa, One, BlockedTuning.PointwisePassesOfPassChannels).Passes, Is.EqualTo(before), $"{shape}: the rule off");
            Assert.That(BlockedPlans.WithRandomWeights(shape, isa, One, BlockedTuning.PointwisePassesBelowSixTimesTheInput).Passes, Is.EqualTo(belowSix), $"{shape}: below six times the input");
            // The passes decide the sums: the same for any batch on any threads (batch 3 on one thread runs the 7×7s groups first).
            foreach ((int batch, ParallelRunner runner) in new[] { (3, One), (1, Two), (5, Two) })
                Assert.That(BlockedPlans.WithRandomWeights(shape with { Batch = batch }, isa, runner, Long).Passes, Is.EqualTo(passes), $"{shape}: batch {batch}, {runner.Threads} thread(s)");
        }
    }

    [Test]
    public void WidePasses_MatchTheReference_EveryBlockedTier()
    {
        RequireBlocked();
        var random = new Random(61);
        // Odd channel counts (a partial last block and a remainder pass), a residual, ReLU on the last pass; batch 1 and 3;
        // and a filter 52 times an image's input, whose groups go first on one thread (the layers the ratio kept out before).
        ConvShape groupsFirst = Pointwise(3, 1096, 200, 2, residual: true);
        ConvShape[] shapes = [Pointwise(1, 1040, 40, 5, residual: true), Pointwise(3, 600, 72, 4), Pointwise(2, 2050, 24, 3, residual: true), groupsFirst];
        foreach (ConvShape shape in shapes)
        {
            float[] x = TestModels.RandomData(random, shape.InputLength), weight = TestModels.RandomData(random, shape.WeightLength);
            float[] bias = TestModels.RandomData(random, shape.OutChannels);
            float[] residual = shape.Epilogue.Residual ? TestModels.RandomData(random, shape.OutputLength) : [];
            var expected = new float[shape.OutputLength];
            ConvReference.Run(x, weight, bias, expected, shape.Batch, shape.Channels, shape.OutChannels, 1, shape.Window, residual, shape.Epilogue.Relu);
            var tensor = Tensor.FromArray(weight, weight.Length);
            foreach (CpuIsa isa in CpuIsas.Blocked)
            {
                var platform = CpuPlatform.Create(isa);
                int b = platform.BlockSize;
                (float[] xb, float[] rb, long length) = BlockedOutputAssert.BlockedOperands(shape, x, residual, b);
                foreach (ParallelRunner runner in new[] { One, Two })
                {
                    var plan = new BlockedDirectPlan(shape, tensor, platform, runner, null, Long with { PassesAboveBytes = 0 });
                    var before = new BlockedDirectPlan(shape, tensor, platform, runner, null, BlockedTuning.PointwisePassesOfPassChannels with { PassesAboveBytes = 0 });
                    string where = $"{shape} on {isa}, {runner.Threads} thread(s), {plan.Passes} pass(es)";
                    if (shape == groupsFirst && runner == One) Assert.That(plan.GroupsFirst, Is.True, $"{where}: groups first");
                    // AVX-512 only: AVX2's slices (2 output blocks of 8) were left as they were.
                    if (b == 16) Assert.That(plan.Passes, Is.GreaterThan(1).And.LessThan(before.Passes), $"{where}: longer passes than the {before.Passes} before");
                    else Assert.That(plan.Passes, Is.EqualTo(before.Passes), $"{where}: AVX2's passes as before");
                    float[] yb = BlockedOutputAssert.Run(plan, xb, bias, rb, length);
                    BlockedOutputAssert.Matches(yb, expected, shape, b, 1e-5 * Math.Sqrt(shape.K), where);
                }
            }
        }
    }

    private static void RequireBlocked() => References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
}
