using Cardinal.Kernels.Cpu;
using Cardinal.Testing;

namespace Cardinal.Bench;

/// <summary>
/// `fuzz --seed S --cases N [--only I] [--tier T] [--list]`: the geometry fuzz of the tests (the same
/// generator, Engine.Tests/Shared/ConvFuzz.cs) for longer runs. Prints each failure (case, tier, algorithm,
/// threads, index), the cases per path and tier, and exits 1 on any failure not already known.
/// </summary>
public static class FuzzRunner
{
    public static int Run(string[] args)
    {
        int seed = CompareRunner.Option(args, "--seed", ConvFuzz.DefaultSeed);
        int cases = CompareRunner.Option(args, "--cases", ConvFuzz.DefaultCases);
        int only = CompareRunner.Option(args, "--only", -1);
        string? tier = args.SkipWhile(a => a != "--tier").Skip(1).FirstOrDefault();
        IReadOnlyList<CpuIsa> tiers = tier is null ? CpuIsas.Supported : [Enum.Parse<CpuIsa>(tier, ignoreCase: true)];
        IEnumerable<FuzzCase> drawn = only >= 0 ? [ConvFuzz.Draw(seed, only)] : ConvFuzz.Generate(seed, cases);
        if (args.Contains("--list"))
        {
            foreach (FuzzCase c in drawn) Console.WriteLine(c);
            return 0;
        }
        Console.WriteLine($"geometry fuzz: seed {seed}, {(only >= 0 ? $"case {only}" : $"{cases} cases")}, tiers {string.Join(", ", tiers.Select(t => t.Name()))}, 1 and 2 threads");
        FuzzResult result = ConvFuzz.Run(drawn, tiers, Console.WriteLine);
        Console.WriteLine(result.Summary());
        foreach (KnownFailure bug in ConvFuzz.KnownFailures) Console.WriteLine($"known kernel bug: {bug}");
        return result.Failures.Count == 0 ? 0 : 1;
    }
}
