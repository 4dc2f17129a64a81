namespace Cardinal.Kernels.Cpu.Threading;

/// <summary>
/// Intra-op parallelism over a fixed set of workers, created once per runner (no per-run thread creation,
/// no oversubscription: Threads − 1 workers plus the calling thread). A <see cref="For"/> publishes the
/// loop; workers that were spinning pick it up within microseconds (a convolution step lasts about a
/// millisecond, so waking pool threads through the OS would cost a visible share), claim indices with an
/// interlocked counter, and the caller works too and returns when every index is done. Workers spin
/// briefly after a loop, then sleep until the next. One loop at a time per runner; nested or concurrent
/// calls run inline on their own thread.
/// </summary>
public sealed class ParallelRunner : IDisposable
{
    /// <summary>How long an idle worker keeps spinning for the next loop before it sleeps (~1 ms: the gap between two steps).</summary>
    private const int SpinIterations = 2_000;

    private readonly Thread[] _workers;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly object _gate = new();
    private volatile Work? _current;
    private volatile bool _disposed;
    private long _generation;

    public ParallelRunner(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "Thread count must be at least 1.");
        Threads = threads;
        _workers = new Thread[threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"cardinal-worker-{i + 1}" };
            _workers[i].Start();
        }
    }

    public int Threads { get; }

    public static ParallelRunner Sequential { get; } = new(1);

    private sealed class Work(int count, Action<int> body)
    {
        public readonly int Count = count;
        public readonly Action<int> Body = body;
        public int Next = -1;
        public int Remaining = count;
        public Exception? Error;

        /// <summary>Claims and runs indices until none are left.</summary>
        public void Help()
        {
            int i;
            while ((i = Interlocked.Increment(ref Next)) < Count)
            {
                try { if (Error is null) Body(i); }
                catch (Exception e) { Interlocked.CompareExchange(ref Error, e, null); }
                finally { Interlocked.Decrement(ref Remaining); }
            }
        }
    }

    /// <summary>Runs body(0 … count−1); iterations must be independent. Exceptions surface on the caller.</summary>
    public void For(int count, Action<int> body)
    {
        if (Threads == 1 || count <= 1 || !Monitor.TryEnter(_gate))
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        try
        {
            var work = new Work(count, body);
            _current = work;
            Interlocked.Increment(ref _generation);
            if (_wake.CurrentCount < _workers.Length) _wake.Release(_workers.Length);
            work.Help();
            var spin = new SpinWait();
            while (Volatile.Read(ref work.Remaining) > 0) spin.SpinOnce(sleep1Threshold: -1);
            _current = null;
            if (work.Error is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        }
        finally { Monitor.Exit(_gate); }
    }

    private void WorkerLoop()
    {
        long seen = 0;
        while (!_disposed)
        {
            Work? work = null;
            for (int spin = 0; spin < SpinIterations && !_disposed; spin++)
            {
                // For() publishes _current before bumping the generation, so a new generation always
                // comes with its work (or a later one): record the generation with the work it came with.
                long generation = Interlocked.Read(ref _generation);
                if (generation != seen)
                {
                    seen = generation;
                    if ((work = _current) is not null) break;
                }
                Thread.SpinWait(20);
            }
            if (work is null)
            {
                _wake.Wait();
                continue;
            }
            work.Help();
        }
    }

    public void Dispose()
    {
        if (_disposed || _workers.Length == 0) return;
        _disposed = true;
        _wake.Release(_workers.Length);
    }
}
