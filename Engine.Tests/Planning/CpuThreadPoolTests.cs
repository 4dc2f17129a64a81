using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Planning;

/// <summary>
/// Several backends on one <see cref="CpuThreadPool"/>: their sessions, in turn or at once, answer as each does on
/// threads of its own, and the pool outlives the backends but not its own disposal.
/// </summary>
[TestFixture]
public class CpuThreadPoolTests
{
    private static (InferenceSession Session, Tensor Input) Open(string model, CpuBackendOptions options)
    {
        string folder = Path.Combine(TorchvisionZooTests.ZooFolder, model);
        References.Require(Path.Combine(folder, "model.onnx"), References.RunTestScript);
        return (InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")), new CpuBackend(options), ownsBackend: true),
            NpyFile.Read(Path.Combine(folder, "input.npy")));
    }

    private static readonly string[] Models = ["tiny_resnext_8x4d", "tiny_resnet_bottleneck"];

    /// <summary>Each model's answer on a backend with threads of its own: what the shared runs must equal, bit for bit.</summary>
    private static float[][] OwnThreadAnswers() => Models.Select(m =>
    {
        var (session, input) = Open(m, new CpuBackendOptions { Threads = 2 });
        using (session) return session.Run(input).Floats.ToArray();
    }).ToArray();

    [Test]
    public void SessionsOnOnePool_InTurn_AnswerAsOnTheirOwnThreads()
    {
        float[][] expected = OwnThreadAnswers();
        using var pool = new CpuThreadPool(2);
        OnPool(pool, opened =>
        {
            var backends = opened.Select(o => (CpuBackend)o.Session.Backend).ToArray();
            Assert.That(backends.Select(b => b.Runner), Is.All.SameAs(pool.Runner), "every backend runs its loops on the pool's runner");
            Assert.That(backends.Select(b => b.Threads), Is.All.EqualTo(2));
            Assert.That(backends[0].Description, Does.StartWith("cpu (threads=2, shared pool,"));
            for (int round = 0; round < 3; round++)
                for (int m = 0; m < opened.Length; m++)
                    Assert.That(opened[m].Session.Run(opened[m].Input).Floats.ToArray(), Is.EqualTo(expected[m]), $"{Models[m]}, round {round}");
        });
    }

    [Test]
    public void SessionsOnOnePool_AtOnce_AnswerAsOnTheirOwnThreads()
    {
        float[][] expected = OwnThreadAnswers();
        using var pool = new CpuThreadPool(2);
        OnPool(pool, opened =>
        {
            // Callers of both sessions at once: a loop that finds the pool busy runs on its caller's thread.
            var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
            Parallel.For(0, 48, new ParallelOptions { MaxDegreeOfParallelism = 6 }, i =>
            {
                int m = i % opened.Length;
                if (!opened[m].Session.Run(opened[m].Input).Floats.ToArray().AsSpan().SequenceEqual(expected[m])) failures.Add($"run {i} ({Models[m]}) differs");
            });
            Assert.That(failures, Is.Empty);
        });
    }

    /// <summary>Every model's session on <paramref name="pool"/>, in <see cref="Models"/>' order, disposed after <paramref name="use"/>.</summary>
    private static void OnPool(CpuThreadPool pool, Action<(InferenceSession Session, Tensor Input)[]> use)
    {
        var opened = Models.Select(m => Open(m, new CpuBackendOptions { ThreadPool = pool })).ToArray();
        try { use(opened); }
        finally
        {
            foreach (var (session, _) in opened) session.Dispose();
        }
    }

    [Test]
    public void DisposingABackend_LeavesThePoolsWorkersToTheOthers()
    {
        using var pool = new CpuThreadPool(2);
        new CpuBackend(new CpuBackendOptions { ThreadPool = pool }).Dispose();
        Assert.That(pool.IsDisposed, Is.False);
        Assert.That(BothThreadsTakePart(pool), Is.True, "the worker still takes indices after a backend on the pool is disposed");

        pool.Dispose();
        Assert.That(pool.IsDisposed, Is.True);
        Assert.Throws<ObjectDisposedException>(() => new CpuBackend(new CpuBackendOptions { ThreadPool = pool }));
        int done = 0;
        pool.Runner.For(8, _ => Interlocked.Increment(ref done));
        Assert.That(done, Is.EqualTo(8), "a loop after the pool's disposal still completes, on its caller's thread");
    }

    [Test]
    public void SharedPools_OnePerThreadCount_OutliveDispose()
    {
        CpuThreadPool two = CpuThreadPool.Shared(2);
        Assert.That(CpuThreadPool.Shared(2), Is.SameAs(two));
        Assert.That(CpuThreadPool.Shared(3), Is.Not.SameAs(two));
        Assert.That((two.IsShared, two.Threads, new CpuThreadPool(2).IsShared), Is.EqualTo((true, 2, false)));
        two.Dispose();
        Assert.That(two.IsDisposed, Is.False, "the process's pool keeps running for the other sessions on it");
        Assert.That(BothThreadsTakePart(two), Is.True);
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuThreadPool.Shared(0));
    }

    [Test]
    public void SessionOptionsShareThreads_OpensOnTheProcesssPool_AndIsRefusedWhereNotRead()
    {
        string folder = Path.Combine(TorchvisionZooTests.ZooFolder, Models[1]);
        References.Require(Path.Combine(folder, "model.onnx"), References.RunTestScript);
        float[] expected = OwnThreadAnswers()[1];
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy"));
        using var first = CardinalSession.Open(Path.Combine(folder, "model.onnx"), new SessionOptions { Threads = 2, ShareThreads = true });
        using var second = CardinalSession.Open(Path.Combine(folder, "model.onnx"), new SessionOptions { Threads = 2, ShareThreads = true });
        using var own = CardinalSession.Open(Path.Combine(folder, "model.onnx"), new SessionOptions { Threads = 2 });
        Assert.That(((CpuBackend)first.Backend).Runner, Is.SameAs(CpuThreadPool.Shared(2).Runner));
        Assert.That(((CpuBackend)second.Backend).Runner, Is.SameAs(CpuThreadPool.Shared(2).Runner));
        Assert.That(((CpuBackend)own.Backend).Runner, Is.Not.SameAs(CpuThreadPool.Shared(2).Runner), "off by default");
        foreach (var session in new[] { first, second, own, first })
            Assert.That(session.Run(input).Floats.ToArray(), Is.EqualTo(expected));
        Assert.That(() => InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")), new CpuBackend(), new SessionOptions { ShareThreads = true }),
            Throws.ArgumentException.With.Message.Contains("ShareThreads"), "a backend made already: the option would go unread");
    }

    [Test]
    public void BadSettings_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CpuThreadPool(0));
        using var pool = new CpuThreadPool(1);
        Assert.Throws<ArgumentException>(() => new CpuBackend(new CpuBackendOptions { ThreadPool = pool, LoopTrace = new Cardinal.Kernels.Cpu.Threading.LoopTrace() }));
        using var backend = new CpuBackend(new CpuBackendOptions { ThreadPool = pool, Threads = 4 });
        Assert.That(backend.Threads, Is.EqualTo(1), "the pool's thread count, not Threads");
    }

    /// <summary>
    /// A two-index loop whose indices each wait for the other to start: it completes only when a worker runs one of
    /// them while the caller runs the other (false after 10 s: the caller alone).
    /// </summary>
    private static bool BothThreadsTakePart(CpuThreadPool pool)
    {
        using var started = new CountdownEvent(2);
        bool met = true;
        pool.Runner.For(2, _ =>
        {
            started.Signal();
            if (!started.Wait(TimeSpan.FromSeconds(10))) met = false;
        });
        return met;
    }
}
