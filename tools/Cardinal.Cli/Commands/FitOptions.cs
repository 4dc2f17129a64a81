using System.Globalization;

namespace Cardinal.Cli.Commands;

/// <summary>
/// `cardinal fit DIR --out MODEL.onnx` as a plain record, so any parser can bind it (today's
/// <see cref="CliArguments"/> in <see cref="Parse"/>; System.CommandLine later) and <see cref="FitCommand.Execute"/> stays the same.
/// </summary>
internal sealed record FitOptions
{
    /// <summary>One subfolder per class (sorted ordinal order), images anywhere under each.</summary>
    public required string Directory { get; init; }
    public required string Out { get; init; }
    public ImageModelOptions Images { get; init; } = new();
    /// <summary>Fraction of each class held out for the reported accuracy; 0 trains on everything and reports none.</summary>
    public double Holdout { get; init; } = 0.2;
    /// <summary>The L2 strength λ; null chooses it by stratified k-fold cross-validation over a grid.</summary>
    public double? L2 { get; init; }
    public int Folds { get; init; } = 5;
    public ulong Seed { get; init; }
    public bool Json { get; init; }
    public bool NoCache { get; init; }

    /// <summary>The record from the parsed command line (Verbs/FitVerb declares the flags).</summary>
    public static FitOptions From(CliArguments a)
    {
        if (a.Positionals.Count != 1) throw new UsageException("fit takes one DIR (a folder with one subfolder of images per class)");
        string outPath = a.Single("--out") ?? throw new UsageException("fit needs --out MODEL.onnx");
        double holdout = a.Double("--holdout", 0.2);
        if (holdout >= 1) throw new UsageException($"option '--holdout' must be from 0 to below 1, got {holdout.ToString(CultureInfo.InvariantCulture)}");
        double? l2 = a.Has("--l2") ? a.Double("--l2", 0) : null;
        string? seedText = a.Single("--seed");
        ulong seed = 0;
        if (seedText is not null && !ulong.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out seed))
            throw new UsageException($"option '--seed' must be a non-negative integer, got '{seedText}'");
        return new FitOptions
        {
            Directory = a.Positionals[0],
            Out = outPath,
            Images = ImageModelOptions.Parse(a),
            Holdout = holdout,
            L2 = l2,
            Folds = a.Int("--folds", 5, 2, 100),
            Seed = seed,
            Json = a.Has("--json"),
            NoCache = a.Has("--no-cache"),
        };
    }
}
