using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// Whether a rows-outermost layer's tasks ask for the next task's filter slice: yes where each thread sweeps the output
/// groups once (a row range per thread: ResNet-50's layer3 256 → 1024s on 2 threads, whose every slice comes from
/// memory); no where a thread sweeps them again over later rows and a filter of at most 1 MB is still in its cache.
/// </summary>
[TestFixture]
public class RowsOuterPrefetchTests
{
    private static readonly ParallelRunner Two = new(2), Three = new(3);

    [Test]
    public void OneSweepPerThread_AsksForTheNextGroupsSlice([Values(2, 3)] int threads)
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked direct kernel");
        var runner = threads == 2 ? Two : Three;
        var widening = new ConvShape(1, 256, 1024, 1, ConvCase.Planar(14, 14, 1, 1, 0), new(true, true));
        foreach (CpuIsa isa in CpuIsas.Blocked)
        {
            // The widening cut (AVX-512's default keeps this plane's groups outermost and asks for first tasks' input instead).
            var plan = BlockedPlans.WithRandomWeights(widening, isa, runner, BlockedTuning.FirstTaskInputUnasked);
            string where = $"{isa}, {threads} threads";
            Assert.That((plan.RowsOuter, plan.SegmentsPerRow), Is.EqualTo((true, threads)), $"{where}: a row range per thread");
            Assert.That(plan.FilterBytes, Is.LessThanOrEqualTo(1 << 20), $"{where}: a filter the old rule took for cached");
            var lastPasses = plan.PrefetchAsks().Where(a => a.Pass == plan.Passes - 1).ToList();
            Assert.That(lastPasses, Has.Count.EqualTo(plan.TaskCount));
            for (int i = 0; i + 1 < lastPasses.Count; i++)
            {
                int nextGroup = plan.TaskOf(lastPasses[i].Task + 1).Group;
                Assert.That(nextGroup, Is.Not.EqualTo(lastPasses[i].Group), $"{where}: rows outermost, the group changes every task");
                Assert.That((lastPasses[i].Offset, lastPasses[i].Lines * 64), Is.EqualTo(plan.SliceOf(nextGroup, 0)),
                    $"{where}: task {lastPasses[i].Task} asks for the next group's first slice");
            }
            Assert.That(lastPasses[^1].Lines, Is.Zero, $"{where}: the last task has no next");
        }
    }

    [Test]
    public void SeveralSweepsPerThread_AskNothingAcrossTasks()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked direct kernel");
        // ResNet-50's layer2.0 3×3 s2 (590 KB of filter, 1.6 MB of input): rows outermost over many row ranges, so each
        // thread's later ranges find the filter in cache.
        var strided = new ConvShape(1, 128, 128, 1, ConvCase.Planar(56, 56, 3, 2, 1), new(false, true));
        foreach (CpuIsa isa in CpuIsas.Blocked)
            foreach (ParallelRunner runner in new[] { ParallelRunner.Sequential, Two })
            {
                var plan = BlockedPlans.WithRandomWeights(strided, isa, runner);
                string where = $"{isa}, {runner.Threads} thread(s)";
                Assert.That(plan.RowsOuter, Is.True, $"{where}: the case must reach the rule");
                var lastPasses = plan.PrefetchAsks().Where(a => a.Pass == plan.Passes - 1).ToList();
                int groups = lastPasses.Select(a => a.Group).Distinct().Count();
                Assert.That(plan.TaskCount, Is.GreaterThan(runner.Threads * groups), $"{where}: several ranges per thread");
                Assert.That(lastPasses.All(a => a.Lines == 0), Is.True, $"{where}: a task's last pass asks for nothing");
            }
    }
}
