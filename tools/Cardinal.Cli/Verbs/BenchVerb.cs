using System.CommandLine;
using Cardinal.Cli.CommandLine;
using Cardinal.Cli.Commands;

namespace Cardinal.Cli.Verbs;

/// <summary>cardinal bench: declared here, run by <see cref="BenchCommand"/>.</summary>
internal static class BenchVerb
{
    public static Command Create() => new Command("bench",
            "Steady-state latency, throughput and memory on a seeded random input, and the kernels that ran.")
        .With([
            .. CommonOptions.ModelRun(),
            Verb.Value("--batch", "B", "batch size for a model whose batch dimension is symbolic [default: 1]"),
            Verb.Value("--runs", "R", "timed runs [default: 20]"),
            Verb.Value("--warmup", "W", "untimed runs first (they plan and fill the buffer pools) [default: 3]"),
            CommonOptions.Json(),
        ])
        .Runs(BenchCommand.Run);
}
