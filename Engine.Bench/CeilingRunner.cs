using System.Diagnostics;
using System.Runtime.InteropServices;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;
using Cardinal.Testing;

namespace Cardinal.Bench;

/// <summary>
/// What this host's two cores allow a convolution, against what our two-thread plan gets: `ceiling [--runs R]
/// [--rounds K] [--only NAME] [--resnext | --resnext101] [--warm] [--cpus] [--huge-pages]`. Issue #11 asks every convolution over 0.5 ms to
/// scale 1.8× from 1 thread to 2; this separates what a split of the work loses from what the host takes from any two
/// threads running at once. For each ResNet-50 row of <see cref="ConvCases"/> (the plan the blocked layout runs:
/// Winograd for the stride-1 3×3s, the direct kernel else), three set-ups in turn, round by round:
/// <list type="bullet">
/// <item>alone: the layer's plan on 1 thread;</item>
/// <item>at once: two instances of it on 1 thread each, each with its own packed filter, input, output and workspace,
/// started together at a barrier, timed to the later one's end: nothing is shared, so neither waits on the other's
/// lines, but like two halves of a split the pair waits for the slower core;</item>
/// <item>split: the layer's plan on 2 threads.</item>
/// </list>
/// Ceiling = 2 × alone / at once: what a split into two equal halves that shared nothing would scale in these minutes.
/// Split = alone / split. Cold by default: before every run (untimed) each thread of the set-up reads 32 MiB of its own,
/// so the filter comes from memory as inside a network whose weights never fit L3; --warm skips that. The split's
/// deficit against the ceiling is what the plan's division of the work costs (NOTES "Twentieth sitting": the Winograd
/// layers' two halves wait for the slower of the two vCPUs, which the direct kernels' many tasks absorb). --cpus (Linux)
/// adds the plan on 1 thread pinned to CPU 0 and to CPU 1 in turn, and their ratio: how unequal the two vCPUs are.
/// </summary>
internal static class CeilingRunner
{
    public static int Run(string[] args)
    {
        int runs = CompareRunner.Option(args, "--runs", 10), rounds = CompareRunner.Option(args, "--rounds", 3);
        string? only = CompareRunner.TextOption(args, "--only");
        if (runs < 1 || rounds < 1) throw new ArgumentException("--runs and --rounds take 1 or more.");
        bool warm = args.Contains("--warm"), cpus = args.Contains("--cpus"), hugePages = args.Contains("--huge-pages");
        if (cpus && (!OperatingSystem.IsLinux() || Environment.ProcessorCount < 2)) { Console.Error.WriteLine("ceiling: --cpus pins threads with sched_setaffinity: Linux with 2 or more CPUs only."); return 2; }
        var platform = CpuPlatform.Default;
        if (platform.BlockSize == 0) { Console.Error.WriteLine($"ceiling: {platform.Isa} has no blocked kernels."); return 2; }
        List<ConvCase> cases = (args.Contains("--resnext101") ? ConvCases.ResNeXt101Layers
            : args.Contains("--resnext") ? ConvCases.ResNeXt50Layers : ConvCases.ResNet50Layers)
            .Where(c => BlockedDirectPlan.Supports(c.Shape, platform.BlockSize) && (only is null || c.Name.Contains(only, StringComparison.Ordinal))).ToList();
        if (cases.Count == 0) throw new ArgumentException($"no row of those ConvCases the blocked layout runs has '{only}' in its name.");
        double peak1 = FmaPeak.Best(1), peak2 = FmaPeak.Best(2);
        Console.WriteLine($"ceiling: {platform.Isa}, {(warm ? "warm" : "cold")} caches, {runs} runs × {rounds} rounds per set-up in turn; FMA peak {peak1:F0} GFLOP/s on 1 thread, {peak2:F0} on 2 ({peak2 / peak1:F2}×)");
        Console.WriteLine("| layer | plan | alone ms | at once ms | split ms | ceiling | split | split / ceiling |" + (cpus ? " CPU 0 ms | CPU 1 ms | CPU 0 / CPU 1 |" : ""));
        Console.WriteLine("|---|---|---|---|---|---|---|---|" + (cpus ? "---|---|---|" : ""));
        using var one = new ParallelRunner(1);
        using var other = new ParallelRunner(1);
        using var two = new ParallelRunner(2);
        // Each set-up's eviction memory, made once for every row: the pair's two instances read buffers of their own.
        float[] evictOne = Instance.EvictionBuffer(1, warm), evictOther = Instance.EvictionBuffer(1, warm), evictTwo = Instance.EvictionBuffer(2, warm);
        foreach (ConvCase c in cases)
        {
            var a = new Instance(c, platform, one, evictOne, hugePages);
            var b = new Instance(c, platform, other, evictOther, hugePages);
            var split = new Instance(c, platform, two, evictTwo, hugePages);
            List<double> alone = [], atOnce = [], splitMs = [], cpu0 = [], cpu1 = [];
            using var pair = new PairedThread(b);
            for (int i = 0; i < 3; i++) { a.Run(); b.Run(); split.Run(); }
            for (int round = 0; round < rounds; round++)
            {
                for (int i = 0; i < runs; i++) alone.Add(a.TimedRun());
                for (int i = 0; i < runs; i++)
                {
                    pair.Start();
                    double mine = a.TimedRun(pair.Barrier);
                    // The pair's wall: a split into two halves waits for the slower one too.
                    atOnce.Add(Math.Max(mine, pair.Wait()));
                }
                for (int i = 0; i < runs; i++) splitMs.Add(split.TimedRun());
                if (!cpus) continue;
                foreach ((int cpu, List<double> into) in new[] { (0, cpu0), (1, cpu1) }) into.AddRange(PinnedRuns(a, cpu, runs));
            }
            double al = Stats.Median(alone), at = Stats.Median(atOnce), sp = Stats.Median(splitMs);
            double ceiling = 2 * al / at, scaling = al / sp;
            string pinned = cpus ? $" {Stats.Median(cpu0):F3} | {Stats.Median(cpu1):F3} | {Stats.Median(cpu0) / Stats.Median(cpu1):F2} |" : "";
            Console.WriteLine($"| {c.Name} | {Trim(a.Plan.Description, 40)} | {al:F3} | {at:F3} | {sp:F3} | {ceiling:F2}× | {scaling:F2}× | {scaling / ceiling:F2} |{pinned}");
        }
        return 0;
    }

    /// <summary>
    /// <paramref name="runs"/> timed runs of <paramref name="instance"/> on a thread of their own, restricted to CPU
    /// <paramref name="cpu"/>. The caller's own affinity is never touched: pinning it and then widening it again to every CPU
    /// had left the 2-thread runner's caller and its worker sharing one CPU afterwards, so that five of 24 rows read their
    /// split at 1.0× where alone (without --cpus) they split 1.8–2.0× (NOTES "Thirty-ninth sitting").
    /// </summary>
    private static List<double> PinnedRuns(Instance instance, int cpu, int runs)
    {
        var times = new List<double>(runs);
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                Pin(1UL << cpu);
                for (int i = 0; i < runs; i++) times.Add(instance.TimedRun());
            }
            catch (Exception e) { error = e; }
        }) { IsBackground = true, Name = $"ceiling cpu {cpu}" };
        thread.Start();
        thread.Join();
        if (error is not null) throw new InvalidOperationException($"ceiling: the runs pinned to CPU {cpu} failed: {error.Message}", error);
        return times;
    }

    /// <summary>Restricts the calling thread to the CPUs of <paramref name="mask"/>.</summary>
    private static void Pin(ulong mask)
    {
        if (SchedSetAffinity(0, sizeof(ulong), ref mask) != 0)
            throw new InvalidOperationException($"sched_setaffinity failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    /// <summary>Linux's sched_setaffinity; pid 0 is the calling thread.</summary>
    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static extern int SchedSetAffinity(int pid, nint cpuSetSize, ref ulong mask);

    private static string Trim(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    /// <summary>One plan of a layer with data and workspace of its own, and the memory it streams to leave the caches cold.</summary>
    private sealed class Instance
    {
        /// <summary>Floats each thread streams before a cold run: 32 MiB, the size of this machine's L3.</summary>
        private const int EvictFloats = 32 << 18;
        private readonly float[] _x, _bias, _residual, _y, _evict, _sums;
        private readonly WorkspaceBuffer _workspace;
        private readonly ParallelRunner _parallel;

        /// <param name="evict">What the instance's threads read before each run (<see cref="EvictionBuffer"/>); empty: warm.</param>
        /// <param name="hugePages">Whether the packed filter and the workspace lie on 2 MiB pages, as the backend's (--huge-pages).</param>
        public Instance(ConvCase c, CpuPlatform platform, ParallelRunner parallel, float[] evict, bool hugePages)
        {
            var random = new Random(c.Name.Length);
            ConvShape shape = c.Shape;
            float[] weight = BlockedConvRunner.Fill(random, shape.WeightLength);
            var cache = new Kernels.Cpu.Conv.PackedWeightsCache();
            Plan = BlockedConvPlans.Create(shape, Tensor.FromArray(weight, weight.Length), platform.BlockSize, platform, parallel, cache, winograd: true);
            if (hugePages) cache.AdviseHugePages();
            int b = platform.BlockSize;
            long inLength = (long)shape.Batch * BlockedLayout.PaddedChannels(shape.Channels, b) * shape.Window.InSize;
            long outLength = (long)shape.Batch * BlockedLayout.PaddedChannels(shape.OutChannels, b) * shape.Window.OutSize;
            _x = BlockedConvRunner.Fill(random, inLength);
            _bias = BlockedConvRunner.Fill(random, shape.OutChannels);
            _residual = shape.Epilogue.Residual ? BlockedConvRunner.Fill(random, outLength) : [];
            _y = new float[outLength];
            _workspace = new WorkspaceBuffer(Plan.WorkspaceBytes, hugePages);
            _evict = evict;
            _sums = new float[parallel.Threads * 16];
            _parallel = parallel;
        }

        /// <summary>32 MiB per thread for an instance on <paramref name="threads"/> threads to read before each cold run; empty when <paramref name="warm"/>.</summary>
        public static float[] EvictionBuffer(int threads, bool warm) => warm ? [] : new float[(long)threads * EvictFloats];

        public ConvPlan Plan { get; }

        public void Run() => Plan.Run(_x, default, _bias, _residual, _y, _workspace.Workspace);

        /// <summary>Streams the eviction buffer (untimed), meets the other instance at <paramref name="start"/> if given, then one timed run: its milliseconds.</summary>
        public double TimedRun(Barrier? start = null)
        {
            // Every thread the plan runs on streams a buffer of its own, read only: written lines would leave the caches
            // dirty, and their write-back would compete with the timed run. The same loop leaves the workers spinning (they
            // sleep ~1.5 ms after a loop), so the run starts as a layer inside a network does.
            if (_evict.Length > 0) _parallel.For(_parallel.Threads, new Evict(_evict, _sums));
            else if (_parallel.Threads > 1) _parallel.For(_parallel.Threads, static _ => { });
            start?.SignalAndWait();
            long from = Stopwatch.GetTimestamp();
            Run();
            return Stopwatch.GetElapsedTime(from).TotalMilliseconds;
        }

        /// <summary>Thread <c>index</c>'s eviction: its own 32 MiB, one float per cache line, summed into a line of its own.</summary>
        private readonly struct Evict(float[] buffer, float[] sums) : IParallelBody
        {
            public void Invoke(int index)
            {
                float sum = 0;
                for (long i = (long)index * EvictFloats, end = i + EvictFloats; i < end; i += 16) sum += buffer[i];
                sums[index * 16] += sum;
            }
        }
    }

    /// <summary>
    /// A thread of its own that runs the second instance when asked: both evict, meet at <see cref="Barrier"/>, then run
    /// timed, so the two runs start together.
    /// </summary>
    private sealed class PairedThread : IDisposable
    {
        private readonly Instance _instance;
        private readonly Thread _thread;
        private readonly SemaphoreSlim _go = new(0), _done = new(0);
        private volatile bool _stop;
        private double _ms;

        /// <summary>Where the caller's run and this thread's meet after their evictions.</summary>
        public Barrier Barrier { get; } = new(2);

        public PairedThread(Instance instance)
        {
            _instance = instance;
            _thread = new Thread(Loop) { IsBackground = true, Name = "ceiling pair" };
            _thread.Start();
        }

        /// <summary>Asks the other thread for one timed run, started with the caller's next one at <see cref="Barrier"/>.</summary>
        public void Start() => _go.Release();

        /// <summary>The other thread's run's milliseconds, once it has finished.</summary>
        public double Wait()
        {
            _done.Wait();
            return _ms;
        }

        private void Loop()
        {
            while (true)
            {
                _go.Wait();
                if (_stop) return;
                _ms = _instance.TimedRun(Barrier);
                _done.Release();
            }
        }

        public void Dispose()
        {
            _stop = true;
            _go.Release();
            _thread.Join();
            Barrier.Dispose();
            _go.Dispose();
            _done.Dispose();
        }
    }
}
