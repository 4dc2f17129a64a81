using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Tensors;
using Cardinal.Planning;

namespace Cardinal.Kernels.Cpu.Conv;

/// <summary>
/// Packed convolution weights, shared by every plan a backend compiles: a session that meets a second batch
/// size must not pack (and hold) its weights a second time. Keyed by (weights, algorithm, platform): the packed
/// layout follows from the algorithm's A operand, the group split and the platform's MR. Entries go with their
/// weight tensors (weakly keyed), so a dropped session's packed weights are not kept alive here.
/// </summary>
internal sealed class PackedWeightsCache
{
    /// <summary>Variant: a second form under one algorithm (the stem's folded filter), null for the algorithm's own.</summary>
    private sealed record Key(ConvAlgorithm Algorithm, CpuIsa Isa, int Group, int OutChannels, string? Variant = null);

    private readonly ConditionalWeakTable<Tensor, Dictionary<Key, object>> _entries = new();
    private readonly Lock _gate = new();

    /// <summary>The weights packed for this algorithm and platform, packed now if no plan has asked before.</summary>
    public PackedMatrix[] Get(Tensor weights, ConvAlgorithm algorithm, in ConvShape shape, CpuPlatform platform)
    {
        // Pointwise, shifted-tap and im2col plans all read A as [M/g][K] row panels of MR: one packing serves them,
        // so they share a key; the algorithm stays in the key for layouts to come (blocked, Winograd).
        var key = new Key(algorithm is ConvAlgorithm.PointwiseGemm or ConvAlgorithm.ShiftedTapGemm or ConvAlgorithm.Im2ColGemm
            ? ConvAlgorithm.Im2ColGemm : algorithm, platform.Isa, shape.Group, shape.OutChannels);
        ConvShape s = shape;
        return GetOrAdd(weights, key, () => GemmConvPlan.PackWeights(weights.Floats, s, platform));
    }

    /// <summary>
    /// Another algorithm's own form of the weights (a blocked kernel's reordered weights), made by
    /// <paramref name="pack"/> the first time a plan asks for it with this algorithm, tier and shape.
    /// </summary>
    public T GetOrAdd<T>(Tensor weights, ConvAlgorithm algorithm, in ConvShape shape, CpuPlatform platform, Func<T> pack) where T : class =>
        GetOrAdd(weights, new Key(algorithm, platform.Isa, shape.Group, shape.OutChannels), pack);

    /// <summary>A named variant of an algorithm's form of the weights (<see cref="Nchwc.FoldedStemPlan"/>'s folded filter).</summary>
    internal T GetOrAdd<T>(Tensor weights, ConvAlgorithm algorithm, string variant, in ConvShape shape, CpuPlatform platform, Func<T> pack) where T : class =>
        GetOrAdd(weights, new Key(algorithm, platform.Isa, shape.Group, shape.OutChannels, variant), pack);

    /// <summary>Whether this algorithm's form of the weights is held (a plan made after the raw weights were released can use only those).</summary>
    /// <param name="weights">The layer's raw weights (the key; they may be released).</param>
    /// <param name="algorithm">The plan's algorithm.</param>
    /// <param name="shape">The layer's shape (its group and output channels are part of the key).</param>
    /// <param name="platform">The tier (its ISA is part of the key).</param>
    /// <param name="variant">A named variant of the form (null: the algorithm's own).</param>
    internal bool Contains(Tensor weights, ConvAlgorithm algorithm, in ConvShape shape, CpuPlatform platform, string? variant = null)
    {
        lock (_gate)
            return _entries.TryGetValue(weights, out var byKey) && byKey.ContainsKey(new Key(algorithm, platform.Isa, shape.Group, shape.OutChannels, variant));
    }

    private T GetOrAdd<T>(Tensor weights, Key key, Func<T> pack) where T : class
    {
        lock (_gate)
        {
            var byKey = _entries.GetOrCreateValue(weights);
            if (byKey.TryGetValue(key, out object? packed)) return (T)packed;
            T made = pack();
            byKey[key] = made;
            return made;
        }
    }

    /// <summary>Bytes between two packed arrays up to which they count as one run of memory (the other pinned objects between them).</summary>
    internal const long HugePageRunGap = 256 << 10;

    /// <summary>
    /// Every run streams the packed weights from memory: this asks for huge pages under the packed arrays held now
    /// (<see cref="HugePages"/>). The arrays were pinned one after another as the plans packed them, so most lie side by side;
    /// arrays no more than <see cref="HugePageRunGap"/> apart are advised as one run, since a single 1–4 MB filter covers few
    /// whole huge pages of its own. Only runs that hold an array packed since the last call are advised again (a plan for a
    /// new batch size packs nothing new, and collapsing costs a walk over the pages). Returns the bytes advised now.
    /// </summary>
    internal long AdviseHugePages()
    {
        var ranges = new List<(long Start, long End, bool New)>();
        lock (_gate)
            foreach (var (_, byKey) in _entries)
                foreach (object packed in byKey.Values)
                    if (packed is float[] { Length: > 0 } floats)
                    {
                        long start = Marshal.UnsafeAddrOfPinnedArrayElement(floats, 0);
                        bool isNew = !_advised.TryGetValue(floats, out _);
                        if (isNew) _advised.Add(floats, floats);
                        ranges.Add((start, start + (long)floats.Length * sizeof(float), isNew));
                    }
        long advised = 0;
        ranges.Sort();
        for (int i = 0; i < ranges.Count;)
        {
            (long start, long end, bool anyNew) = ranges[i++];
            while (i < ranges.Count && ranges[i].Start - end <= HugePageRunGap)
            {
                end = Math.Max(end, ranges[i].End);
                anyNew |= ranges[i++].New;
            }
            if (anyNew) advised += HugePages.Advise((nint)start, end - start);
        }
        return advised;
    }

    /// <summary>The packed arrays <see cref="AdviseHugePages"/> has seen (weakly held, as the entries are).</summary>
    private readonly ConditionalWeakTable<float[], float[]> _advised = new();

    /// <summary>Packed copies held for this tensor (for tests).</summary>
    internal int CountFor(Tensor weights)
    {
        lock (_gate) return _entries.TryGetValue(weights, out var byKey) ? byKey.Count : 0;
    }
}
