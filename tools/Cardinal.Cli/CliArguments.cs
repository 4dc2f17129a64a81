using System.CommandLine;
using System.CommandLine.Parsing;

namespace Cardinal.Cli;

/// <summary>Thrown for a command line that cannot be understood; the CLI prints it in one line, exit 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The values one verb was given, by flag name ("--input" → every value, in order) and positionals, as
/// System.CommandLine parsed them (<see cref="From"/>). The verbs written before the move to System.CommandLine
/// read their flags from here, so their range checks and messages stay as they were; a new verb binds typed
/// options straight into its options record instead (see Verbs/).
/// </summary>
public sealed class CliArguments
{
    private readonly Dictionary<string, List<string>> _flags = new(StringComparer.Ordinal);
    public List<string> Positionals { get; } = [];

    /// <summary>
    /// The parsed command's explicitly given options (a switch given as true holds "true"; one given as false
    /// is absent) and its arguments' tokens. Options S.CL adds itself (help) are not the verb's and are left out.
    /// </summary>
    public static CliArguments From(ParseResult parsed)
    {
        var result = new CliArguments();
        foreach (SymbolResult child in parsed.CommandResult.Children)
        {
            switch (child)
            {
                case OptionResult { Implicit: false } o when o.Option.ValueType == typeof(bool):
                    if (o.GetValueOrDefault<bool>()) result.Add(o.Option.Name, "true");
                    break;
                case OptionResult { Implicit: false } o:
                    foreach (Token t in o.Tokens) result.Add(o.Option.Name, t.Value);
                    break;
                case ArgumentResult arg:
                    result.Positionals.AddRange(arg.Tokens.Select(t => t.Value));
                    break;
            }
        }
        return result;
    }

    private void Add(string name, string value)
    {
        if (!_flags.TryGetValue(name, out var list)) _flags[name] = list = [];
        list.Add(value);
    }

    public IReadOnlyList<string> All(string name) => _flags.TryGetValue(name, out var list) ? list : [];

    public string? Single(string name)
    {
        var all = All(name);
        if (all.Count > 1) throw new UsageException($"option '{name}' given {all.Count} times");
        return all.Count == 1 ? all[0] : null;
    }

    public bool Has(string name) => _flags.ContainsKey(name);

    public int Int(string name, int fallback, int min, int max)
    {
        string? text = Single(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, out int v) || v < min || v > max)
            throw new UsageException($"option '{name}' must be an integer from {min} to {max}, got '{text}'");
        return v;
    }

    public double Double(string name, double fallback)
    {
        string? text = Single(name);
        if (text is null) return fallback;
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) || v < 0 || double.IsNaN(v))
            throw new UsageException($"option '{name}' must be a non-negative number, got '{text}'");
        return v;
    }

    /// <summary>
    /// Pairs "NAME=path" or a bare "path" (which names the model's only input or output). A NAME in
    /// <paramref name="known"/> is always a name, slashes and all (PyTorch's "/layer1/…/Relu_output_0").
    /// </summary>
    public static List<(string? Name, string Path)> Named(IReadOnlyList<string> values, IReadOnlySet<string>? known = null)
    {
        var result = new List<(string?, string)>();
        foreach (string v in values)
        {
            int eq = v.IndexOf('=');
            // "C:\…" or a path with '=' after a separator is a path, not NAME=path, unless NAME is one the model has.
            if (eq > 0 && (known?.Contains(v[..eq]) == true || v.IndexOfAny(['/', '\\']) is int slash && (slash < 0 || slash > eq)))
                result.Add((v[..eq], v[(eq + 1)..]));
            else result.Add((null, v));
        }
        return result;
    }
}
