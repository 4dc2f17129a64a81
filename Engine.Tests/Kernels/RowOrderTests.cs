using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Tensors;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// Which blocked layers take their rows outermost on several threads (<see cref="BlockedTuning.WideningRowsOuter"/>): the
/// widening layers whose filter is within a few times their input, pointwise planes cut in a segment per thread to make
/// row ranges; never on one thread or with an image per thread, never a narrowing layer or a strided 1×1's copy. On
/// AVX-512 a flattened pointwise plane keeps its groups outermost instead, its first tasks asking for their input
/// (<see cref="BlockedTuning.FirstTaskInputAhead"/>; <see cref="BlockedTuning.FirstTaskInputUnasked"/> is the cut). The order
/// of the tasks and the segments change no sum: the answers are the one-thread plan's bit for bit, on every blocked tier.
/// </summary>
[TestFixture]
public class RowOrderTests
{
    private static readonly ParallelRunner Two = new(2), Three = new(3);

    [Test]
    public void ResNet50Layer3_TheWideningPointwiseGoesRowsOuter_OnSeveralThreadsOnly()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Contains(CpuIsa.Avx512), "the AVX-512 blocked kernels");
        var platform = CpuPlatform.Create(CpuIsa.Avx512);
        var random = new Random(5);
        // layer3's 256 → 1024 +Add (1 MB of filter, 200 KB of input) and the 1024 → 256 that narrows (1 MB, 800 KB).
        var widening = new ConvShape(1, 256, 1024, 1, ConvCase.Planar(14, 14, 1, 1, 0), new(true, true));
        var narrowing = new ConvShape(1, 1024, 256, 1, ConvCase.Planar(14, 14, 1, 1, 0), new(false, true));
        Tensor w1 = TestModels.RandomWeights(random, widening.WeightLength), w2 = TestModels.RandomWeights(random, narrowing.WeightLength);

        BlockedTuning cut = BlockedTuning.FirstTaskInputUnasked;
        var two = new BlockedDirectPlan(widening, w1, platform, Two, null, cut);
        Assert.That((two.RowsOuter, two.SegmentsPerRow), Is.EqualTo((true, 2)), "2 threads: a 98-pixel segment per thread, rows outermost");
        var asks = new BlockedDirectPlan(widening, w1, platform, Two, null, null);
        Assert.That((asks.RowsOuter, asks.SegmentsPerRow, asks.AsksFirstTaskInput), Is.EqualTo((false, 1, true)), "by default: groups outermost, first tasks asking");
        var one = new BlockedDirectPlan(widening, w1, platform, ParallelRunner.Sequential, null, null);
        Assert.That((one.RowsOuter, one.SegmentsPerRow), Is.EqualTo((false, 1)), "1 thread: the order before");
        var before = new BlockedDirectPlan(widening, w1, platform, Two, null, BlockedTuning.RowsOuterByInput);
        Assert.That((before.RowsOuter, before.SegmentsPerRow), Is.EqualTo((false, 1)), "the rule off: groups outermost");
        var narrow = new BlockedDirectPlan(narrowing, w2, platform, Two, null, null);
        Assert.That((narrow.RowsOuter, narrow.SegmentsPerRow), Is.EqualTo((false, 1)), "a narrowing layer keeps its groups outermost");
        // A 14×14 plane whose input outweighs its filter (64 → 80): the rule at 1 is the path before exactly, one segment.
        var light = new ConvShape(1, 64, 80, 1, ConvCase.Planar(14, 14, 1, 1, 0), new(true, false));
        Tensor w4 = TestModels.RandomWeights(random, light.WeightLength);
        var lightBefore = new BlockedDirectPlan(light, w4, platform, Two, null, BlockedTuning.RowsOuterByInput);
        Assert.That((lightBefore.RowsOuter, lightBefore.SegmentsPerRow), Is.EqualTo((false, 1)), "the rule off cuts no segments");
        var lightNow = new BlockedDirectPlan(light, w4, platform, Two, null, cut);
        Assert.That((lightNow.RowsOuter, lightNow.SegmentsPerRow), Is.EqualTo((true, 2)));
        // 832 → 832 (2.8 MB): one unit sums in passes (its 213 KB slices), whose ranges the groups alone would keep at one.
        var passes = new ConvShape(1, 832, 832, 1, ConvCase.Planar(14, 14, 1, 1, 0), new(false, true));
        var inPasses = new BlockedDirectPlan(passes, TestModels.RandomWeights(random, passes.WeightLength), platform, Two, null, cut);
        Assert.That((inPasses.Passes > 1, inPasses.RowsOuter, inPasses.SegmentsPerRow), Is.EqualTo((true, true, 2)), "a plane in passes gets its ranges too");
        // ResNeXt-101's layer3 1024 → 1024 (4 MB of filter, 800 KB of input): a second stream of the filter costs more.
        var large = new ConvShape(1, 1024, 1024, 1, ConvCase.Planar(14, 14, 1, 1, 0), new(false, true));
        var wide = new BlockedDirectPlan(large, TestModels.RandomWeights(random, large.WeightLength), platform, Two, null, null);
        Assert.That((wide.RowsOuter, wide.SegmentsPerRow), Is.EqualTo((false, 1)), "a filter over 3 MB keeps its groups outermost");
        // layer3.0's 3×3 s2 (2.4 MB of filter, 800 KB of input) keeps its channels: rows outermost on 2 threads only.
        var strided = new ConvShape(1, 256, 256, 1, ConvCase.Planar(28, 28, 3, 2, 1), new(false, true));
        Tensor w3 = TestModels.RandomWeights(random, strided.WeightLength);
        Assert.That(new BlockedDirectPlan(strided, w3, platform, Two, null, null).RowsOuter, Is.True, "the strided 3×3 on 2 threads");
        Assert.That(new BlockedDirectPlan(strided, w3, platform, ParallelRunner.Sequential, null, null).RowsOuter, Is.False, "the strided 3×3 on 1 thread");
    }

    [Test]
    public void StridedPointwiseCopy_KeepsItsOrder()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Contains(CpuIsa.Avx512), "the AVX-512 blocked kernels");
        var platform = CpuPlatform.Create(CpuIsa.Avx512);
        // ResNet-18's layer4.0 downsample: 256 → 512 s2 at 14×14, copied per thread (the filter outweighs the pixels).
        var shape = new ConvShape(1, 256, 512, 1, ConvCase.Planar(14, 14, 1, 2, 0), new(true, false));
        var plan = new BlockedDirectPlan(shape, TestModels.RandomWeights(new Random(6), shape.WeightLength), platform, Two, null, null);
        Assert.That(plan.Subsamples, Is.True);
        Assert.That((plan.RowsOuter, plan.SegmentsPerRow), Is.EqualTo((false, 1)));
    }

    [Test]
    public void RowsOuter_AnswersAsOneThread_BitForBit([Values(2, 3)] int threads)
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
        ParallelRunner runner = threads == 2 ? Two : Three;
        var random = new Random(40 + threads);
        ConvShape[] shapes =
        [
            // Pointwise planes of 99 and 49 pixels (segments of 50/49 and 25/24; 33/33/33 on 3 threads), odd channels.
            new(1, 40, 100, 1, ConvCase.Planar(9, 11, 1, 1, 0), new(true, true)),
            new(2, 24, 72, 1, ConvCase.Planar(7, 7, 1, 1, 0), new(false, true)),
            // 160 channels in one unit sum in one pass; cut in segments they must still (more units would make passes).
            new(1, 160, 320, 1, ConvCase.Planar(14, 14, 1, 1, 0), new(true, true)),
            // 832 channels: the plane sums in passes (AVX-512), each segment its own range.
            new(1, 832, 832, 1, ConvCase.Planar(14, 14, 1, 1, 0), new(false, true)),
            // A padded 3×3 over odd rows with a residual, and a strided one.
            new(1, 32, 80, 1, ConvCase.Planar(10, 13, 3, 1, 1), new(true, true)),
            new(2, 20, 100, 1, ConvCase.Planar(31, 29, 3, 2, 1), new(false, false)),
        ];
        foreach (CpuIsa isa in CpuIsas.Blocked)
        {
            var platform = CpuPlatform.Create(isa);
            int b = platform.BlockSize;
            foreach (ConvShape s in shapes)
            {
                Tensor weights = TestModels.RandomWeights(random, s.WeightLength);
                // The widening cut on every tier (AVX-512's default keeps flattened planes' groups outermost, as `before` runs them).
                var plan = new BlockedDirectPlan(s, weights, platform, runner, null, BlockedTuning.FirstTaskInputUnasked);
                // Batch 2 on 2 threads: an image per thread in either order, so the rule leaves it (on 3 threads it applies).
                Assert.That(plan.RowsOuter, Is.EqualTo(s.Batch < threads), $"{isa}, {s}: the case must reach the rule, or not");
                var one = new BlockedDirectPlan(s, weights, platform, ParallelRunner.Sequential, null, null);
                var before = new BlockedDirectPlan(s, weights, platform, runner, null, BlockedTuning.RowsOuterByInput);
                int cp = BlockedLayout.PaddedChannels(s.Channels, b), mp = BlockedLayout.PaddedChannels(s.OutChannels, b);
                float[] x = TestModels.RandomData(random, (long)s.Batch * cp * s.Window.InSize), bias = TestModels.RandomData(random, s.OutChannels);
                float[] residual = s.Epilogue.Residual ? TestModels.RandomData(random, (long)s.Batch * mp * s.Window.OutSize) : [];
                long length = (long)s.Batch * mp * s.Window.OutSize;
                float[] expected = BlockedOutputAssert.Run(one, x, bias, residual, length);
                for (int round = 0; round < 3; round++)
                {
                    Assert.That(BlockedOutputAssert.Run(plan, x, bias, residual, length), Is.EqualTo(expected), $"{isa}, {threads} threads, {s}, round {round}");
                    Assert.That(BlockedOutputAssert.Run(before, x, bias, residual, length), Is.EqualTo(expected), $"{isa}, {threads} threads, {s}, the order before");
                }
            }
        }
    }
}
