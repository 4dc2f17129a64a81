using System.Runtime.InteropServices;

namespace Cardinal.Planning;

/// <summary>
/// Asks Linux to back long-lived pinned arrays (packed weights, the run arena, workspaces) with huge pages (2 MiB on x86-64,
/// <see cref="PageBytes"/>). A ResNet-50 run
/// streams its ~100 MB of weights from memory every time; on 4 KiB pages that is some 25,000 pages a run, far more than
/// the core's TLB holds, so each page's first line waits for a page walk. Hosts whose transparent huge pages are set to
/// "madvise" (the common default) give huge pages only to memory that asks: <c>MADV_HUGEPAGE</c> on the huge-page-aligned
/// part of the array, then <c>MADV_COLLAPSE</c> (Linux 6.1) to turn the pages already written into huge ones at once
/// rather than when the kernel's background scan gets there. Best effort: any failure (another OS, an older kernel, huge
/// pages off) leaves the memory as it was, and nothing reads differently either way. The CPU backend asks unless its
/// options say not to (<c>CpuBackendOptions.HugePages</c>). NOTES "Thirty-second sitting".
/// </summary>
internal static partial class HugePages
{
    /// <summary>
    /// The kernel's transparent huge page size: 2 MiB on x86-64 and on arm64 with 4 KiB base pages, 32 MiB with 16 KiB,
    /// 512 MiB with 64 KiB (read from sysfs; 2 MiB where it cannot be read). Only whole pages of it are asked for, so on a
    /// 64 KiB-page arm64 kernel nearly nothing is.
    /// </summary>
    public static long PageBytes { get; } = ReadPageBytes();

    private const string PageSizeFile = "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size";

    private const int MadvHugePage = 14, MadvCollapse = 25;

    /// <summary>Set once madvise turns out not to be there (not glibc's or musl's libc): no further calls.</summary>
    private static int s_unavailable;

    /// <summary>Advises the whole huge pages inside a pinned array's data; returns the bytes advised (0: none).</summary>
    public static long Advise<T>(T[] pinned) where T : unmanaged =>
        pinned.Length == 0 ? 0 : Advise(Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0), (long)pinned.Length * Marshal.SizeOf<T>());

    /// <summary>Advises the whole huge pages inside [address, address + bytes); returns the bytes advised (0: none).</summary>
    public static long Advise(nint address, long bytes)
    {
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref s_unavailable) != 0 || bytes < PageBytes) return 0;
        long start = ((long)address + PageBytes - 1) & ~(PageBytes - 1), end = ((long)address + bytes) & ~(PageBytes - 1);
        if (end <= start) return 0;
        try
        {
            if (Madvise((nint)start, (nuint)(end - start), MadvHugePage) != 0) return 0;
            // Collapsing can fail (an older kernel, no free huge pages); the advice alone still lets the kernel's scan collapse them later.
            Madvise((nint)start, (nuint)(end - start), MadvCollapse);
            return end - start;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref s_unavailable, 1);
            return 0;
        }
    }

    private static long ReadPageBytes()
    {
        const long fallback = 2L << 20;
        if (!OperatingSystem.IsLinux()) return fallback;
        try
        {
            return File.Exists(PageSizeFile) && long.TryParse(File.ReadAllText(PageSizeFile).Trim(), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out long bytes) && bytes >= 4096 && (bytes & (bytes - 1)) == 0 ? bytes : fallback;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return fallback;
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
