using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// What the first task of each image asks for on more images than threads (<see cref="BlockedTuning.ImageInputAhead"/>):
/// in a flattened pointwise layer of image-by-image tasks (AVX-512), the task of each image's first group asks, in every
/// pass but the last, for exactly that image's next pass's input planes, and no other task asks; with the groups first
/// (<see cref="BlockedTuning.GroupsFirstInputAhead"/>) every task asks for its own image's; nothing at an image or less per
/// thread, for a window with taps, on AVX2 or with either rule off; and the answers bit for bit those of the rules off
/// (prefetching changes no result). The counts of passes are the longer passes' (<see cref="BlockedTuning.LongPointwisePasses"/>,
/// pinned whatever this machine's L1); the answers are checked in both lengths of pass.
/// </summary>
[TestFixture]
public class ImageInputAheadTests
{
    private static readonly ParallelRunner One = new(1), Two = new(2), Three = new(3);
    private static readonly BlockedTuning Long = BlockedTuning.LongPointwisePasses;

    // ResNet-50's layer3 1024 → 256 1×1 at 14×14: on AVX-512 four output groups of 64, two passes of 512 channels.
    private static ConvShape Narrowing(int batch) => new(batch, 1024, 256, 1, ConvCase.Planar(14, 14, 1, 1, 0), new(false, true));

    [Test]
    public void FirstTaskOfEachImage_AsksForEachNextPassesInput_Exactly()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Contains(CpuIsa.Avx512), "the AVX-512 blocked kernels");
        foreach ((int batch, ParallelRunner runner) in new[] { (3, One), (5, Two), (4, Three) })
        {
            ConvShape shape = Narrowing(batch);
            var plan = BlockedPlans.WithRandomWeights(shape, CpuIsa.Avx512, runner, Long);
            string where = $"batch {batch}, {runner.Threads} thread(s)";
            Assert.That((plan.RowsOuter, plan.GroupsFirst, plan.Passes), Is.EqualTo((false, false, 2)), $"{where}: image by image, in passes");
            int groups = plan.TaskCount / batch, inBlocks = shape.Channels / 16, passBlocks = inBlocks / plan.Passes;
            long plane = 14L * 14 * 16 * sizeof(float);
            // Tasks run image by image, each image's groups in turn: the first of each image asks for its image's next pass.
            BlockedPlans.AssertNextPassAsks(plan, (task, pass) =>
                task % groups != 0 ? null : (((long)(task / groups) * inBlocks + (pass + 1) * passBlocks) * plane, passBlocks * plane), where);
            // In its first pass the same task's tiles ask for the next tile's pixels; no other task's do.
            for (int task = 0; task < plan.TaskCount; task++)
                Assert.That(plan.AsksTileInput(task), Is.EqualTo(task % groups == 0), $"{where}: task {task}'s tiles ask in its first pass");
        }
    }

    // ResNet-50's layer4 2048 → 512 at 7×7 in a batch on one thread: its filter is ten times an image's input, so its groups
    // go first (each group's slice over every image); four passes of 512 channels.
    private static ConvShape GroupsFirstShape(int batch) => new(batch, 2048, 512, 1, ConvCase.Planar(7, 7, 1, 1, 0), new(false, true));

    [Test]
    public void GroupsFirst_EveryTask_AsksForItsOwnImagesInput_Exactly()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Contains(CpuIsa.Avx512), "the AVX-512 blocked kernels");
        foreach (int batch in new[] { 2, 3 })
        {
            ConvShape shape = GroupsFirstShape(batch);
            var plan = BlockedPlans.WithRandomWeights(shape, CpuIsa.Avx512, One, Long);
            string where = $"batch {batch}, groups first";
            Assert.That((plan.RowsOuter, plan.GroupsFirst, plan.Passes), Is.EqualTo((false, true, 4)), $"{where}: group by group, in passes");
            int inBlocks = shape.Channels / 16, passBlocks = inBlocks / plan.Passes;
            long plane = 7L * 7 * 16 * sizeof(float);
            // Tasks run group by group, each group's images in turn: task t is image t % batch's, and asks for that image's next pass.
            BlockedPlans.AssertNextPassAsks(plan, (task, pass) => (((long)(task % batch) * inBlocks + (pass + 1) * passBlocks) * plane, passBlocks * plane), where);
            for (int task = 0; task < plan.TaskCount; task++)
                Assert.That(plan.AsksTileInput(task), Is.True, $"{where}: task {task}'s tiles ask in its first pass");
        }
        // ResNet-50's layer4 512 → 2048 at 7×7 (filter 40 times an image's input) runs in one pass: every task's tiles ask,
        // and there is no next pass to ask for.
        var onePass = new ConvShape(3, 512, 2048, 1, ConvCase.Planar(7, 7, 1, 1, 0), new(true, true));
        var single = BlockedPlans.WithRandomWeights(onePass, CpuIsa.Avx512, One, Long);
        Assert.That((single.GroupsFirst, single.Passes), Is.EqualTo((true, 1)), "512 → 2048: groups first, one pass");
        Assert.That(Enumerable.Range(0, single.TaskCount).All(single.AsksTileInput), Is.True, "512 → 2048: every task's tiles ask");
        Assert.That(BlockedPlans.AsksForNextPassInput(single), Is.False, "512 → 2048: no next pass");
        Assert.That(Enumerable.Range(0, single.TaskCount).Any(BlockedPlans.WithRandomWeights(onePass, CpuIsa.Avx512, One, Long with { GroupsFirstInputAhead = false }).AsksTileInput),
            Is.False, "512 → 2048, the rule off: no tile asks");
    }

    [Test]
    public void AnImagePerThread_Taps_Avx2_AndTheRulesOff_AskForNothing()
    {
        // On AVX-512, where the rule could ask (AVX2 never does, so an AVX2-only host would show nothing).
        References.RequireBlockedTier(CpuIsas.Blocked.Contains(CpuIsa.Avx512), "the AVX-512 blocked kernels");
        const CpuIsa isa = CpuIsa.Avx512;
        var threeByThree = new ConvShape(3, 512, 128, 1, ConvCase.Planar(14, 14, 3, 1, 1), new(false, true));
        var cases = new List<(ConvShape, CpuIsa, ParallelRunner, BlockedTuning?, string)>
        {
            (Narrowing(1), isa, One, Long, "an image on one thread"),
            (Narrowing(2), isa, Two, Long, "an image per thread"),
            (threeByThree, isa, One, Long, "a window with taps"),
            (Narrowing(3), isa, One, Long with { ImageInputAhead = false }, "the rule off"),
            (GroupsFirstShape(3), isa, One, Long with { GroupsFirstInputAhead = false }, "groups first, its rule off"),
            (GroupsFirstShape(3), isa, One, Long with { ImageInputAhead = false }, "groups first, the image rule off"),
        };
        if (CpuIsas.Blocked.Contains(CpuIsa.Avx2)) cases.Add((Narrowing(3), CpuIsa.Avx2, One, BlockedTuning.Default with { PassesAboveBytes = 0 }, "AVX2"));
        foreach ((ConvShape shape, CpuIsa tier, ParallelRunner runner, BlockedTuning? tuning, string name) in cases)
        {
            var plan = BlockedPlans.WithRandomWeights(shape, tier, runner, tuning);
            if (name.StartsWith("groups first", StringComparison.Ordinal)) Assert.That(plan.GroupsFirst, Is.True, name);
            Assert.That(plan.Passes, Is.GreaterThan(1), $"{name}: in passes, where a task could ask");
            Assert.That(BlockedPlans.AsksForNextPassInput(plan), Is.False, name);
            Assert.That(Enumerable.Range(0, plan.TaskCount).Any(plan.AsksTileInput), Is.False, $"{name}: no tile asks either");
        }
    }

    [Test]
    public void AsksOn_AnswerBitForBit_AsTheRuleOff()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
        var random = new Random(43);
        // The narrowing 1×1 and a smaller odd one (a partial last block, passes with a remainder, a residual and the ReLU on the
        // last pass), in batches of more images than threads; and an odd one whose filter is 35 times an image's input, whose
        // groups go first on one thread (4 groups of 64 outputs, the last partial; 3 passes).
        var odd = new ConvShape(3, 1096, 40, 1, ConvCase.Planar(5, 7, 1, 1, 0), new(true, true));
        var oddGroupsFirst = new ConvShape(3, 1096, 200, 1, ConvCase.Planar(2, 3, 1, 1, 0), new(true, true));
        foreach (CpuIsa isa in CpuIsas.Blocked)
            foreach ((ConvShape shape, ParallelRunner runner) in new[] { (Narrowing(3), One), (odd, One), (odd with { Batch = 5 }, Two), (Narrowing(4), Three), (oddGroupsFirst, One) })
            {
                var platform = CpuPlatform.Create(isa);
                var weights = TestModels.RandomWeights(random, shape.WeightLength);
                foreach (BlockedTuning on in new[] { Long, BlockedTuning.PointwisePassesOfPassChannels })
                {
                    var asking = new BlockedDirectPlan(shape, weights, platform, runner, null, on);
                    string where = $"{isa}, batch {shape.Batch}, {runner.Threads} thread(s), {shape.Channels} → {shape.OutChannels}, {asking.Passes} pass(es)";
                    if (shape == oddGroupsFirst && on == Long) Assert.That(asking.GroupsFirst && (isa != CpuIsa.Avx512 || asking.Passes == 3), Is.True, $"{where}: groups first, in 3 passes on AVX-512");
                    Assert.That(BlockedPlans.AsksForNextPassInput(asking), Is.EqualTo(isa == CpuIsa.Avx512), $"{where}: the layer asks at all (AVX-512 only)");
                    foreach (BlockedTuning off in new[] { on with { ImageInputAhead = false }, on with { GroupsFirstInputAhead = false } })
                    {
                        var quiet = new BlockedDirectPlan(shape, weights, platform, runner, null, off);
                        BlockedOutputAssert.SameBits(asking, quiet, random, platform.BlockSize, where);
                    }
                }
            }
    }
}
