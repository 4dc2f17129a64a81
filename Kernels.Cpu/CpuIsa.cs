using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Cardinal.Kernels.Cpu;

/// <summary>Instruction-set tiers, narrowest first. A table built for a tier uses nothing wider.</summary>
public enum CpuIsa
{
    /// <summary>Plain scalar code (the reference tier).</summary>
    Scalar,
    /// <summary>Portable 128-bit vectors (System.Runtime.Intrinsics' Vector128 on any hardware).</summary>
    Portable,
    /// <summary>ARM AdvSIMD (NEON), 128-bit.</summary>
    Neon,
    /// <summary>x86 AVX2 with FMA, 256-bit.</summary>
    Avx2,
    /// <summary>x86 AVX-512F, 512-bit.</summary>
    Avx512,
}

internal static class CpuIsas
{
    /// <summary>Environment variable that caps the tier for the whole process (e.g. CARDINAL_CPU_ISA=avx2).</summary>
    public const string OverrideVariable = "CARDINAL_CPU_ISA";

    public static bool IsSupported(CpuIsa isa) => isa switch
    {
        CpuIsa.Scalar => true,
        CpuIsa.Portable => Vector128.IsHardwareAccelerated,
        CpuIsa.Neon => AdvSimd.IsSupported,
        CpuIsa.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        CpuIsa.Avx512 => Avx512F.IsSupported && Vector512.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>Every tier this machine can execute, widest first.</summary>
    public static IReadOnlyList<CpuIsa> Supported { get; } =
        Enum.GetValues<CpuIsa>().Where(IsSupported).OrderByDescending(i => i).ToArray();

    /// <summary>The supported tiers with blocked (NCHWc) kernels, widest first: those the blocked kernels' tests and benchmarks run on.</summary>
    public static IEnumerable<CpuIsa> Blocked => Supported.Where(i => CpuPlatform.Create(i).BlockSize > 0);

    /// <summary>The widest supported tier at or below <paramref name="cap"/> (and below the environment override).</summary>
    public static CpuIsa Best(CpuIsa? cap = null)
    {
        CpuIsa limit = cap ?? CpuIsa.Avx512;
        if (Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } text)
        {
            if (!Enum.TryParse(text, ignoreCase: true, out CpuIsa fromEnvironment))
                throw new ArgumentException($"{OverrideVariable}='{text}' is not one of {string.Join(", ", Enum.GetNames<CpuIsa>())}.");
            if (fromEnvironment < limit) limit = fromEnvironment;
        }
        return Supported.First(i => i <= limit);
    }

    public static string Name(this CpuIsa isa) => isa.ToString().ToLowerInvariant();
}
