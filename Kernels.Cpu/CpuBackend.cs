using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Passes;
using Cardinal.Planning;
using Cardinal.Graph.Ops;

namespace Cardinal.Kernels.Cpu;

/// <summary>Settings of the CPU backend.</summary>
public sealed record CpuBackendOptions
{
    /// <summary>Threads one run may use; 1 runs on the caller's thread. Defaults to the processor count. Not read when <see cref="ThreadPool"/> is set.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Worker threads shared with other backends (null: this backend starts its own, <see cref="Threads"/> − 1 of them).
    /// Runs then use the pool's <see cref="CpuThreadPool.Threads"/>; the backend does not dispose it.
    /// </summary>
    public CpuThreadPool? ThreadPool { get; init; }

    /// <summary>Caps the instruction-set tier (e.g. <see cref="CpuIsa.Avx2"/> on an AVX-512 machine); null: the widest supported.</summary>
    public CpuIsa? MaxIsa { get; init; }

    /// <summary>
    /// Run 2-D convolutions and the pools between them on channel-blocked values (NCHW16c on AVX-512, NCHW8c on
    /// AVX2; tiers without blocked kernels keep NCHW). On by default: the direct blocked kernels beat the NCHW
    /// GEMM path on every zoo model (Engine.Bench/NOTES.md); off runs the NCHW plans everywhere.
    /// </summary>
    public bool BlockedLayout { get; init; } = true;

    /// <summary>
    /// Run stride-1 3×3 convolutions on the blocked layout by Winograd's algorithm where it measured faster (4× or
    /// 2.25× fewer multiplications; each layer's error stays within 3e-5 of its output's magnitude, NOTES "Winograd").
    /// False is the exact mode: direct convolution everywhere, results within a few ulps of direct summation. The
    /// environment variable CARDINAL_WINOGRAD=off turns it off for every backend made without an explicit setting.
    /// </summary>
    public bool Winograd { get; init; } = !string.Equals(Environment.GetEnvironmentVariable("CARDINAL_WINOGRAD"), "off", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Ask Linux for huge pages (the kernel's size, read from sysfs: 2 MiB on x86-64; <c>madvise</c>: MADV_HUGEPAGE, then
    /// MADV_COLLAPSE) under the packed weights, the run buffers and the workspaces. Every run streams its weights from
    /// memory, and on 4 KiB pages each page waits for a page walk first: ResNet-50 at batch 1 ran 1–3 % faster with it, on
    /// 1 and on 2 threads, on a host whose transparent huge pages are "madvise" (NOTES "Thirty-second sitting"). Results
    /// do not change; the working set does not grow (only whole huge pages inside memory already in use are asked for). No effect off Linux or where huge pages are off. The
    /// environment variable CARDINAL_HUGE_PAGES=off turns it off for every backend made without an explicit setting.
    /// </summary>
    public bool HugePages { get; init; } = !string.Equals(Environment.GetEnvironmentVariable("CARDINAL_HUGE_PAGES"), "off", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Batches run their first layers a few images at a time, while the activations are large (on the blocked layout;
    /// null: every layer on the whole batch). Results do not change: each part runs the kernels a batch of its size
    /// would. Tests and the benchmarks set it.
    /// </summary>
    internal DepthFirstTuning? DepthFirst { get; init; } = DepthFirstTuning.Default;

    /// <summary>Plan passes appended to the backend's own (<see cref="CpuBackend.Passes"/>); tests inject rewrites here.</summary>
    internal IReadOnlyList<IPlanPass> ExtraPasses { get; init; } = [];

    /// <summary>False runs every blocked convolution as its NCHW plan between reorders (tests pin the pass's bit-identity with it).</summary>
    internal bool BlockedDirectKernels { get; init; } = true;

    /// <summary>
    /// The blocked direct kernels' cache-sized choices (null: <see cref="Nchwc.BlockedTuning.Default"/>). Tests reach
    /// each path with it, and `Engine.Bench ab` runs two sessions differing in one choice side by side in one process.
    /// </summary>
    internal Nchwc.BlockedTuning? BlockedTuning { get; init; }

    /// <summary>Records every parallel loop's per-thread times (Engine.Bench `threads`); null: none.</summary>
    internal Threading.LoopTrace? LoopTrace { get; init; }
}

/// <summary>Runs plans on the CPU with Cardinal's own kernels.</summary>
public sealed class CpuBackend : IBackend
{
    private readonly ParallelRunner _parallel;
    /// <summary>Whether <see cref="_parallel"/> is this backend's own (disposed with it) rather than a shared pool's.</summary>
    private readonly bool _ownsThreads;
    private readonly CpuPlatform _platform;
    private readonly Conv.PackedWeightsCache _packedWeights = new();

    /// <summary>A CPU backend with these options (the defaults when null); it starts its worker threads, or runs on <see cref="CpuBackendOptions.ThreadPool"/>'s.</summary>
    /// <exception cref="ObjectDisposedException">The options' thread pool is disposed.</exception>
    public CpuBackend(CpuBackendOptions? options = null)
    {
        Options = options ?? new CpuBackendOptions();
        if (Options.ThreadPool is { } pool)
        {
            ObjectDisposedException.ThrowIf(pool.IsDisposed, pool);
            // A trace belongs to one runner's loops: a shared pool's would mix in the other backends' loops.
            if (Options.LoopTrace is not null) throw new ArgumentException("A loop trace needs the backend's own threads, not a shared pool.", nameof(options));
            _parallel = pool.Runner;
        }
        else
        {
            if (Options.Threads < 1) throw new ArgumentOutOfRangeException(nameof(options), Options.Threads, "Threads must be at least 1.");
            _parallel = new ParallelRunner(Options.Threads) { Trace = Options.LoopTrace };
            _ownsThreads = true;
        }
        _platform = Options.MaxIsa is { } cap ? CpuPlatform.Create(cap) : CpuPlatform.Default;
    }

    /// <summary>Threads one run may use: the shared pool's when there is one, else <see cref="CpuBackendOptions.Threads"/>.</summary>
    public int Threads => _parallel.Threads;

    /// <summary>The runner its loops go to (tests: backends on one pool share it).</summary>
    internal ParallelRunner Runner => _parallel;

    /// <summary>The platform table this backend runs (decided once, at construction).</summary>
    internal CpuPlatform Platform => _platform;

    /// <summary>The options it was made with.</summary>
    public CpuBackendOptions Options { get; }

    /// <inheritdoc/>
    public string Description => $"cpu (threads={Threads}{(_ownsThreads ? "" : ", shared pool")}, {_platform})";

    /// <summary>
    /// The CPU backend's own plan rewrites: the NCHWc layout pass when <see cref="CpuBackendOptions.BlockedLayout"/> is on
    /// and the tier has blocked kernels, then the depth-first prefix for batches (<see cref="CpuBackendOptions.DepthFirst"/>),
    /// plus any a test injects.
    /// </summary>
    internal IReadOnlyList<IPlanPass> Passes => _passes ??= Options.BlockedLayout && _platform.BlockSize > 0
        ? [new Nchwc.NchwcLayoutPass(_platform.BlockSize) { FoldStem = Options.BlockedDirectKernels },
            .. Options.DepthFirst is { } depthFirst ? [new DepthFirstPrefix(depthFirst.ImagesPerPart, depthFirst.BatchBytesAbove, depthFirst.PartBytesAtMost, depthFirst.SideBySide ? Threads : 1)] : Array.Empty<IPlanPass>(),
            .. Options.ExtraPasses]
        : Options.ExtraPasses;

    private IReadOnlyList<IPlanPass>? _passes;

    /// <summary>The plan's kernels; a region's lanes run side by side on this backend's threads.</summary>
    internal ICompiledPlan Compile(ExecutionPlan plan)
    {
        var executor = new KernelExecutor(plan, step => CreateKernel(plan, step), _parallel.For, Options.HugePages);
        // The weights are packed now: ask for huge pages under them (a no-op where the host gives none).
        if (Options.HugePages) Interlocked.Add(ref _advisedWeightBytes, _packedWeights.AdviseHugePages());
        return executor;
    }

    /// <summary>Bytes of packed weights this backend's compiles asked huge pages for (<see cref="CpuBackendOptions.HugePages"/>; tests, diagnostics).</summary>
    internal long AdvisedWeightBytes => Interlocked.Read(ref _advisedWeightBytes);

    /// <summary>Sessions compile plans for new batch sizes from their callers' threads, so the sum is kept atomically.</summary>
    private long _advisedWeightBytes;

    // IBackend's planning members are internal (the public API is the opaque backend): an internal member cannot
    // implement them implicitly, so these forward explicitly.
    IReadOnlyList<IPlanPass> IBackend.Passes => Passes;
    ICompiledPlan IBackend.Compile(ExecutionPlan plan) => Compile(plan);

    /// <summary>
    /// This backend's kernel for one step (tests wrap it to watch a run step by step). A step in a lane runs on the one
    /// thread its lane has, so its kernel is made for one thread: a one-thread schedule, a one-thread workspace.
    /// </summary>
    internal IKernel CreateKernel(ExecutionPlan plan, PlanStep step) =>
        CpuKernelFactory.Create(plan, step, step.Lane >= 0 ? ParallelRunner.Sequential : _parallel, _platform, _packedWeights, Options.BlockedDirectKernels, Options.Winograd, Options.BlockedTuning);

    /// <summary>Stops its own worker threads (a shared pool's keep running for the other backends).</summary>
    public void Dispose()
    {
        if (_ownsThreads) _parallel.Dispose();
    }
}
