namespace Cardinal.Cli;

/// <summary>Thrown for a command line that cannot be understood; the CLI prints it in one line, exit 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// A small parser for "verb [positionals] [--flag value | --switch]…". Flags may repeat (--input a=x.npy
/// --input b=y.npy); every flag a verb does not know is an error, not silently ignored.
/// </summary>
public sealed class CliArguments
{
    private readonly Dictionary<string, List<string>> _flags = new(StringComparer.Ordinal);
    public List<string> Positionals { get; } = [];

    public static CliArguments Parse(IEnumerable<string> args, IEnumerable<string> valueFlagNames, IEnumerable<string> switchNames)
    {
        var valueFlags = valueFlagNames.ToHashSet(StringComparer.Ordinal);
        var switches = switchNames.ToHashSet(StringComparer.Ordinal);
        var result = new CliArguments();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            string a = e.Current;
            if (!a.StartsWith("--", StringComparison.Ordinal) || a == "--") { result.Positionals.Add(a); continue; }
            string name = a; string? value = null;
            int eq = a.IndexOf('=');
            if (eq > 0 && valueFlags.Contains(a[..eq])) { name = a[..eq]; value = a[(eq + 1)..]; }
            if (switches.Contains(name)) { result.Add(name, "true"); continue; }
            if (!valueFlags.Contains(name)) throw new UsageException($"unknown option '{name}'");
            if (value is null)
            {
                if (!e.MoveNext()) throw new UsageException($"option '{name}' needs a value");
                value = e.Current;
            }
            result.Add(name, value);
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
