using System.Runtime.CompilerServices;

namespace Cardinal.Planning;

/// <summary>
/// Scratch memory a prepared kernel borrows for one run of its step: a pointer to <see cref="Bytes"/> bytes,
/// 64-byte aligned. A run context owns one buffer as large as its largest step needs
/// (<see cref="IKernel.WorkspaceBytes"/>) and lends it to each step in turn, so no kernel rents or allocates
/// memory while it runs. The memory lives as long as the context; its contents do not survive a step. It is a
/// raw pointer: whoever makes one from a <see cref="WorkspaceBuffer"/> keeps that buffer alive until the call
/// returns (<c>GC.KeepAlive</c>), or the collector may free the memory under the kernel.
/// </summary>
internal readonly unsafe struct Workspace(byte* pointer, long bytes)
{
    public byte* Pointer { get; } = pointer;
    public long Bytes { get; } = bytes;

    /// <summary>No scratch: for kernels that report 0 bytes.</summary>
    public static Workspace None => default;

    /// <summary><paramref name="count"/> floats starting <paramref name="offsetBytes"/> bytes in, checked against the size.</summary>
    public float* Floats(long offsetBytes, long count)
    {
        if (offsetBytes < 0 || count < 0 || offsetBytes + count * sizeof(float) > Bytes)
            throw new InvalidOperationException($"A kernel asked for {count} floats at byte {offsetBytes} of a {Bytes}-byte workspace: its reported size is wrong.");
        return (float*)(Pointer + offsetBytes);
    }

    /// <summary>
    /// Where worker <paramref name="worker"/> of <paramref name="threads"/> keeps its own part of the workspace, each part
    /// <paramref name="bytesPerWorker"/> long: the whole workspace cut into equal stripes (64-byte aligned), worker w at the
    /// start of stripe w. A run lends one buffer to every step, so every layer's worker w writes its scratch to the
    /// same addresses — lines its own core's cache already holds. With each plan's parts packed at that plan's own size,
    /// worker 1 of one layer wrote where worker 0 of another had, and each such line crossed from the other core
    /// (ResNet-50 at 2 threads: its Winograd layers up to 0.15 ms each, the run 0.2–0.6 ms; NOTES "Twelfth sitting").
    /// </summary>
    /// <returns>The part's byte offset.</returns>
    public long WorkerOffset(int worker, int threads, long bytesPerWorker)
    {
        if (threads <= 1) return 0;
        long stripe = Bytes / threads / WorkspaceBuffer.Alignment * WorkspaceBuffer.Alignment;
        if (bytesPerWorker > stripe)
            throw new InvalidOperationException($"{threads} workers of {bytesPerWorker} bytes each do not fit a {Bytes}-byte workspace: the kernel's reported size is wrong.");
        return worker * stripe;
    }

    /// <summary>
    /// The workers' parts of <paramref name="bytesPerWorker"/> each: worker 0's start, and in <paramref name="stride"/> the
    /// bytes from one worker's part to the next — a stripe of the whole workspace (<see cref="WorkerOffset"/>), or the
    /// part's own size when <paramref name="striped"/> is false (the layout before stripes). The last part's end is
    /// checked against the size.
    /// </summary>
    public byte* WorkerParts(int threads, long bytesPerWorker, bool striped, out long stride)
    {
        stride = striped ? WorkerOffset(1, threads, bytesPerWorker) : bytesPerWorker;
        long end = stride * (Math.Max(1, threads) - 1) + bytesPerWorker;
        return (byte*)Floats(0, end / sizeof(float));
    }

    /// <summary>Rounds a byte count up to the alignment, so the next part of a workspace starts aligned too.</summary>
    public static long Align(long bytes) => (bytes + WorkspaceBuffer.Alignment - 1) / WorkspaceBuffer.Alignment * WorkspaceBuffer.Alignment;
}

/// <summary>
/// The memory behind a <see cref="Workspace"/> (and behind aligned value buffers): an array on the pinned
/// object heap, so its address never moves and the GC still owns it, viewed from its first 64-byte boundary.
/// </summary>
internal sealed unsafe class WorkspaceBuffer
{
    /// <summary>Every workspace and value buffer starts on a cache line.</summary>
    public const int Alignment = 64;

    private readonly byte[] _memory;
    private readonly long _offset;

    /// <param name="bytes">The workspace's size.</param>
    /// <param name="hugePages">Whether to ask for huge pages under it (<see cref="HugePages"/>).</param>
    public WorkspaceBuffer(long bytes, bool hugePages = false)
    {
        if (bytes < 0 || bytes > Array.MaxLength - Alignment)
            throw new CardinalException($"A workspace of {bytes} bytes cannot be allocated (the largest is {Array.MaxLength - Alignment}).");
        Bytes = bytes;
        _memory = bytes == 0 ? [] : GC.AllocateUninitializedArray<byte>((int)bytes + Alignment, pinned: true);
        if (bytes > 0)
        {
            long address = (long)Unsafe.AsPointer(ref _memory[0]);
            _offset = (Alignment - address % Alignment) % Alignment;
            if (hugePages) HugePages.Advise(_memory);
        }
    }

    public long Bytes { get; }

    public Workspace Workspace => Bytes == 0 ? Workspace.None : new((byte*)Unsafe.AsPointer(ref _memory[0]) + _offset, Bytes);
}
