using Cardinal.Passes;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal;

/// <summary>
/// What a backend (our CPU kernels, the GPU) provides: turn a specialised plan into something runnable.
/// Compile decides everything once (algorithms, packed weights); the compiled plan only runs.
/// To a user it is an opaque handle (a <c>CpuBackend</c> or <c>GpuBackend</c> to give <see cref="InferenceSession.Open"/>):
/// its planning members are internal, so only Cardinal's own backends implement it.
/// </summary>
public interface IBackend : IDisposable
{
    /// <summary>A one-line description of the backend and its settings, e.g. "cpu (threads=2)".</summary>
    string Description { get; }

    /// <summary>
    /// The backend that evaluates nodes ahead of time during planning (constant folding). A device backend
    /// hands this to a CPU backend: folding shape arithmetic on a GPU would only cost transfers.
    /// </summary>
    internal IBackend ConstantFolder => this;

    /// <summary>
    /// The backend's own plan rewrites (layout passes are the backend's, not Engine's), in order. The session
    /// runs them after the generic fusion passes and before <see cref="Compile"/>; see <see cref="IPlanPass.Required"/>.
    /// </summary>
    internal IReadOnlyList<IPlanPass> Passes => [];

    /// <summary>Decides every step's kernel once; the result only runs.</summary>
    internal ICompiledPlan Compile(ExecutionPlan plan);
}

/// <summary>A plan ready to run. Safe to call from several threads at once.</summary>
internal interface ICompiledPlan : IDisposable
{
    /// <summary>Runs on inputs ordered as <see cref="ExecutionPlan.Inputs"/>; returns outputs as <see cref="ExecutionPlan.Outputs"/>.</summary>
    Tensor[] Run(Tensor[] inputs, CancellationToken cancellation = default);

    /// <summary>Runs into caller-provided outputs (planned shapes and types), ordered as <see cref="ExecutionPlan.Outputs"/>.</summary>
    void Run(Tensor[] inputs, Tensor[] outputs, CancellationToken cancellation = default);

    /// <summary>What runs for step <paramref name="step"/> (e.g. "shifted-tap GEMM 8×32 (no im2col)"), as compiled; null when there is nothing to say.</summary>
    string? DescribeStep(int step) => null;

    /// <summary>Scratch bytes step <paramref name="step"/> borrows from the run's workspace.</summary>
    long StepWorkspaceBytes(int step) => 0;

    /// <summary>Bytes one run context holds: its value buffers and its workspace (the largest step's).</summary>
    long ContextBytes => 0;
}

/// <summary>
/// One prepared node: everything that depends on shapes and constants (algorithm, packed weights, masks) was
/// decided when it was made. Stateless across runs, so one instance serves concurrent runs; its scratch memory
/// comes from the run's workspace, so it allocates nothing while it runs.
/// </summary>
internal interface IKernel
{
    /// <summary>
    /// Computes <paramref name="outputs"/> from <paramref name="inputs"/>. The outputs are allocated by the
    /// caller at their planned shapes and are not cleared: a kernel writes every element.
    /// </summary>
    /// <param name="workspace">At least <see cref="WorkspaceBytes"/> bytes, 64-byte aligned, contents undefined.</param>
    /// <param name="inputs">Ordered as the step's inputs; null where an optional input is absent.</param>
    /// <param name="outputs">Ordered as the step's outputs, at their planned shapes.</param>
    void Run(Tensor?[] inputs, Tensor[] outputs, Workspace workspace);

    /// <summary>Scratch bytes <see cref="Run"/> needs.</summary>
    long WorkspaceBytes => 0;

    /// <summary>What this kernel runs (the algorithm and its tile), for `cardinal inspect`; null for the obvious.</summary>
    string? Description => null;

    /// <summary>
    /// Input positions holding constants this kernel copied when it was made and never reads again, and that
    /// its backend keeps for any later kernel of the same inputs: a constant of <see cref="ExecutionPlan.Releasable"/>
    /// every reader holds is released as the plan is compiled (<see cref="KernelExecutor"/>).
    /// </summary>
    IReadOnlyList<int> HeldInputs => [];

    /// <summary>
    /// An input position whose buffer output 0 may be written into when this step is that value's last reader (a fused
    /// residual the kernel reads element by element before storing each output element over it), or −1.
    /// </summary>
    int OutputOverwrites => -1;

    /// <summary>
    /// Whether output 0 wants a buffer no other value of the plan shares: a buffer whose lines another core wrote a few steps
    /// before costs each store a transfer from that core, where a buffer only this step writes has its lines nowhere but in
    /// memory, or in the core that wrote them a run ago (<see cref="Planning.KernelExecutor"/>; memory for speed).
    /// </summary>
    bool OutputAlone => false;
}
