using System.Diagnostics;
using Cardinal.Kernels.Cpu;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// The JIT disassembly check of the CPU microkernels (issue #11: no spills in the inner loop, FMAs, embedded broadcasts
/// where a value is used once, no bounds checks), run as a test so that a change to a kernel that makes the JIT spill
/// fails CI: <c>tools/disasm-check.sh</c> runs the CLI on ResNet-18, ResNet-50 and ResNeXt-50 with DOTNET_JitDisasm
/// naming the kernels, and <c>tools/disasm-check/analyze.py</c> reads the listings. A second test feeds the analyzer a
/// listing with a spill, a call and a bounds check in its loop, so the check is seen to fail.
/// </summary>
[TestFixture]
public class KernelDisassemblyTests
{
    private static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "tools", "disasm-check.sh"))) return dir.FullName;
            Assert.Fail("tools/disasm-check.sh not found above the test folder.");
            return "";
        }
    }

    private static (int Code, string Output) Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(300_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} ran over 5 minutes.");
        }
        return (process.ExitCode, stdout + stderr.Result);
    }

    private static void RequireTools()
    {
        if (!File.Exists("/usr/bin/python3") || !File.Exists("/bin/bash")) References.Unavailable("The disassembly check needs bash and /usr/bin/python3.");
        foreach (string model in new[] { "resnet50", "resnext50_32x4d" })
            References.Require(Path.Combine(References.Cache, "torchvision", "current", model, "model.onnx"), References.RunTestScript);
    }

    [TestCase("avx512", 30)]
    [TestCase("avx2", 15)]
    public void EveryKernelCompilesWithoutSpillsCallsOrBoundsChecks(string isa, int leastListings)
    {
        RequireTools();
        // The tier must be one the engine runs here (CpuIsas honours .NET's own switches and CARDINAL_CPU_ISA): otherwise
        // none of its kernels is compiled and there is nothing to read. Skipped locally, a failure under CI=true, as every
        // tier-bound test in this suite.
        CpuIsa tier = isa == "avx512" ? CpuIsa.Avx512 : CpuIsa.Avx2;
        if (!CpuIsas.Supported.Contains(tier)) References.Unavailable($"The engine runs no {isa} tier on this machine: its kernels are not compiled.");

        (int code, string output) = Run("/bin/bash", "tools/disasm-check.sh", "--isa", isa);
        TestContext.Out.WriteLine(output);
        Assert.That(code, Is.EqualTo(0), output);
        var summary = output.Split('\n').Single(l => l.EndsWith(" failed", StringComparison.Ordinal) && l.Contains(" listings, ", StringComparison.Ordinal));
        int listings = int.Parse(summary.Split(' ')[0]);
        // Fewer listings than the tiles the models reach: a kernel was renamed past the script's patterns.
        Assert.That(listings, Is.GreaterThanOrEqualTo(leastListings), summary);
        Assert.That(summary, Does.EndWith(", 0 failed"));
    }

    [Test]
    public void TheAnalyzerFailsALoopWithASpillACallAndABoundsCheck()
    {
        if (!File.Exists("/usr/bin/python3")) References.Unavailable("The disassembly check needs /usr/bin/python3.");
        const string clean = """
            ; Assembly listing for method Cardinal.Kernels.Cpu.Nchwc.Test:Tile_Avx512(ptr) (FullOpts)
            G_M000_IG01:
                   xor      eax, eax
            G_M000_IG02:
                   vbroadcastss zmm28, dword ptr [rsi+4*rax]
                   vfmadd231ps zmm0, zmm24, zmm28
                   vfmadd231ps zmm1, zmm25, dword ptr [rdx]{1to16}
                   inc      rax
                   cmp      rax, rcx
                   jl       SHORT G_M000_IG02
                   ret
            ; Total bytes of code 40
            """;
        string spilled = clean.Replace("       inc      rax", "       vmovups  zmmword ptr [rbp-0x80], zmm1\n       call     CORINFO_HELP_RNGCHKFAIL\n       inc      rax");
        string folder = Path.Combine(Path.GetTempPath(), $"cardinal-disasm-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "clean.txt"), clean);
            File.WriteAllText(Path.Combine(folder, "spilled.txt"), spilled);
            (int cleanCode, string cleanOut) = Run("/usr/bin/python3", "tools/disasm-check/analyze.py", Path.Combine(folder, "clean.txt"), "--expect-broadcast", "Tile_Avx512");
            Assert.That(cleanCode, Is.EqualTo(0), cleanOut);
            Assert.That(cleanOut, Does.Contain("| 1 | 2 | 1 | 0 | 0 | 0 | ok |"));
            (int code, string output) = Run("/usr/bin/python3", "tools/disasm-check/analyze.py", Path.Combine(folder, "spilled.txt"));
            Assert.That(code, Is.EqualTo(1), output);
            Assert.That(output, Does.Contain("spills, calls in the loop, bounds checks"));
            Assert.That(output, Does.Contain("1 listings, 1 failed"));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
