using System.Security.Cryptography;
using Cardinal.Formats.Images;
using Cardinal.Formats.Onnx;
using Cardinal.Tensors;

namespace Cardinal.Cli.Commands;

/// <summary>What an image job opens: the model (null: the bundled default), the preset (null: the model's), the backend.</summary>
internal sealed record ImagePipelineOptions
{
    public string? Model { get; init; }
    public string? Preset { get; init; }
    public BackendChoice Backend { get; init; } = new() { Device = Cardinal.Device.Cpu, Threads = Environment.ProcessorCount };
    public bool EnableGif { get; init; }
    public bool EnableTiff { get; init; }
    /// <summary>Values read out besides the model's output (any value name; see SessionOptions.ExtraOutputs).</summary>
    public IReadOnlyList<string> Layers { get; init; } = [];
}

/// <summary>One image→output result: the model's first output flattened, or the reason the file failed.</summary>
internal readonly record struct ImageResult(string File, float[]? Output, string? Error)
{
    /// <summary>Per requested layer (<see cref="ImagePipelineOptions.Layers"/>, in that order): this image's slice of the value, flattened.</summary>
    public float[][]? Layers { get; init; }
}

/// <summary>
/// Model + preprocessing for the image jobs. The bundled default model gets the mlnet-resnet18 preset
/// (read from its companion ResNetPreprocess.onnx); any other model gets imagenet unless --preset says.
/// Files are decoded and preprocessed in parallel, a chunk at a time, and run in batches when the model's
/// batch dimension allows it (the default model's is fixed at 1).
/// </summary>
internal sealed class ImagePipeline : IDisposable
{
    private const int ChunkSize = 16;
    private readonly int _threads;
    private readonly ImageSharpDecoder _decoder;

    private ImagePipeline(string modelPath, PreprocessOptions preset, InferenceSession session, ImageSharpDecoder decoder, int threads)
    {
        ModelPath = modelPath;
        Preset = preset;
        Session = session;
        _decoder = decoder;
        _threads = threads;
    }

    public string ModelPath { get; }
    public PreprocessOptions Preset { get; }
    public InferenceSession Session { get; }

    public static ImagePipeline Create(CliArguments a) => Create(Options(a));

    /// <summary>The image-job flags as a plain record (--model, --preset, --device, --threads, --exact, --enable-gif, --enable-tiff).</summary>
    public static ImagePipelineOptions Options(CliArguments a) => new()
    {
        Model = a.Single("--model"),
        Preset = a.Single("--preset"),
        Backend = ModelFiles.Choice(a),
        EnableGif = a.Has("--enable-gif"),
        EnableTiff = a.Has("--enable-tiff"),
    };

    public static ImagePipeline Create(ImagePipelineOptions options)
    {
        string path = ModelFiles.Resolve(options.Model);
        bool isDefault = options.Model is null or "default";
        var limits = new ImageLimits { EnableGif = options.EnableGif, EnableTiff = options.EnableTiff };
        var session = ModelFiles.Open(path, options.Backend, new SessionOptions { ExtraOutputs = options.Layers }, out var metadata);
        try
        {
            // An explicit --preset wins; then the preset a fitted classifier states; then the model's default.
            string presetName = options.Preset ?? ClassifierMetadata.Preset(metadata)
                ?? (isDefault ? PreprocessPresets.MlNetResNet18Name : PreprocessPresets.ImageNetName);
            PreprocessOptions preset = PresetNamed(presetName);
            CheckInput(session, preset);
            return new ImagePipeline(path, preset, session, new ImageSharpDecoder(limits), options.Backend.Threads)
            {
                Labels = ClassifierMetadata.Labels(metadata, path),
                Layers = options.Layers,
            };
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>A preset by name (the CLI's list: imagenet, mlnet-resnet18).</summary>
    public static PreprocessOptions PresetNamed(string name) => name switch
    {
        PreprocessPresets.ImageNetName => PreprocessPresets.ImageNet,
        PreprocessPresets.MlNetResNet18Name => PreprocessPresets.MlNetResNet18(ModelFiles.DefaultPreprocessPath),
        _ => throw new UsageException($"unknown preset '{name}' (imagenet, mlnet-resnet18)"),
    };

    /// <summary>The class names the model's metadata states (a model exported by `cardinal fit`), or null.</summary>
    public string[]? Labels { get; private init; }

    /// <summary>The values read out per image besides the output (embed --layer).</summary>
    public IReadOnlyList<string> Layers { get; private init; } = [];

    /// <summary>Per layer, the per-image dims of the last run (batch dimension dropped), for pooling.</summary>
    public int[][] LayerDims { get; private set; } = [];

    private static void CheckInput(InferenceSession session, PreprocessOptions preset)
    {
        if (session.Inputs.Count != 1) throw new UsageException($"image jobs need a model with one input; this one has {session.Inputs.Count}");
        var input = session.Inputs[0];
        int[] want = preset.TensorShape(1);
        bool fits = input.ElementType == ElementType.Float32 && input.Dims is { Count: 4 } d
            && Enumerable.Range(1, 3).All(i => d[i].Size is null || d[i].Size == want[i]);
        if (!fits) throw new UsageException($"model input {input} does not take the preset's [N,3,{preset.CropHeight},{preset.CropWidth}] images");
    }

    /// <summary>Images per Run: the model's fixed batch size, or a chunk when the batch is symbolic.</summary>
    private int BatchSize => Session.Inputs[0].Dims![0].Size ?? ChunkSize;

    /// <summary>A short stable hash of the model file and preset, for cache keys.</summary>
    public string Fingerprint()
    {
        using var stream = File.OpenRead(ModelPath);
        byte[] hash = SHA256.HashData(stream);
        return Convert.ToHexString(hash)[..16].ToLowerInvariant() + "-" + Preset.Name;
    }

    public List<ImageResult> Run(IReadOnlyList<string> files, ProgressReporter progress)
    {
        var results = new List<ImageResult>(files.Count);
        int per = 3 * Preset.CropHeight * Preset.CropWidth;
        progress.Report(0);
        for (int start = 0; start < files.Count; start += ChunkSize)
        {
            var chunk = files.Skip(start).Take(ChunkSize).ToList();
            // One input tensor per model batch; images decode in parallel straight into their slices.
            var inputs = new List<Tensor>();
            var slices = new Memory<float>[chunk.Count];
            for (int b = 0; b < chunk.Count; b += BatchSize)
            {
                int count = Math.Min(BatchSize, chunk.Count - b);
                var t = Tensor.Create(ElementType.Float32, Preset.TensorShape(count));
                inputs.Add(t);
                for (int m = 0; m < count; m++) slices[b + m] = ((float[])t.Data).AsMemory(m * per, per);
            }
            string?[] errors = ImageBatch.LoadInto(chunk, slices, Preset, _decoder, _decoder.Limits, _threads);
            var outputs = new float[chunk.Count][];
            var layers = new float[chunk.Count][][];
            for (int b = 0; b < inputs.Count; b++)
            {
                int first = b * BatchSize, count = inputs[b].Dims[0];
                if (Enumerable.Range(first, count).All(i => errors[i] is not null)) continue;
                var all = Session.Run(new Dictionary<string, Tensor> { [Session.Inputs[0].Name] = inputs[b] });
                Tensor output = all[Session.Outputs[0].Name];
                int dim = output.Length / count;
                for (int m = 0; m < count; m++) outputs[first + m] = output.Floats.Slice(m * dim, dim).ToArray();
                if (Layers.Count == 0) continue;
                LayerDims = [.. Layers.Select(l => all[l].Dims[1..].ToArray())];
                for (int m = 0; m < count; m++)
                    layers[first + m] = [.. Layers.Select(l => { Tensor t = all[l]; int per = t.Length / count; return t.Floats.Slice(m * per, per).ToArray(); })];
            }
            for (int i = 0; i < chunk.Count; i++)
                results.Add(errors[i] is null
                    ? new ImageResult(chunk[i], outputs[i], null) { Layers = Layers.Count > 0 ? layers[i] : null }
                    : new ImageResult(chunk[i], null, errors[i]));
            progress.Report(results.Count);
        }
        return results;
    }

    public void Dispose() => Session.Dispose();
}
