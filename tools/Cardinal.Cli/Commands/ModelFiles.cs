using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Graph;
using Cardinal.Tensors;

namespace Cardinal.Cli.Commands;

/// <summary>Resolving the model (the bundled default when none is named), opening sessions, binding .npy files to names.</summary>
internal static class ModelFiles
{
    public static string DefaultModelPath => Path.Combine(AppContext.BaseDirectory, "models", "resnet18-mlnet.onnx");

    /// <summary>The default model's companion preprocessing graph (same NuGet package).</summary>
    public static string DefaultPreprocessPath => Path.Combine(AppContext.BaseDirectory, "models", "resnet18-mlnet-preprocess.onnx");

    public static string Resolve(string? model)
    {
        string path = model is null or "default" ? DefaultModelPath : model;
        if (!File.Exists(path))
            throw new UsageException(model is null or "default"
                ? $"the bundled default model is missing at {path}; rebuild the CLI (dotnet build) to restore it"
                : $"model file not found: {path}");
        return path;
    }

    /// <summary>Opens a session on the device --device names (cpu unless given), with --threads CPU threads.</summary>
    public static InferenceSession Open(string path, CliArguments a) => Open(path, a, out _);

    /// <summary>As <see cref="Open(string, CliArguments)"/>, and the file's metadata_props (labels and preset of a fitted classifier).</summary>
    public static InferenceSession Open(string path, CliArguments a, out IReadOnlyDictionary<string, string> metadata) =>
        Open(path, Choice(a), out metadata);

    public static InferenceSession Open(string path, BackendChoice choice, out IReadOnlyDictionary<string, string> metadata) =>
        Open(path, choice, null, out metadata);

    public static InferenceSession Open(string path, BackendChoice choice) => Open(path, choice, null, out _);

    /// <summary>With session options (extra outputs read out by name).</summary>
    public static InferenceSession Open(string path, BackendChoice choice, SessionOptions? options) => Open(path, choice, options, out _);

    public static InferenceSession Open(string path, BackendChoice choice, SessionOptions? options, out IReadOnlyDictionary<string, string> metadata)
    {
        ModelGraph graph = OnnxImporter.Load(path, out OnnxModel model);
        metadata = model.MetadataProps;
        // The graph was loaded for this session alone: it may let go of weights its backend holds packed.
        return InferenceSession.Open(graph, Backends.Create(choice), options, ownsGraph: true);
    }

    /// <summary>The backend --device and --threads ask for: the CLI's only place that sets a thread count.</summary>
    public static BackendChoice Choice(CliArguments a) => new() { Device = Device(a), Threads = Threads(a), Exact = a.Has("--exact") };

    public static Cardinal.Device Device(CliArguments a)
    {
        string? text = a.Single("--device");
        if (text is null) return Cardinal.Device.Cpu;
        try { return Backends.Parse(text); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    public static int Threads(CliArguments a) => a.Int("--threads", Environment.ProcessorCount, 1, 1024);

    /// <summary>Binds "[NAME=]file" values to the model's tensors; a bare file needs a model with exactly one.</summary>
    public static Dictionary<string, string> Bind(IReadOnlyList<string> values, IReadOnlyList<TensorInfo> tensors, string option)
    {
        var bound = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, path) in CliArguments.Named(values, tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal)))
        {
            string target;
            if (name is null)
            {
                if (tensors.Count != 1)
                    throw new UsageException($"the model has {tensors.Count} {option[2..]}s ({string.Join(", ", tensors.Select(t => t.Name))}); use {option} NAME=file");
                target = tensors[0].Name;
            }
            else if (tensors.Any(t => t.Name == name)) target = name;
            else throw new UsageException($"{option} {name}: the model has no such name (it has {string.Join(", ", tensors.Select(t => t.Name))})");
            if (!bound.TryAdd(target, path)) throw new UsageException($"{option} given twice for '{target}'");
        }
        return bound;
    }

    public static Dictionary<string, Tensor> ReadInputs(IReadOnlyList<string> values, InferenceSession session)
    {
        var files = Bind(values, session.Inputs, "--input");
        foreach (TensorInfo input in session.Inputs)
            if (!files.ContainsKey(input.Name)) throw new UsageException($"no --input for model input '{input.Name}' ({input.ElementType.Name()}{input.ShapeText})");
        return files.ToDictionary(f => f.Key, f => NpyFile.Read(f.Value));
    }

    /// <summary>A seeded standard-normal tensor of the input's declared shape (symbolic dimensions as 1).</summary>
    public static Tensor RandomInput(TensorInfo input, int seed)
    {
        if (input.ElementType != ElementType.Float32 || input.Dims is null)
            throw new UsageException($"input '{input.Name}' ({input.ElementType.Name()}{input.ShapeText}) needs an --input file");
        int[] dims = input.Dims.Select(d => d.Size ?? 1).ToArray();
        var t = Tensor.Create(ElementType.Float32, dims);
        var random = new Random(seed);
        Span<float> data = t.Floats;
        for (int i = 0; i < data.Length; i++)
        {
            // Box–Muller: two uniforms to one normal.
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            data[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return t;
    }
}
