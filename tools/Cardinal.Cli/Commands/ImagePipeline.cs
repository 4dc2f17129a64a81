using System.Security.Cryptography;
using Cardinal.Embedding;
using Cardinal.Formats.Images;
using Cardinal.Formats.Onnx;
using Cardinal.Tensors;

namespace Cardinal.Cli.Commands;

/// <summary>
/// What an image job needs to open its model: --model (null: the bundled default), --preset (null: the model's, or
/// the one a fitted classifier states), --device/--threads/--exact, --enable-gif/--enable-tiff, and --decode-ahead
/// (decoded chunks that may wait for the model; 0 alternates decoding and inference).
/// </summary>
internal sealed record ImageModelOptions(string? Model, string? Preset, BackendChoice Backend, bool EnableGif, bool EnableTiff, int DecodeAhead = 1)
{
    /// <summary>The bundled model on the CPU with every core, its own preset.</summary>
    public ImageModelOptions() : this(null, null, new BackendChoice(), false, false) { }

    /// <summary>Values read out besides the model's output (any value name; see SessionOptions.ExtraOutputs).</summary>
    public IReadOnlyList<string> Layers { get; init; } = [];

    public static ImageModelOptions Parse(CliArguments a) => new(a.Single("--model"), a.Single("--preset"), ModelFiles.Choice(a),
        a.Has("--enable-gif"), a.Has("--enable-tiff"), a.Int("--decode-ahead", 1, 0, 16));
}

/// <summary>One image→output result: the model's first output flattened, or the reason the file failed.</summary>
internal readonly record struct ImageResult(string File, float[]? Output, string? Error)
{
    /// <summary>Per requested layer (<see cref="ImageModelOptions.Layers"/>, in that order): this image's slice of the value, flattened.</summary>
    public float[][]? Layers { get; init; }
}

/// <summary>
/// Model + preprocessing for the image jobs. The bundled default model gets the mlnet-resnet18 preset
/// (read from its companion ResNetPreprocess.onnx); a fitted classifier the preset its metadata states; any other
/// model imagenet, unless --preset says. Images go through an <see cref="ImageEmbedder"/>: decoded and preprocessed
/// in parallel, a chunk at a time, one chunk ahead of the model, and run in batches when the model's batch
/// dimension allows it (the default model's is fixed at 1).
/// </summary>
internal sealed class ImagePipeline : IDisposable
{
    private const int ChunkSize = 16;

    private ImagePipeline(string modelPath, PreprocessOptions preset, InferenceSession session, ImageSharpDecoder decoder, int threads, int decodeAhead)
    {
        ModelPath = modelPath;
        Preset = preset;
        Session = session;
        Embedder = new ImageEmbedder(session, preset, decoder, decoder.Limits, threads, ChunkSize, decodeAhead);
    }

    public string ModelPath { get; }
    public PreprocessOptions Preset { get; }
    public InferenceSession Session { get; }
    public ImageEmbedder Embedder { get; }

    /// <summary>The class names the model's metadata states (a model exported by `cardinal fit`), or null.</summary>
    public string[]? Labels { get; private init; }

    /// <summary>The values read out per image besides the output (embed --layer).</summary>
    public IReadOnlyList<string> Layers { get; private init; } = [];

    /// <summary>Per layer, the per-image dims of the last run (batch dimension dropped), for pooling.</summary>
    public int[][] LayerDims { get; private set; } = [];

    public static ImagePipeline Create(CliArguments a) => Create(ImageModelOptions.Parse(a));

    public static ImagePipeline Create(ImageModelOptions options)
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
            return new ImagePipeline(path, preset, session, new ImageSharpDecoder(limits), options.Backend.Threads, options.DecodeAhead)
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

    private static void CheckInput(InferenceSession session, PreprocessOptions preset)
    {
        if (session.Inputs.Count != 1) throw new UsageException($"image jobs need a model with one input; this one has {session.Inputs.Count}");
        var input = session.Inputs[0];
        int[] want = preset.TensorShape(1);
        bool fits = input.ElementType == ElementType.Float32 && input.Dims is { Count: 4 } d
            && Enumerable.Range(1, 3).All(i => d[i].Size is null || d[i].Size == want[i]);
        if (!fits) throw new UsageException($"model input {input} does not take the preset's [N,3,{preset.CropHeight},{preset.CropWidth}] images");
    }

    /// <summary>A short stable hash of the model file and preset, for cache keys and index/shard model identities.</summary>
    public string Fingerprint() => Fingerprint(ModelPath, Preset.Name);

    public static string Fingerprint(string modelPath, string presetName)
    {
        using var stream = File.OpenRead(modelPath);
        byte[] hash = SHA256.HashData(stream);
        return Convert.ToHexString(hash)[..16].ToLowerInvariant() + "-" + presetName;
    }

    /// <summary>
    /// The identity a pipeline made from <paramref name="options"/> will have, without running it: the preset is
    /// chosen as <see cref="Create(ImageModelOptions)"/> chooses it, a fitted classifier's stated one included (its
    /// metadata is read), so a cluster job and the shards its silos write name the same model.
    /// </summary>
    public static string Fingerprint(ImageModelOptions options)
    {
        string path = ModelFiles.Resolve(options.Model);
        bool isDefault = options.Model is null or "default";
        string? stated = options.Preset is null && !isDefault ? ClassifierMetadata.Preset(OnnxModel.Load(path).MetadataProps) : null;
        return Fingerprint(path, options.Preset ?? stated ?? (isDefault ? PreprocessPresets.MlNetResNet18Name : PreprocessPresets.ImageNetName));
    }

    public List<ImageResult> Run(IReadOnlyList<string> files, ProgressReporter progress)
    {
        var results = new List<ImageResult>(files.Count);
        progress.Report(0);
        foreach (var chunk in Embedder.Embed(files))
        {
            if (chunk.ExtraDims.Length > 0) LayerDims = chunk.ExtraDims;
            for (int i = 0; i < chunk.Files.Count; i++)
                results.Add(chunk.Errors[i] is null
                    ? new ImageResult(chunk.Files[i], chunk.Outputs[i], null) { Layers = chunk.Extra?[i] }
                    : new ImageResult(chunk.Files[i], null, chunk.Errors[i]));
            progress.Report(results.Count);
        }
        return results;
    }

    public void Dispose() => Session.Dispose();
}
