using System.Runtime.Intrinsics.X86;

namespace Cardinal.Kernels.Cpu;

/// <summary>
/// The processor's vendor and family as CPUID reports them, for the blocked kernels' choices that were measured to differ
/// between processor generations rather than by a size CPUID gives (<see cref="Nchwc.BlockedTuning.Default"/>). Read once;
/// an empty vendor and family 0 where CPUID has no answer (a non-x86 machine).
/// </summary>
internal static class CpuIdentity
{
    /// <summary>CPUID's vendor string ("AuthenticAMD", "GenuineIntel", …); empty when unknown.</summary>
    public static string Vendor { get; }

    /// <summary>The display family (base family, plus the extended family where the base is 0xF): 0x19 for Zen 3 and 4, 0x1A for Zen 5; 0 when unknown.</summary>
    public static int Family { get; }

    /// <summary>Whether this is an AMD processor of family 0x1A (Zen 5) or later.</summary>
    public static bool IsAmdZen5OrLater => Vendor == "AuthenticAMD" && Family >= 0x1A;

    static CpuIdentity()
    {
        (Vendor, Family) = ("", 0);
        // CpuId throws only where X86Base is unsupported, which this guard already answers.
        if (!X86Base.IsSupported) return;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<byte> name = stackalloc byte[12];
        BitConverter.TryWriteBytes(name, ebx);
        BitConverter.TryWriteBytes(name[4..], edx);
        BitConverter.TryWriteBytes(name[8..], ecx);
        Vendor = System.Text.Encoding.ASCII.GetString(name);
        int eax = X86Base.CpuId(1, 0).Eax, baseFamily = (eax >> 8) & 0xF;
        Family = baseFamily == 0xF ? baseFamily + ((eax >> 20) & 0xFF) : baseFamily;
    }
}
