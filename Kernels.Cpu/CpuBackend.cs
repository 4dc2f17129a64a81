using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;

namespace Cardinal.Kernels.Cpu;

/// <summary>Settings of the CPU backend.</summary>
public sealed record CpuBackendOptions
{
    /// <summary>Threads one run may use; 1 runs on the caller's thread. Defaults to the processor count.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}

/// <summary>Runs plans on the CPU with Cardinal's own kernels.</summary>
public sealed class CpuBackend : IBackend
{
    private readonly ParallelRunner _parallel;

    public CpuBackend(CpuBackendOptions? options = null)
    {
        Options = options ?? new CpuBackendOptions();
        if (Options.Threads < 1) throw new ArgumentOutOfRangeException(nameof(options), Options.Threads, "Threads must be at least 1.");
        _parallel = new ParallelRunner(Options.Threads);
    }

    public CpuBackendOptions Options { get; }

    public string Description => $"cpu (threads={Options.Threads}, vector={System.Numerics.Vector<float>.Count * 32} bit)";

    public ICompiledPlan Compile(ExecutionPlan plan) =>
        new KernelExecutor(plan, step => CpuKernelFactory.Create(plan, step, _parallel));

    public void Dispose() { }
}
