namespace Cardinal.Kernels.Cpu.Threading;

/// <summary>
/// Intra-op parallelism with a fixed degree. One thread runs everything on the caller's thread; more use
/// the shared thread pool with the degree capped, so a session never oversubscribes its share.
/// </summary>
public sealed class ParallelRunner
{
    private readonly ParallelOptions _options;

    public ParallelRunner(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "Thread count must be at least 1.");
        Threads = threads;
        _options = new ParallelOptions { MaxDegreeOfParallelism = threads };
    }

    public int Threads { get; }

    public static ParallelRunner Sequential { get; } = new(1);

    /// <summary>Runs body(0 … count−1); tasks must be independent.</summary>
    public void For(int count, Action<int> body)
    {
        if (Threads == 1 || count <= 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, _options, body);
    }
}
