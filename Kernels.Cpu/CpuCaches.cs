using System.Runtime.Intrinsics.X86;

namespace Cardinal.Kernels.Cpu;

/// <summary>
/// The L1 data cache of the core this process runs on, as CPUID reports it, for the blocked kernels' cache-sized choices
/// (<see cref="Nchwc.BlockedTuning.Default"/>). Read once. Where CPUID has no answer (a non-x86 machine, a hypervisor
/// that hides the cache leaves), the size is 0: unknown, and each choice keeps the value it had before this class existed.
/// </summary>
internal static class CpuCaches
{
    /// <summary>Bytes of L1 data cache per core; 0 when unknown.</summary>
    public static int L1DataBytes { get; } = ReadL1DataBytes();

    private static int ReadL1DataBytes()
    {
        // CpuId throws only where X86Base is unsupported, which this guard already answers.
        if (!X86Base.IsSupported) return 0;
        int maxBasic = X86Base.CpuId(0, 0).Eax;
        uint maxExtended = (uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax;
        // The deterministic cache parameters: leaf 4 on Intel, 0x8000001D on AMD, one layout. Each subleaf is a cache;
        // type 0 ends the list.
        if (maxBasic >= 4 && FromCacheParameters(4) is > 0 and var intel) return intel;
        if (maxExtended >= 0x8000001D && FromCacheParameters(unchecked((int)0x8000001D)) is > 0 and var amd) return amd;
        // AMD's older leaf: ECX[31:24] is the L1 data cache in KiB.
        if (maxExtended >= 0x80000005 && (uint)X86Base.CpuId(unchecked((int)0x80000005), 0).Ecx >> 24 is > 0 and var kib) return (int)kib * 1024;
        return 0;
    }

    /// <summary>The level-1 data (or unified) cache's bytes from a deterministic-cache-parameters leaf; 0 if it lists none.</summary>
    private static int FromCacheParameters(int leaf)
    {
        for (int sub = 0; sub < 16; sub++)
        {
            var (eax, ebx, ecx, _) = X86Base.CpuId(leaf, sub);
            int type = eax & 0x1F, level = (eax >> 5) & 0x7;
            if (type == 0) return 0;
            if (level != 1 || type is not (1 or 3)) continue; // 1: data, 3: unified; 2 is the instruction cache
            long ways = ((uint)ebx >> 22) + 1, partitions = (((uint)ebx >> 12) & 0x3FF) + 1, line = ((uint)ebx & 0xFFF) + 1, sets = (uint)ecx + 1L;
            long bytes = ways * partitions * line * sets;
            return bytes is > 0 and <= 16 << 20 ? (int)bytes : 0;
        }
        return 0;
    }
}
