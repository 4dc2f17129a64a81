using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Tests.Kernels;

[TestFixture]
public class ParallelRunnerTests
{
    [TestCase(1), TestCase(2), TestCase(4)]
    public void For_EveryIndexRunsExactlyOnce(int threads)
    {
        using var runner = new ParallelRunner(threads);
        for (int round = 0; round < 200; round++)
        {
            int count = round % 37;
            var hits = new int[count];
            runner.For(count, i => Interlocked.Increment(ref hits[i]));
            Assert.That(hits, Is.All.EqualTo(1), $"round {round}");
        }
    }

    [Test]
    public void For_ExceptionInBody_SurfacesOnCaller()
    {
        using var runner = new ParallelRunner(2);
        Assert.That(() => runner.For(50, i => { if (i == 17) throw new InvalidOperationException("boom"); }), Throws.InvalidOperationException.With.Message.EqualTo("boom"));
        int sum = 0;
        runner.For(10, i => Interlocked.Add(ref sum, i));
        Assert.That(sum, Is.EqualTo(45), "the runner keeps working after a failed loop");
    }

    [Test]
    public void For_NestedAndConcurrentCalls_RunInline()
    {
        using var runner = new ParallelRunner(2);
        int total = 0;
        runner.For(4, i => runner.For(4, j => Interlocked.Increment(ref total)));
        Assert.That(total, Is.EqualTo(16));
        total = 0;
        Parallel.For(0, 8, _ => runner.For(100, j => Interlocked.Increment(ref total)));
        Assert.That(total, Is.EqualTo(800));
    }
}
