using System.Runtime.CompilerServices;
namespace Cardinal.Kernels.Cpu.Threading;

/// <summary>The body of a parallel loop as a struct, so a loop costs no closure allocation.</summary>
internal interface IParallelBody
{
    void Invoke(int index);
}

/// <summary>
/// Intra-op parallelism over a fixed set of workers, created once per runner (no per-run thread creation,
/// no oversubscription: Threads − 1 workers plus the calling thread). A <see cref="For{TBody}"/> publishes
/// the loop; workers that were spinning pick it up within microseconds (a convolution step lasts about a
/// millisecond, so waking pool threads through the OS would cost a visible share), each works through its
/// own contiguous range of indices and then takes from the back of the others' (see Work), and the caller
/// works too and returns when every index is done. Workers spin
/// briefly after a loop, then sleep until the next. One loop at a time per runner; nested or concurrent
/// calls run inline on their own thread. Loops allocate nothing once a body type has been seen.
/// </summary>
internal sealed class ParallelRunner : IDisposable
{
    /// <summary>How long an idle worker keeps spinning for the next loop before it sleeps (~1 ms: the gap between two steps).</summary>
    private const int SpinIterations = 2_000;

    private readonly Thread[] _workers;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly object _gate = new();
    /// <summary>One reusable loop object per body type (loops on a runner are serialised by <see cref="_gate"/>).</summary>
    private readonly Dictionary<Type, Work> _works = [];
    private volatile Work? _current;
    private volatile bool _disposed;
    private long _generation;
    /// <summary>
    /// Per worker (index − 1): 1 from its announcement that it will sleep on <see cref="_wake"/> until a loop claims it
    /// (and releases one wake for it) or it takes the announcement back. Each release answers exactly one claim and each
    /// claimed worker waits exactly once, so no wake is left over in the semaphore.
    /// </summary>
    private readonly int[] _asleep;
    /// <summary>Spins that found no loop, each followed by an announced sleep, all workers together (tests).</summary>
    private long _idleSpins;
    /// <summary>Wakes released into <see cref="_wake"/> by loops, all together (tests: never more than the sleeps announced).</summary>
    private long _wakesReleased;
    private long _epochs;

    public ParallelRunner(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "Thread count must be at least 1.");
        Threads = threads;
        _workers = new Thread[threads - 1];
        _asleep = new int[threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            int index = i + 1;
            _workers[i] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"cardinal-worker-{index}" };
            _workers[i].Start();
        }
    }

    public int Threads { get; }

    /// <summary>
    /// Whether index <paramref name="index"/> of a loop of <paramref name="count"/> opens one thread's own range (see
    /// <see cref="Work"/>): the index that thread runs first unless another thread took its whole range. A kernel can
    /// then do on each thread's first index what only a first index needs (<see cref="Nchwc.BlockedDirectPlan"/>: bring
    /// in input the other core wrote).
    /// </summary>
    public bool StartsRange(int index, int count)
    {
        if ((uint)index >= (uint)count) return false;
        int ranges = RangeCount(count, Threads);
        for (int r = 0; r < ranges; r++)
            if (RangeStart(r, count, ranges) == index) return true;
        return false;
    }

    /// <summary>How many ranges a loop of <paramref name="count"/> indices is cut into on <paramref name="threads"/> threads: one per thread, at most one per index, one for a loop too long for ranges (<see cref="Work.MaxRangedCount"/>).</summary>
    private static int RangeCount(int count, int threads) => count > Work.MaxRangedCount ? 1 : Math.Min(threads, Math.Max(1, count));

    /// <summary>The first index of range <paramref name="r"/> of <paramref name="ranges"/> over <paramref name="count"/> indices (range r ends where r + 1 starts).</summary>
    private static int RangeStart(int r, int count, int ranges) => (int)((long)count * r / ranges);

    /// <summary>Where every loop's per-thread times go (Engine.Bench `threads`); null records nothing.</summary>
    internal LoopTrace? Trace { get; set; }

    [ThreadStatic] private static ParallelRunner? t_runner;
    [ThreadStatic] private static int t_worker;

    /// <summary>
    /// Which of this runner's threads is running the calling code: 0 for the thread that called
    /// <see cref="For{TBody}"/> (or any thread that is not this runner's worker), 1 … Threads − 1 for the
    /// workers. A loop body uses it to pick its own slice of a per-thread workspace: a loop runs on its
    /// caller and this runner's workers only, and a concurrent caller's loop runs inline on its own thread
    /// (index 0) with its own workspace.
    /// </summary>
    public int CurrentWorker => t_runner == this ? t_worker : 0;

    /// <summary>Workers asleep now (tests, Engine.Bench forloop).</summary>
    internal int Sleeping
    {
        get
        {
            int sleeping = 0;
            for (int w = 0; w < _asleep.Length; w++) sleeping += Volatile.Read(ref _asleep[w]);
            return sleeping;
        }
    }

    /// <summary>Spins that found no loop so far, each followed by an announced sleep, all workers together (tests).</summary>
    internal long IdleSpins => Interlocked.Read(ref _idleSpins);

    /// <summary>Wakes loops have released so far (tests).</summary>
    internal long WakesReleased => Interlocked.Read(ref _wakesReleased);

    public static ParallelRunner Sequential { get; } = new(1);

    /// <summary>
    /// A loop, reused for every loop of the same body type. Its indices are cut into one contiguous range per
    /// thread (thread t starts on range t), and each range is claimed from its front by its own thread and from
    /// its back by the others once theirs are done: a thread streams its own part of the work (its own rows,
    /// its own weights), and a descheduled thread's remainder is finished by the others instead of making the
    /// loop wait for it. Each range's state is one 64-bit word (epoch, front, back) changed by compare-and-swap,
    /// so a worker still holding this object from an earlier loop sees a different epoch and claims nothing.
    /// </summary>
    private abstract class Work
    {
        /// <summary>Loops longer than this claim from one shared counter instead (the ranges' bounds are 24-bit).</summary>
        public const int MaxRangedCount = (1 << 24) - 1;

        /// <summary>
        /// Longs between two ranges' states: 128 bytes, so that each thread claims from a cache line of its own (and its
        /// adjacent-line prefetch pair): side by side, every claim moved the line between the cores. No change was
        /// measurable on this 2-core VM (NOTES "The slow mode, again"); it costs nothing and grows with the cores.
        /// </summary>
        private const int Stride = 16;

        public int Count, Remaining;
        public Exception? Error;
        private readonly long[] _ranges;
        private int _rangeCount;
        private long _epoch;

        protected Work(int threads) => _ranges = new long[threads * Stride];

        // Per-thread and per-index times of a traced loop (ParallelRunner.Trace), made on its first and grown as loops
        // grow: written by each thread before its indices leave Remaining, so the caller reads them complete once
        // Remaining is 0. Set up before Reset publishes the loop's epoch: a worker still holding this object from an
        // earlier loop may claim an index the moment the epoch changes.
        private long[] _busy = [], _start = [], _indexTicks = [];
        private int[] _indices = [];
        private long _published;
        private bool _traced;

        public void StartTrace(long published, int threads, int count)
        {
            if (_busy.Length != threads) (_busy, _start, _indices) = (new long[threads], new long[threads], new int[threads]);
            _published = published;
            Array.Clear(_busy);
            Array.Clear(_indices);
            Array.Fill(_start, -1L);
            if (_indexTicks.Length < count) _indexTicks = new long[count];
            Array.Clear(_indexTicks, 0, count);
            _traced = true;
        }

        public LoopTrace.Loop EndTrace(string label, long done)
        {
            _traced = false;
            return new LoopTrace.Loop(label, Count, done - _published, (long[])_busy.Clone(), (int[])_indices.Clone(), (long[])_start.Clone(), _published, _indexTicks[..Count]);
        }

        public int Epoch => (int)Volatile.Read(ref _epoch);

        private static long Pack(int epoch, int front, int back) => ((long)(epoch & 0xFFFF) << 48) | ((long)front << 24) | (uint)back;
        private static int EpochOf(long state) => (int)(state >>> 48);
        private static int FrontOf(long state) => (int)(state >> 24) & 0xFFFFFF;
        private static int BackOf(long state) => (int)state & 0xFFFFFF;

        /// <summary>Prepares the next loop; everything is in place before the new epoch becomes visible.</summary>
        public void Reset(int count, int epoch)
        {
            Count = count;
            Remaining = count;
            Error = null;
            // A loop longer than the ranges can describe is one range, claimed from its front by every thread.
            _rangeCount = RangeCount(count, _ranges.Length / Stride);
            for (int r = 0; r < _rangeCount; r++)
            {
                int front = RangeStart(r, count, _rangeCount), back = RangeStart(r + 1, count, _rangeCount);
                Interlocked.Exchange(ref _ranges[r * Stride], count > MaxRangedCount ? -1 : Pack(epoch, front, back));
            }
            Interlocked.Exchange(ref _single, 0);
            Interlocked.Exchange(ref _epoch, epoch);
        }

        /// <summary>The shared counter of a loop too long for ranges.</summary>
        private int _single;

        /// <summary>
        /// Claims and runs indices of loop <paramref name="epoch"/> until none are left; thread <paramref name="worker"/>
        /// starts on its own range. The indices it ran leave <see cref="Remaining"/> in one subtraction as it stops (a
        /// decrement per index moved that shared line between the cores at every index).
        /// </summary>
        public void Help(int epoch, int worker)
        {
            int done = 0;
            bool traced = _traced;
            long began = traced ? LoopTrace.Now : 0;
            try { done = HelpUntilDone(epoch, worker); }
            finally
            {
                if (traced && done > 0)
                {
                    _busy[worker] += LoopTrace.Now - began;
                    _indices[worker] += done;
                    if (_start[worker] < 0) _start[worker] = began - _published;
                }
                if (done > 0) Interlocked.Add(ref Remaining, -done);
            }
        }

        private int HelpUntilDone(int epoch, int worker)
        {
            int done = 0;
            if (Count > MaxRangedCount)
            {
                // One shared counter (loops this long are element-wise work with no locality to keep).
                while (Epoch == epoch)
                {
                    int index = Interlocked.Increment(ref _single) - 1;
                    if (index >= Count) return done;
                    Run(index);
                    done++;
                }
                return done;
            }
            int ranges = _rangeCount, own = worker % ranges;
            while (true)
            {
                int index = Claim(own, epoch, fromBack: false);
                if (index == -2) return done;
                if (index < 0)
                {
                    // Our range is done: take from the back of the others', nearest first.
                    for (int k = 1; k < ranges && index < 0; k++)
                    {
                        index = Claim((own + k) % ranges, epoch, fromBack: true);
                        if (index == -2) return done;
                    }
                    if (index < 0) return done;
                }
                Run(index);
                done++;
            }
        }

        /// <summary>Runs one index; an exception is kept for the caller (the first one) and the index still counts as done.</summary>
        private void Run(int index)
        {
            bool traced = _traced;
            long began = traced ? LoopTrace.Now : 0;
            try { if (Error is null) Invoke(index); }
            catch (Exception e) { Interlocked.CompareExchange(ref Error, e, null); }
            if (traced) _indexTicks[index] = LoopTrace.Now - began;
        }

        /// <summary>
        /// An index of range r, from its front (its own thread) or its back (a thread whose range is done); −1 when
        /// the range is empty, −2 when the loop is another one.
        /// </summary>
        private int Claim(int r, int epoch, bool fromBack)
        {
            while (true)
            {
                long state = Volatile.Read(ref _ranges[r * Stride]);
                if (EpochOf(state) != (epoch & 0xFFFF)) return -2;
                int front = FrontOf(state), back = BackOf(state);
                if (front >= back) return -1;
                long claimed = fromBack ? Pack(epoch, front, back - 1) : Pack(epoch, front + 1, back);
                if (Interlocked.CompareExchange(ref _ranges[r * Stride], claimed, state) == state) return fromBack ? back - 1 : front;
            }
        }

        protected abstract void Invoke(int index);
    }

    private sealed class Work<TBody>(int threads) : Work(threads) where TBody : struct, IParallelBody
    {
        public TBody Body;
        protected override void Invoke(int index) => Body.Invoke(index);
    }

    private readonly struct ActionBody(Action<int> action) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int index) => action(index);
    }

    /// <summary>Runs body(0 … count−1); iterations must be independent. Exceptions surface on the caller.</summary>
    public void For(int count, Action<int> body) => For(count, new ActionBody(body));

    /// <summary>Runs body.Invoke(0 … count−1) without allocating; iterations must be independent.</summary>
    public void For<TBody>(int count, TBody body) where TBody : struct, IParallelBody
    {
        // Inline when there is nothing to share, when another loop runs (on another thread), or when this
        // thread is already inside a loop of this runner (the monitor is re-entrant, the loop objects not).
        if (Threads == 1 || count <= 1 || Monitor.IsEntered(_gate) || !Monitor.TryEnter(_gate))
        {
            LoopTrace? inlineTrace = Trace;
            if (inlineTrace is null)
            {
                for (int i = 0; i < count; i++) body.Invoke(i);
                return;
            }
            long began = LoopTrace.Now;
            var indexTicks = new long[count];
            for (int i = 0; i < count; i++)
            {
                long at = LoopTrace.Now;
                body.Invoke(i);
                indexTicks[i] = LoopTrace.Now - at;
            }
            inlineTrace.AddInline(LoopTrace.LabelOf(body), count, Threads, began, indexTicks);
            return;
        }
        try
        {
            if (!_works.TryGetValue(typeof(TBody), out Work? shared)) _works[typeof(TBody)] = shared = new Work<TBody>(Threads);
            var work = (Work<TBody>)shared;
            work.Body = body;
            int epoch = (int)Interlocked.Increment(ref _epochs);
            LoopTrace? trace = Trace;
            if (trace is not null) work.StartTrace(LoopTrace.Now, Threads, count);
            work.Reset(count, epoch);
            _current = work;
            Interlocked.Increment(ref _generation);
            // Wake only the workers that sleep: a release for a worker still spinning after the last loop stayed in the
            // semaphore, and that worker, reaching Wait, returned at once and spun a second time (~1.4 ms each) before
            // it slept: a core held for nothing after every run, which the caller's other work (the next image's
            // decoding, another session) wanted.
            int wake = 0;
            for (int w = 0; w < _asleep.Length; w++)
                if (Volatile.Read(ref _asleep[w]) == 1 && Interlocked.CompareExchange(ref _asleep[w], 0, 1) == 1) wake++;
            if (wake > 0)
            {
                Interlocked.Add(ref _wakesReleased, wake);
                _wake.Release(wake);
            }
            work.Help(epoch, CurrentWorker);
            var spin = new SpinWait();
            while (Volatile.Read(ref work.Remaining) > 0) spin.SpinOnce(sleep1Threshold: -1);
            if (trace is not null) trace.Add(work.EndTrace(LoopTrace.LabelOf(body), LoopTrace.Now));
            _current = null;
            work.Body = default;
            if (work.Error is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        }
        finally { Monitor.Exit(_gate); }
    }

    private void WorkerLoop(int index)
    {
        t_runner = this;
        t_worker = index;
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
                Interlocked.Increment(ref _idleSpins);
                // Announce the sleep, then look once more: a loop published between the last spin and the announcement
                // may have found no sleeper to wake. Then the worker takes its announcement back and spins again, unless
                // a loop claimed it meanwhile: that loop's wake is in the semaphore, and this Wait takes it.
                ref int asleep = ref _asleep[index - 1];
                Interlocked.Exchange(ref asleep, 1);
                if ((Interlocked.Read(ref _generation) == seen && !_disposed) || Interlocked.Exchange(ref asleep, 0) == 0) _wake.Wait();
                continue;
            }
            work.Help(work.Epoch, index);
        }
    }

    public void Dispose()
    {
        if (_disposed || _workers.Length == 0) return;
        _disposed = true;
        _wake.Release(_workers.Length);
    }
}
