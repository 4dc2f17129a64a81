using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// What each thread's first task of a dense groups-outermost layer in passes asks for of its next pass's input
/// (<see cref="BlockedTuning.NextPassInputAhead"/>): exactly that pass's input planes of its image, in every pass but the
/// last, from the tasks that open a thread's range (<see cref="ParallelRunner.StartsRange"/>) and from no other; nothing
/// on one thread, at a batch of an image per thread, in rows-outermost layers or with the rule off; and the answers bit
/// for bit those of the rule off (prefetching changes no result).
/// </summary>
[TestFixture]
public class NextPassInputAheadTests
{
    private static readonly ParallelRunner One = new(1), Two = new(2), Three = new(3);

    // ResNet-50's layer3 1024 → 256 1×1 at 14×14: on AVX-512 four output groups of 64, eight passes of 128 channels.
    private static readonly ConvShape Narrowing = new(1, 1024, 256, 1, ConvCase.Planar(14, 14, 1, 1, 0), new(false, true));

    // AVX2's groups of 16 outputs stream 64 KB slices, one pass by default: smaller passes reach the rule on every tier.
    private static readonly BlockedTuning InPasses = BlockedTuning.Default with { PassesAboveBytes = 0 };

    [Test]
    public void StartsRange_TheFirstIndexOfEachThreadsRange()
    {
        int[] Starts(ParallelRunner runner, int count) => Enumerable.Range(0, count).Where(i => runner.StartsRange(i, count)).ToArray();
        Assert.That(Starts(Two, 4), Is.EqualTo(new[] { 0, 2 }));
        Assert.That(Starts(Two, 5), Is.EqualTo(new[] { 0, 2 }));
        Assert.That(Starts(Three, 7), Is.EqualTo(new[] { 0, 2, 4 }));
        Assert.That(Starts(Three, 2), Is.EqualTo(new[] { 0, 1 }), "fewer indices than threads: a range each");
        Assert.That(Starts(One, 6), Is.EqualTo(new[] { 0 }));
        Assert.That(Two.StartsRange(4, 4) || Two.StartsRange(-1, 4), Is.False, "outside the loop");
    }

    [Test]
    public void FirstTaskOfEachThread_AsksForEachNextPassesInput_Exactly()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
        foreach (CpuIsa isa in CpuIsas.Blocked)
            foreach (ParallelRunner runner in new[] { Two, Three })
            {
                var plan = BlockedPlans.WithRandomWeights(Narrowing, isa, runner, InPasses);
                string where = $"{isa}, {runner.Threads} threads";
                Assert.That((plan.RowsOuter, plan.Passes > 1), Is.EqualTo((false, true)), $"{where}: groups outermost, in passes");
                int b = CpuPlatform.Create(isa).BlockSize, inBlocks = Narrowing.Channels / b, passBlocks = (inBlocks + plan.Passes - 1) / plan.Passes;
                long plane = 14L * 14 * b * sizeof(float);
                BlockedPlans.AssertNextPassAsks(plan, (task, pass) =>
                {
                    if (!runner.StartsRange(task, plan.TaskCount)) return null;
                    int next = (pass + 1) * passBlocks, count = Math.Min(passBlocks, inBlocks - next);
                    return (next * plane, count * plane);
                }, where);
                // The same first tasks' tiles ask for their own input in the first pass (FirstTaskInputAhead; AVX-512 only).
                for (int task = 0; task < plan.TaskCount; task++)
                    Assert.That(plan.AsksTileInput(task), Is.EqualTo(isa == CpuIsa.Avx512 && runner.StartsRange(task, plan.TaskCount)), $"{where}: task {task}'s tiles");
                int askingTasks = Enumerable.Range(0, plan.TaskCount).Count(t => runner.StartsRange(t, plan.TaskCount));
                Assert.That(askingTasks, Is.EqualTo(Math.Min(runner.Threads, plan.TaskCount)), $"{where}: one first task per thread");
            }
    }

    [Test]
    public void OneThread_ABatchPerThread_RowsOuter_AndTheRuleOff_AskForNothing()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
        CpuIsa isa = CpuIsas.Blocked.First();
        // ResNet-50's layer3 256 → 1024 +Add: rows outermost on 2 threads (the widening rule, where no first task asks for its input).
        var widening = new ConvShape(1, 256, 1024, 1, ConvCase.Planar(14, 14, 1, 1, 0), new(true, true));
        foreach ((ConvShape shape, ParallelRunner runner, BlockedTuning? tuning, string name) in new (ConvShape, ParallelRunner, BlockedTuning?, string)[]
                 {
                     (Narrowing, One, InPasses, "1 thread"),
                     (Narrowing with { Batch = 2 }, Two, InPasses, "an image per thread"),
                     (widening, Two, InPasses with { FirstTaskInputAhead = false }, "rows outermost"),
                     (Narrowing, Two, InPasses with { NextPassInputAhead = false }, "the rule off"),
                 })
        {
            var plan = BlockedPlans.WithRandomWeights(shape, isa, runner, tuning);
            if (name == "rows outermost") Assert.That(plan.RowsOuter, Is.True, name);
            Assert.That(BlockedPlans.AsksForNextPassInput(plan), Is.False, name);
        }
    }

    [Test]
    public void AsksOn_AnswerBitForBit_AsTheRuleOff()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
        var random = new Random(41);
        // The narrowing 1×1 and a smaller odd one (passes of 128 channels and a remainder, the ReLU on the last pass).
        ConvShape[] shapes = [Narrowing, new(1, 296, 48, 1, ConvCase.Planar(5, 7, 1, 1, 0), new(false, true))];
        var tuning = InPasses;
        foreach (CpuIsa isa in CpuIsas.Blocked)
            foreach (ConvShape shape in shapes)
                foreach (ParallelRunner runner in new[] { Two, Three })
                {
                    var platform = CpuPlatform.Create(isa);
                    var weights = TestModels.RandomWeights(random, shape.WeightLength);
                    var asking = new BlockedDirectPlan(shape, weights, platform, runner, null, tuning);
                    var quiet = new BlockedDirectPlan(shape, weights, platform, runner, null, tuning with { NextPassInputAhead = false });
                    string where = $"{isa}, {runner.Threads} threads, {shape.Channels} → {shape.OutChannels}";
                    Assert.That(BlockedPlans.AsksForNextPassInput(asking), Is.True, $"{where}: the layer asks at all");
                    BlockedOutputAssert.SameAnswers(asking, quiet, random, platform.BlockSize, where);
                }
    }
}
