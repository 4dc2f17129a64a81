using System.Runtime.CompilerServices;
using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Tensors;
using Cardinal.Graph.Ops;

namespace Cardinal.Kernels.Cpu.Conv;

/// <summary>
/// Packed convolution weights, one set per weight tensor, shared by every plan a backend compiles: a
/// session that meets a second batch size must not pack (and hold) its weights a second time. Entries go
/// with their tensors (weakly keyed), so a dropped session's weights are not kept alive here.
/// </summary>
internal sealed class PackedWeightsCache(CpuKernelTable table)
{
    private sealed record Entry(int Group, bool Direct, PackedMatrix[]? Packed);

    private readonly ConditionalWeakTable<Tensor, Entry> _entries = new();
    private readonly Lock _gate = new();

    public PackedMatrix[]? Get(Tensor weights, int channels, int outChannels, int group, in Window3D window)
    {
        lock (_gate)
        {
            // The packed layout follows from the tensor's shape, the group count and whether the direct kernel
            // takes the window (then nothing is packed); the table is the backend's.
            bool direct = GroupedConvKernel.Applies(group, outChannels, window);
            if (_entries.TryGetValue(weights, out Entry? entry) && entry.Group == group && entry.Direct == direct) return entry.Packed;
            PackedMatrix[]? packed = ConvKernel.PackWeights(weights.Floats, channels, outChannels, group, window, table);
            _entries.AddOrUpdate(weights, new Entry(group, direct, packed));
            return packed;
        }
    }
}
