using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Tests.TestUtilities;

/// <summary>Blocked direct plans made only to look at their choices (task order, buffers, prefetches): random weights.</summary>
internal static class BlockedPlans
{
    /// <summary>A plan of <paramref name="shape"/> on tier <paramref name="isa"/> and <paramref name="parallel"/>'s threads, with weights from <paramref name="seed"/>.</summary>
    public static BlockedDirectPlan WithRandomWeights(ConvShape shape, CpuIsa isa, ParallelRunner parallel, BlockedTuning? tuning = null, int seed = 3) =>
        new(shape, TestModels.RandomWeights(new Random(seed), shape.WeightLength), CpuPlatform.Create(isa), parallel, null, tuning);

    /// <summary>Whether any task of <paramref name="plan"/> asks, in any pass, for input of a later pass (<see cref="BlockedDirectPlan.NextPassInputShare"/>).</summary>
    public static bool AsksForNextPassInput(BlockedDirectPlan plan) =>
        Enumerable.Range(0, plan.TaskCount).Any(t => Enumerable.Range(0, plan.Passes).Any(p => plan.NextPassInputShare(t, p).Bytes > 0));

    /// <summary>
    /// Every (task, pass) of <paramref name="plan"/> asks for exactly what <paramref name="expected"/> says of it: the byte offset
    /// in x and length of the next pass's input planes, or null for nothing (as the last pass always asks).
    /// </summary>
    public static void AssertNextPassAsks(BlockedDirectPlan plan, Func<int, int, (long Offset, long Bytes)?> expected, string where)
    {
        for (int task = 0; task < plan.TaskCount; task++)
            for (int pass = 0; pass < plan.Passes; pass++)
            {
                (long offset, long bytes) = plan.NextPassInputShare(task, pass);
                if (pass == plan.Passes - 1 || expected(task, pass) is not { } ask)
                    Assert.That(bytes, Is.Zero, $"{where}: task {task}, pass {pass} asks for nothing");
                else
                    Assert.That((offset, bytes), Is.EqualTo(ask), $"{where}: task {task}, pass {pass}: the next pass's planes");
            }
    }
}
