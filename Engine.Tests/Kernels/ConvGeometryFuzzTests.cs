using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Testing;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// The geometry fuzz (Engine.Tests/Shared/ConvFuzz.cs): random 1-D/2-D/3-D convolutions (groups 1–64, 1–16
/// channels per group, strides 1–3, dilations 1–3, pads beyond the kernel, sizes down to 1, batch 1–3, bias,
/// residual, ReLU) through every applicable algorithm with constant and run-time weights, and random max and
/// average pools (ceil_mode, count_include_pad, NaN), on every tier at 1 and 2 threads, against the twins.
/// CARDINAL_FUZZ_SEED and CARDINAL_FUZZ_CASES set the seed and count (default: 300 cases); `Engine.Bench fuzz
/// --seed S --cases N` runs the same generator.
/// </summary>
[TestFixture, NonParallelizable]
public class ConvGeometryFuzzTests
{
    [Test]
    public void Fuzz_EveryAlgorithmEveryTier_MatchesReference()
    {
        int seed = ConvFuzz.SeedFromEnvironment(), cases = ConvFuzz.CasesFromEnvironment();
        // The drawn cases, then the pinned cases of known kernel bugs, so that every run shows them.
        FuzzResult result = ConvFuzz.Run(ConvFuzz.Generate(seed, cases).Concat(ConvFuzz.Pinned), CpuIsas.Supported);
        TestContext.Out.WriteLine($"seed {seed}: {result.Summary()}");
        foreach (KnownFailure bug in ConvFuzz.KnownFailures) TestContext.Out.WriteLine($"KNOWN KERNEL BUG: {bug}");
        foreach (string known in result.KnownFailures) TestContext.Out.WriteLine($"known failure: {known}");
        var fixedBugs = ConvFuzz.KnownFailures.Where(k => !result.KnownFailures.Any(k.Matches)).ToArray();
        Assert.That(fixedBugs, Is.Empty, "these known failures pass now: remove them from ConvFuzz.KnownFailures");

        Assert.That(result.Failures, Is.Empty, $"seed {seed}, {cases} cases: {result.Failures.Count} failures:\n" + string.Join("\n", result.Failures.Take(20)));
        // The fuzz must really reach every path on every tier (a generator that stops drawing some shape passes vacuously).
        if (cases >= ConvFuzz.DefaultCases)
            foreach (CpuIsa isa in CpuIsas.Supported)
            {
                foreach (ConvAlgorithm algorithm in Enum.GetValues<ConvAlgorithm>())
                {
                    // The blocked kernels (direct and Winograd) run only on tiers with a block size (AVX-512, AVX2).
                    if (algorithm is ConvAlgorithm.BlockedDirect or ConvAlgorithm.Winograd4x4 or ConvAlgorithm.Winograd2x2 && CpuPlatform.Create(isa).BlockSize == 0) continue;
                    // The diagonal grouped kernel runs on AVX-512 and AVX2 only.
                    if (algorithm is ConvAlgorithm.GroupedDiagonal && isa is not (CpuIsa.Avx512 or CpuIsa.Avx2)) continue;
                    Assert.That(result.Counts.GetValueOrDefault($"{algorithm}/{isa.Name()}"), Is.GreaterThan(0), $"no case ran {algorithm} on {isa.Name()}");
                }
                Assert.That(result.Counts.GetValueOrDefault($"MaxRows/{isa.Name()}"), Is.GreaterThan(0), $"no case ran the row max pool on {isa.Name()}");
                Assert.That(result.Counts.GetValueOrDefault($"MaxWalk/{isa.Name()}"), Is.GreaterThan(0), $"no case ran the max pool walk on {isa.Name()}");
            }
        Assert.That(result.Counts.GetValueOrDefault("Average/-"), Is.GreaterThan(0), "no average pool ran");
    }

    [Test]
    public void Generate_SameSeed_SameCasesWhateverTheCount()
    {
        string[] first = ConvFuzz.Generate(7, 50).Select(c => c.ToString()).ToArray();
        string[] again = ConvFuzz.Generate(7, 80).Take(50).Select(c => c.ToString()).ToArray();
        Assert.That(again, Is.EqualTo(first));
        Assert.That(ConvFuzz.Draw(7, 33).ToString(), Is.EqualTo(first[33]));
        Assert.That(ConvFuzz.Generate(8, 50).Select(c => c.ToString()), Is.Not.EqualTo(first));
    }

    [Test]
    public void Generate_CoversTheAskedRanges()
    {
        FuzzCase[] cases = ConvFuzz.Generate(ConvFuzz.DefaultSeed, ConvFuzz.DefaultCases).ToArray();
        var convs = cases.Where(c => c.Kind == FuzzKind.Conv).Select(c => c.Shape).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(cases.Select(c => c.Rank).Distinct().Order(), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(convs.Max(s => s.Group), Is.GreaterThanOrEqualTo(32), "groups up to 64");
            Assert.That(convs.Max(s => s.ChannelsPerGroup), Is.GreaterThanOrEqualTo(12), "up to 16 channels per group");
            Assert.That(convs.Max(s => Math.Max(s.Window.SH, s.Window.SW)), Is.EqualTo(3));
            Assert.That(convs.Max(s => Math.Max(s.Window.DH, s.Window.DW)), Is.EqualTo(3));
            Assert.That(convs.Any(s => s.Window.PadH > s.Window.KH || s.Window.PadEndW > s.Window.KW), "pads beyond the kernel");
            Assert.That(convs.Any(s => s.Window.PadH != s.Window.PadEndH || s.Window.PadW != s.Window.PadEndW), "asymmetric pads");
            Assert.That(convs.Any(s => s.Window.InH == 1 && s.Window.InW > 1) && convs.Any(s => s.Window.InW == 1 && s.Window.InH > 1), "sizes of 1");
            Assert.That(convs.Max(s => s.Batch), Is.EqualTo(3));
            Assert.That(convs.Any(s => s.Epilogue.Residual) && convs.Any(s => s.Epilogue.Relu), "epilogues");
            Assert.That(cases.Any(c => c.Kind == FuzzKind.MaxPool && c.CeilMode) && cases.Any(c => c.Kind == FuzzKind.AveragePool && c.CeilMode && c.CountIncludePad));
        });
    }
}
