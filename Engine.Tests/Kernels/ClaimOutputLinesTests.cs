using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// Which blocked layers have each task first claim its output lines (<see cref="BlockedTuning.ClaimOutputLines"/>): on more
/// threads than images, where the filter outweighs an image's input, on AVX-512; never on one thread, with an image per
/// thread, where the input outweighs the filter, on AVX2 or with the rule off. A task claims exactly the pixels its units
/// cover: the tasks of one image and output group cover the plane once, with no pixel in two tasks (a line claimed by two
/// tasks could be written back stale over the other's store). The answers are the rule off's bit for bit. Grouped layers
/// claim on more threads than images whatever their filter weighs (<see cref="BlockedTuning.ClaimGroupedOutputLines"/>), a rule
/// of their own. The dense claim's default follows the processor (<see cref="BlockedTuning.ClaimOutputLinesFor"/>): the tests
/// of the claim pin it on (<see cref="BlockedTuning.OutputLinesClaimed"/>).
/// </summary>
[TestFixture]
public class ClaimOutputLinesTests
{
    private static readonly ParallelRunner One = new(1), Two = new(2), Three = new(3);

    // ResNet-50's layer3 256 → 1024 +Add at 14×14 (1 MB of filter, 200 KB of input) and layer1's 64 → 256 +Add at 56×56
    // (64 KB, 800 KB).
    private static readonly ConvShape Layer3 = ResNet50("r50.l3.1x1.256-1024"), Layer1 = ResNet50("r50.l1.1x1.64-256");

    private static ConvShape ResNet50(string name) => ConvCases.Find(name).Shape;

    // ResNeXt-50's layer3 grouped 3×3 (512 channels in 32 groups of 16 at 14×14: 295 KB of filter, 400 KB of input).
    private static readonly ConvShape Grouped = ConvCases.Find("rx50.l3.3x3g32.512").Shape;

    private static readonly BlockedTuning Claimed = BlockedTuning.OutputLinesClaimed;

    private static bool Claims(ConvShape shape, ParallelRunner runner, BlockedTuning? tuning = null, CpuIsa isa = CpuIsa.Avx512) =>
        BlockedPlans.WithRandomWeights(shape, isa, runner, tuning ?? Claimed).ClaimsOutputLines;

    [Test]
    public void Default_FollowsTheProcessor()
    {
        Assert.That(BlockedTuning.ClaimOutputLinesFor(zen5OrLater: false), Is.True, "the Zen 4 and the others keep the claim");
        Assert.That(BlockedTuning.ClaimOutputLinesFor(zen5OrLater: true), Is.False, "Zen 5 and later: no dense claim");
        Assert.That(BlockedTuning.Default.ClaimOutputLines, Is.EqualTo(BlockedTuning.ClaimOutputLinesFor(CpuIdentity.IsAmdZen5OrLater)));
        Assert.That(BlockedTuning.Default.ClaimGroupedOutputLines, Is.True, "grouped layers claim on every processor");
        TestContext.Progress.WriteLine($"CPUID: {CpuIdentity.Vendor}, family 0x{CpuIdentity.Family:X}");
        if (System.Runtime.Intrinsics.X86.X86Base.IsSupported)
            Assert.That((CpuIdentity.Vendor.Length, CpuIdentity.Family > 0), Is.EqualTo((12, true)), "an x86 machine names its vendor and family");
    }

    /// <summary>A layer that claims on 2 threads at batch 1 (AVX-512), and not on 1 thread, with an image per thread, with <paramref name="ruleOff"/>, or on AVX2.</summary>
    private static void AssertClaimsOnMoreThreadsThanImagesOnly(ConvShape shape, BlockedTuning ruleOff, string what)
    {
        Assert.That(Claims(shape, Two), Is.True, $"{what} on 2 threads");
        Assert.That(Claims(shape, One), Is.False, $"{what}, 1 thread");
        Assert.That(Claims(shape with { Batch = 2 }, Two), Is.False, $"{what}, an image per thread");
        Assert.That(Claims(shape, Two, ruleOff), Is.False, $"{what}, the rule off");
        if (CpuIsas.Blocked.Contains(CpuIsa.Avx2)) Assert.That(Claims(shape, Two, isa: CpuIsa.Avx2), Is.False, $"{what}, AVX2");
    }

    [Test]
    public void Claimed_WhereTheFilterOutweighsTheInput_OnMoreThreadsThanImages()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Contains(CpuIsa.Avx512), "the AVX-512 blocked kernels");
        AssertClaimsOnMoreThreadsThanImagesOnly(Layer3, Claimed with { ClaimOutputLines = false }, "layer3");
        Assert.That(Claims(Layer1, Two), Is.False, "the input outweighs the filter");
    }

    [Test]
    public void Claimed_InGroupedLayers_WhateverTheFilterWeighs_OnMoreThreadsThanImages()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Contains(CpuIsa.Avx512), "the AVX-512 blocked kernels");
        AssertClaimsOnMoreThreadsThanImagesOnly(Grouped, Claimed with { ClaimGroupedOutputLines = false }, "grouped, the input outweighing the filter");
        // Each rule leaves the other's layers as they were.
        Assert.That(Claims(Grouped, Two, Claimed with { ClaimOutputLines = false }), Is.True, "grouped, the dense rule off");
        Assert.That(Claims(Grouped, Two, BlockedTuning.NoOutputLinesClaimed), Is.False, "grouped, both rules off");
        Assert.That(Claims(Layer3, Two, Claimed with { ClaimGroupedOutputLines = false }), Is.True, "layer3, the grouped rule off");
        Assert.That(Claims(Layer1, Two, Claimed with { ClaimGroupedOutputLines = false }), Is.False, "layer1, the grouped rule off");
        Assert.That(Claims(Grouped, Two, BlockedTuning.Default), Is.True, "grouped, the default on any processor");
    }

    // Shapes whose tasks cut the plane every way the plan has: flattened pointwise planes in segments and passes, rows of a
    // padded 3×3 (row pairs and column tiles in grouped units of one block), a strided 1×1 read through its copy, a strided
    // 3×3 with its rows outermost, a partial last output block.
    private static IEnumerable<(ConvShape Shape, string Name)> Shapes()
    {
        yield return (Layer3, "layer3 256 → 1024 +Add");
        yield return (ResNet50("r50.l3.1x1.1024-256"), "layer3 1024 → 256, passes");
        yield return (new ConvShape(1, 200, 600, 1, ConvCase.Planar(5, 7, 1, 1, 0), new(true, true)), "odd 1×1 +Add, a partial block");
        yield return (ResNet50("r50.l4.3x3.512"), "layer4 3×3");
        // The downsample with the block's Add fused, as the model runs it.
        yield return (ResNet50("r50.l3.down.1x1s2.512-1024") with { Epilogue = new(true, true) }, "layer3.0's strided downsample");
        yield return (ResNet50("r50.l3.3x3s2.256"), "layer3.0's 3×3 s2");
        yield return (new ConvShape(1, 96, 96, 1, ConvCase.Planar(9, 11, 3, 1, 1), new(true, true)), "odd 3×3 +Add");
        // Grouped: groups of one block (wide tiles over row pairs), strided, at 28×28, of two blocks, and an odd plane.
        yield return (Grouped, "ResNeXt-50's layer3 grouped 3×3");
        yield return (ConvCases.Find("rx50.l3.3x3g32s2.512").Shape, "ResNeXt-50's layer3.0 grouped 3×3 s2");
        yield return (ConvCases.Find("rx101.l2.3x3g32.512").Shape, "ResNeXt-101's layer2 grouped 3×3 at 28×28");
        yield return (ConvCases.Find("rx50.l4.3x3g32.1024").Shape, "ResNeXt-50's layer4 grouped 3×3, groups of 32");
        yield return (new ConvShape(1, 96, 96, 6, ConvCase.Planar(9, 11, 3, 1, 1), new(false, true)), "odd grouped 3×3, groups of 16");
    }

    [Test]
    public void EachTask_ClaimsItsOwnPixels_ThePlaneOnceOverPerGroup()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Contains(CpuIsa.Avx512), "the AVX-512 blocked kernels");
        foreach ((ConvShape shape, string name) in Shapes())
            foreach (ParallelRunner runner in new[] { Two, Three })
            {
                var plan = BlockedPlans.WithRandomWeights(shape, CpuIsa.Avx512, runner, Claimed);
                string where = $"{name}, {runner.Threads} threads";
                Assert.That(plan.ClaimsOutputLines, Is.True, $"{where}: the filter outweighs the input");
                long plane = (long)shape.Window.OutH * shape.Window.OutW;
                var ranges = Enumerable.Range(0, plan.TaskCount).Select(plan.UnitPixelsOf).GroupBy(t => (t.N, t.Group));
                foreach (var g in ranges)
                {
                    long next = 0;
                    foreach (var t in g.OrderBy(t => t.First))
                    {
                        Assert.That(t.First, Is.EqualTo(next), $"{where}, group {g.Key.Group}: the tasks' pixels follow on, no gap or overlap");
                        Assert.That(t.End, Is.GreaterThan(t.First), $"{where}: a task covers pixels");
                        next = t.End;
                    }
                    Assert.That(next, Is.EqualTo(plane), $"{where}, group {g.Key.Group}: the tasks cover the plane");
                }
            }
    }

    [Test]
    public void Claiming_AnswersBitForBit_AsTheRuleOff()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
        var random = new Random(47);
        foreach (CpuIsa isa in CpuIsas.Blocked)
            foreach ((ConvShape shape, string name) in Shapes())
                foreach (ParallelRunner runner in new[] { Two, Three })
                {
                    var platform = CpuPlatform.Create(isa);
                    var weights = TestModels.RandomWeights(random, shape.WeightLength);
                    var claiming = new BlockedDirectPlan(shape, weights, platform, runner, null, Claimed);
                    var quiet = new BlockedDirectPlan(shape, weights, platform, runner, null, BlockedTuning.NoOutputLinesClaimed);
                    string where = $"{isa}, {name}, {runner.Threads} threads";
                    Assert.That(claiming.ClaimsOutputLines, Is.EqualTo(isa == CpuIsa.Avx512), $"{where}: claims on AVX-512 only");
                    BlockedOutputAssert.SameBits(claiming, quiet, random, platform.BlockSize, where);
                }
    }
}
