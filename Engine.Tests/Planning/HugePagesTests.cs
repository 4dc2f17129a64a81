using System.Globalization;
using System.Runtime.InteropServices;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Planning;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Planning;

/// <summary>
/// The CPU backend asks Linux for 2 MiB pages under its packed weights, run buffers and workspaces
/// (<see cref="HugePages"/>, <see cref="CpuBackendOptions.HugePages"/>): the kernel marks the memory (its mapping's
/// VmFlags carry "hg" in /proc/self/smaps), the values stay as they were, and a session answers bit for bit as one
/// that does not ask.
/// </summary>
[TestFixture]
public class HugePagesTests
{
    private const string Setting = "/sys/kernel/mm/transparent_hugepage/enabled";

    /// <summary>
    /// Linux with transparent huge pages not switched off: the one place the advice takes. Elsewhere the backend asks for
    /// nothing by design, so there is nothing to check; by the project's rule that is a skip on a developer's machine and a
    /// failure under CI=true, whose Linux machines have THP (a CI run that skipped would hide a broken madvise path).
    /// </summary>
    private static void RequireTransparentHugePages()
    {
        if (!OperatingSystem.IsLinux()) References.Unavailable("Huge pages are asked for on Linux only.");
        if (!File.Exists(Setting) || File.ReadAllText(Setting).Contains("[never]", StringComparison.Ordinal))
            References.Unavailable($"This kernel has transparent huge pages off ({Setting}).");
    }

    [Test]
    public void Advise_ArraySmallerThanAHugePage_AsksForNothing()
    {
        float[] small = GC.AllocateArray<float>((int)(HugePages.PageBytes / sizeof(float)) - 1, pinned: true);
        Assert.That(HugePages.Advise(small), Is.Zero);
        Assert.That(HugePages.Advise(Array.Empty<float>()), Is.Zero);
    }

    [Test]
    public void Advise_LargePinnedArray_MarksItsWholeHugePages_AndKeepsItsValues()
    {
        RequireTransparentHugePages();
        // A 16 or 64 KiB-page arm64 kernel's huge pages are 32 or 512 MiB; an array of three of them is no unit test. Such a
        // kernel is a developer's Arm machine, never CI's x86-64 (where the skip would fail).
        if (HugePages.PageBytes > 2L << 20) References.Unavailable($"This kernel's huge pages are {HugePages.PageBytes >> 20} MiB: the test's array would be three of them.");
        Assert.That(HugePages.PageBytes, Is.EqualTo(2L << 20), "x86-64 and 4 KiB-page arm64 kernels read 2 MiB from sysfs");
        // 6 MiB and a bit: two or three whole 2 MiB pages lie inside, wherever the array starts.
        int count = (int)(3 * HugePages.PageBytes / sizeof(float)) + 1000;
        float[] values = GC.AllocateArray<float>(count, pinned: true);
        for (int i = 0; i < count; i++) values[i] = i * 0.5f - 7;

        long advised = HugePages.Advise(values);

        Assert.That(advised, Is.GreaterThanOrEqualTo(2 * HugePages.PageBytes).And.LessThanOrEqualTo(3 * HugePages.PageBytes));
        Assert.That(advised % HugePages.PageBytes, Is.Zero, "whole huge pages only");
        for (int i = 0; i < count; i++)
            if (values[i] != i * 0.5f - 7) Assert.Fail($"value {i} changed to {values[i]} (collapsing must copy the pages as they were)");
        long start = Marshal.UnsafeAddrOfPinnedArrayElement(values, 0);
        long firstWhole = (start + HugePages.PageBytes - 1) & ~(HugePages.PageBytes - 1);
        Assert.That(VmFlagsAt(firstWhole), Does.Contain("hg"), "the mapping of the first whole huge page is marked MADV_HUGEPAGE");
        GC.KeepAlive(values);
    }

    [Test]
    public void Session_AsksForHugePagesUnderItsPackedWeights_AndAnswersBitForBitAsOneThatDoesNot()
    {
        RequireTransparentHugePages();
        References.Require(DefaultModelTests.ModelPath, "Build the test project: it restores the Microsoft.ML.DnnImageFeaturizer.ResNet18 package.");
        var asking = new CpuBackend(new CpuBackendOptions { Threads = 2, HugePages = true });
        var plain = new CpuBackend(new CpuBackendOptions { Threads = 2, HugePages = false });
        using var a = InferenceSession.Open(OnnxImporter.Load(DefaultModelTests.ModelPath), asking);
        using var b = InferenceSession.Open(OnnxImporter.Load(DefaultModelTests.ModelPath), plain);
        int[] dims = a.Inputs.Single().Dims!.Select(d => d.Size ?? 1).ToArray();
        var input = Tensor.FromArray(TestModels.RandomData(dims.Aggregate(1, (x, y) => x * y), seed: 5), dims);

        float[] ours = a.Run(input).Floats.ToArray(), theirs = b.Run(input).Floats.ToArray();

        // ResNet-18 packs some 45 MB of weights, most of it in arrays of 2–9 MB that lie side by side.
        TestContext.Progress.WriteLine($"huge pages asked for under {asking.AdvisedWeightBytes / 1048576.0:F0} MiB of packed weights");
        Assert.That(asking.AdvisedWeightBytes, Is.GreaterThanOrEqualTo(16L << 20));
        Assert.That(plain.AdvisedWeightBytes, Is.Zero);
        Assert.That(ours, Is.EqualTo(theirs), "huge pages change where the bytes live, never what they are");
    }

    /// <summary>The VmFlags of the mapping that holds <paramref name="address"/> in /proc/self/smaps.</summary>
    private static string VmFlagsAt(long address)
    {
        bool inside = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-');
            int space = line.IndexOf(' ');
            if (dash > 0 && space > dash && long.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long from)
                && long.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long to))
                inside = from <= address && address < to;
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal)) return line;
        }
        return "";
    }
}
