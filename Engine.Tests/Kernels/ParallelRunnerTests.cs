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

    [Test]
    public void For_EachThreadStartsOnItsOwnRange_AndStealsTheRest()
    {
        // Two threads over 1000 indices: the caller's range is [0, 500), the worker's [500, 1000). The caller waits
        // at index 0 until the worker has started; the worker stalls at 501, and the caller, its own range done,
        // finishes the worker's from the back, so the loop does not wait on the stalled thread's share.
        using var runner = new ParallelRunner(2);
        const int count = 1000;
        var worker = new int[count];
        int firstByWorker = -1;
        using var started = new ManualResetEventSlim();
        runner.For(count, i =>
        {
            worker[i] = runner.CurrentWorker;
            if (runner.CurrentWorker != 0) { Interlocked.CompareExchange(ref firstByWorker, i, -1); started.Set(); }
            if (i == 0) started.Wait(TimeSpan.FromSeconds(10));
            if (i == 501) Thread.Sleep(300);
        });
        // Waking is the runner's job: a worker that has not joined within the caller's 10 s wait is a bug, not load.
        Assert.That(firstByWorker, Is.Not.EqualTo(-1), "the worker never joined the loop within 10 s");
        Assert.That(firstByWorker, Is.EqualTo(500), "the worker starts at the front of its own range");
        Assert.That(worker[0], Is.EqualTo(0), "the caller starts at the front of its range");
        Assert.That(worker[count - 1], Is.EqualTo(0), "the caller took the stalled worker's last index from the back");
    }

    [TestCase(2), TestCase(3)]
    public void For_ManyLoopsOfMixedLengths_EveryIndexOnce(int threads)
    {
        using var runner = new ParallelRunner(threads);
        var random = new Random(threads);
        for (int round = 0; round < 2000; round++)
        {
            int count = random.Next(0, 9) == 0 ? random.Next(1000, 5000) : random.Next(0, 12);
            var hits = new int[count];
            runner.For(count, i => Interlocked.Increment(ref hits[i]));
            Assert.That(hits.All(h => h == 1), Is.True, $"round {round}, {count} indices");
        }
    }

    /// <summary>A body that names itself and spins a little per index, so that every thread gets some.</summary>
    private readonly struct SpinBody(int[] hits) : IParallelBody, ITracedBody
    {
        public string TraceLabel => "spin";

        public void Invoke(int index)
        {
            Interlocked.Increment(ref hits[index]);
            Thread.SpinWait(2000);
        }
    }

    [TestCase(1), TestCase(2), TestCase(4)]
    public void Trace_RecordsEveryLoopsIndicesAndTimesPerThread(int threads)
    {
        var trace = new LoopTrace();
        using var runner = new ParallelRunner(threads) { Trace = trace };
        // A shorter loop after the longest: each loop's times are its own, not the longest's left over.
        int[] counts = [0, 1, 7, 64, 3];
        foreach (int count in counts) runner.For(count, new SpinBody(new int[count]));
        runner.For(5, i => { });
        List<LoopTrace.Loop> loops = trace.Take();
        Assert.That(loops.Select(l => l.Count), Is.EqualTo(new[] { 0, 1, 7, 64, 3, 5 }), "one record per loop, in order");
        Assert.That(loops.Take(5).Select(l => l.Label), Is.All.EqualTo("spin"));
        Assert.That(loops[5].Label, Does.Contain("ActionBody"), "an unnamed body goes by its type");
        foreach (LoopTrace.Loop loop in loops)
        {
            Assert.That(loop.Indices.Sum(), Is.EqualTo(loop.Count), $"{loop.Label} {loop.Count}: every index counted once");
            Assert.That(loop.Busy, Has.Length.EqualTo(threads));
            Assert.That(loop.IndexTicks, Has.Length.EqualTo(loop.Count), $"{loop.Label} {loop.Count}: a time per index");
            if (loop.Label == "spin")
            {
                Assert.That(loop.IndexTicks, Is.All.Positive, $"{loop.Count}: every index timed");
                Assert.That(loop.IndexTicks.Sum(), Is.LessThanOrEqualTo(loop.Busy.Sum()), $"{loop.Count}: the indices within the threads' busy time");
            }
            for (int t = 0; t < threads; t++)
            {
                bool ran = loop.Indices[t] > 0;
                Assert.That(loop.Start[t] >= 0, Is.EqualTo(ran), $"thread {t}: a start exactly when it ran indices");
                Assert.That(loop.Busy[t] > 0, Is.EqualTo(ran), $"thread {t}: busy exactly when it ran indices");
                Assert.That(loop.Busy[t], Is.LessThanOrEqualTo(loop.Wall), $"thread {t}: busy within the loop's wall");
            }
        }
        Assert.That(trace.Take(), Is.Empty, "Take empties the trace");
        runner.Trace = null;
        runner.For(3, i => { });
        Assert.That(trace.Take(), Is.Empty, "nothing recorded once the trace is off");
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10)) Assert.Fail($"not within 10 s: {what}");
            Thread.Sleep(1);
        }
    }

    [Test]
    public void Worker_AfterLoops_SpinsOnceThenSleepsUntilTheNext()
    {
        using var runner = new ParallelRunner(2);
        WaitUntil(() => runner.Sleeping == 1, "the worker asleep before any loop");
        for (int round = 0; round < 20; round++)
        {
            var hits = new int[64];
            // Two loops back to back: the second is published while the worker still spins after the first, when a
            // wake for a worker that was not asleep had stayed in the semaphore and cost it a second spin later.
            runner.For(64, i => Interlocked.Increment(ref hits[i]));
            runner.For(64, i => Interlocked.Increment(ref hits[i]));
            Assert.That(hits, Is.All.EqualTo(2));
            WaitUntil(() => runner.Sleeping == 1, $"round {round}: the worker asleep after the loops");
            long spins = runner.IdleSpins;
            Thread.Sleep(100); // far longer than a spin (~1.4 ms): a spin on a leftover wake would have begun and ended by now
            Assert.That(runner.Sleeping, Is.EqualTo(1), $"round {round}: still asleep");
            Assert.That(runner.IdleSpins, Is.EqualTo(spins), $"round {round}: no spin while no loop came");
            // Each wake answers one announced sleep. (How many spins a round takes is the host's: a caller held off its
            // core between the two loops lets the worker sleep in between, and that is right.)
            Assert.That(runner.WakesReleased, Is.LessThanOrEqualTo(runner.IdleSpins), $"round {round}: no wake but for a sleeper");
        }
    }
}
