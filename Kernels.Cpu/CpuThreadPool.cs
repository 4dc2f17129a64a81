using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Kernels.Cpu;

/// <summary>
/// Worker threads that several CPU backends share (<see cref="CpuBackendOptions.ThreadPool"/>): a process that holds
/// more than one session — two models, or one model at two batch sizes — runs all of them on one set of threads instead
/// of a set per backend. Each backend's own workers spin briefly after every loop before they sleep; with a set per
/// backend, the idle one's spinning worker and the active one's threads share the cores, and two 2-thread ResNet-50
/// sessions alternating run by run on this 2-core machine once ran at one thread's speed (NOTES "Shared threads").
/// <para>The pool runs one loop at a time. A run whose loop finds the pool busy with another session's loop (two
/// callers at once) runs that loop on its own caller's thread: results never depend on which thread ran what, and no
/// more threads compete than the pool's and the callers'.</para>
/// <para>Backends do not own the pool: dispose it after the last session that uses it. A run after that still
/// completes, on its caller's thread alone. The process's pools (<see cref="Shared"/>) live as long as the process.</para>
/// </summary>
public sealed class CpuThreadPool : IDisposable
{
    /// <param name="threads">Threads a run may use, the caller's included (so <paramref name="threads"/> − 1 workers start here); 1 runs every loop on the caller's thread.</param>
    public CpuThreadPool(int threads)
        : this(threads, isShared: false)
    {
    }

    private CpuThreadPool(int threads, bool isShared)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "A thread pool needs at least 1 thread.");
        Runner = new ParallelRunner(threads);
        IsShared = isShared;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, Lazy<CpuThreadPool>> s_shared = new();

    /// <summary>
    /// The process's pool of <paramref name="threads"/> threads, made on first use and kept for the process (its workers
    /// sleep when no loop comes): what <c>SessionOptions.ShareThreads</c> and the hosting package's sessions run on.
    /// <see cref="Dispose"/> leaves it running.
    /// </summary>
    public static CpuThreadPool Shared(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "A thread pool needs at least 1 thread.");
        return s_shared.GetOrAdd(threads, t => new Lazy<CpuThreadPool>(() => new CpuThreadPool(t, isShared: true))).Value;
    }

    /// <summary>Threads a run may use, the caller's included.</summary>
    public int Threads => Runner.Threads;

    /// <summary>Whether this is one of the process's pools (<see cref="Shared"/>).</summary>
    public bool IsShared { get; }

    /// <summary>Whether <see cref="Dispose"/> has stopped the workers.</summary>
    public bool IsDisposed { get; private set; }

    internal ParallelRunner Runner { get; }

    /// <summary>Stops the workers once their current loop is done; nothing for the process's pools, which other sessions may be running on.</summary>
    public void Dispose()
    {
        if (IsShared) return;
        IsDisposed = true;
        Runner.Dispose();
    }
}
