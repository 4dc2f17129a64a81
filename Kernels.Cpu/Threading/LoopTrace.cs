using System.Diagnostics;

namespace Cardinal.Kernels.Cpu.Threading;

/// <summary>A loop body that names its work in a <see cref="LoopTrace"/> other than by its type (the kernels' bodies go by theirs: BlockedDirectPlan.Task, …).</summary>
internal interface ITracedBody
{
    string TraceLabel { get; }
}

/// <summary>
/// What every loop of a <see cref="ParallelRunner"/> cost each thread: when it started on the loop, how long it ran
/// indices, and how many, and what each index took (Engine.Bench `threads`, `--per-task`). It splits a layer's lost scaling into threads that waited (idle at
/// the end, a late start) and work that took longer on two threads than on one (the memory, or the other core's
/// lines). Off unless a backend is made with one (<see cref="CpuBackendOptions"/>); recording allocates.
/// </summary>
internal sealed class LoopTrace
{
    /// <param name="Label">The body's <see cref="ITracedBody.TraceLabel"/>, else its type's name.</param>
    /// <param name="Count">The loop's indices.</param>
    /// <param name="Wall">Stopwatch ticks from the loop's publication to its last index done.</param>
    /// <param name="Busy">Per thread: ticks from its first claim to its last index done.</param>
    /// <param name="Indices">Per thread: the indices it ran.</param>
    /// <param name="Start">Per thread: ticks from the loop's publication to its first claim (−1: it ran none).</param>
    /// <param name="At">The <see cref="Stopwatch"/> timestamp of the loop's publication (which step ran it).</param>
    /// <param name="IndexTicks">Per index: ticks its body took, whichever thread ran it.</param>
    public sealed record Loop(string Label, int Count, long Wall, long[] Busy, int[] Indices, long[] Start, long At, long[] IndexTicks);

    private readonly List<Loop> _loops = [];

    /// <summary>The loops since the last <see cref="Take"/>, in the order they ran.</summary>
    public List<Loop> Take()
    {
        lock (_loops)
        {
            var taken = new List<Loop>(_loops);
            _loops.Clear();
            return taken;
        }
    }

    internal void Add(Loop loop)
    {
        lock (_loops) _loops.Add(loop);
    }

    /// <summary>A loop run inline on its caller (index 0 of <paramref name="threads"/>) from <paramref name="began"/> to now.</summary>
    internal void AddInline(string label, int count, int threads, long began, long[] indexTicks)
    {
        long wall = Now - began;
        var busy = new long[threads];
        var indices = new int[threads];
        var start = new long[threads];
        Array.Fill(start, -1L);
        if (count > 0) (busy[0], indices[0], start[0]) = (wall, count, 0);
        Add(new Loop(label, count, wall, busy, indices, start, began, indexTicks));
    }

    internal static string LabelOf<TBody>(in TBody body) where TBody : struct, IParallelBody =>
        body is ITracedBody traced ? traced.TraceLabel : NameOf(typeof(TBody));

    private static string NameOf(Type type)
    {
        string name = type.Name;
        int tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        return type.DeclaringType is { } outer ? NameOf(outer) + "." + name : name;
    }

    internal static long Now => Stopwatch.GetTimestamp();
}
