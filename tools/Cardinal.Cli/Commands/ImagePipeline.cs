using System.Security.Cryptography;
using Cardinal.Embedding;
using Cardinal.Formats.Images;
using Cardinal.Tensors;

namespace Cardinal.Cli.Commands;

/// <summary>One image→output result: the model's first output flattened, or the reason the file failed.</summary>
internal readonly record struct ImageResult(string File, float[]? Output, string? Error);

/// <summary>
/// Model + preprocessing for the image jobs. The bundled default model gets the mlnet-resnet18 preset
/// (read from its companion ResNetPreprocess.onnx); any other model gets imagenet unless --preset says.
/// Files are decoded and preprocessed in parallel, a chunk at a time, and run in batches when the model's
/// batch dimension allows it (the default model's is fixed at 1).
/// </summary>
/// <summary>
/// What an image job needs to open its model: --model, --preset, --device, --threads, --enable-gif/--enable-tiff,
/// and --decode-ahead (decoded chunks that may wait for the model; 0 alternates decoding and inference).
/// </summary>
internal sealed record ImageModelOptions(string? Model, string? Preset, BackendChoice Backend, bool EnableGif, bool EnableTiff, int DecodeAhead = 1)
{
    public static ImageModelOptions Parse(CliArguments a) => new(a.Single("--model"), a.Single("--preset"), ModelFiles.Choice(a),
        a.Has("--enable-gif"), a.Has("--enable-tiff"), a.Int("--decode-ahead", 1, 0, 16));
}

/// <summary>
/// Model + preprocessing for the image jobs. The bundled default model gets the mlnet-resnet18 preset
/// (read from its companion ResNetPreprocess.onnx); any other model gets imagenet unless --preset says.
/// Images go through an <see cref="ImageEmbedder"/>: decoded and preprocessed in parallel, a chunk at a time,
/// one chunk ahead of the model, and run in batches when the model's batch dimension allows it (the default
/// model's is fixed at 1).
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

    public static readonly HashSet<string> ValueFlags = ["--model", "--preset", "--threads", "--device", "--decode-ahead"];
    public static readonly HashSet<string> Switches = ["--enable-gif", "--enable-tiff"];

    public static ImagePipeline Create(CliArguments a) => Create(ImageModelOptions.Parse(a));

    public static ImagePipeline Create(ImageModelOptions options)
    {
        string? model = options.Model;
        string path = ModelFiles.Resolve(model);
        bool isDefault = model is null or "default";
        string presetName = options.Preset ?? (isDefault ? PreprocessPresets.MlNetResNet18Name : PreprocessPresets.ImageNetName);
        PreprocessOptions preset = presetName switch
        {
            PreprocessPresets.ImageNetName => PreprocessPresets.ImageNet,
            PreprocessPresets.MlNetResNet18Name => PreprocessPresets.MlNetResNet18(ModelFiles.DefaultPreprocessPath),
            _ => throw new UsageException($"unknown preset '{presetName}' (imagenet, mlnet-resnet18)"),
        };
        var limits = new ImageLimits { EnableGif = options.EnableGif, EnableTiff = options.EnableTiff };
        int threads = options.Backend.Threads;
        var session = ModelFiles.Open(path, options.Backend);
        try
        {
            CheckInput(session, preset);
            return new ImagePipeline(path, preset, session, new ImageSharpDecoder(limits), threads, options.DecodeAhead);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

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

    /// <summary>The identity a pipeline made from <paramref name="options"/> would have, without opening the model.</summary>
    public static string Fingerprint(ImageModelOptions options)
    {
        string path = ModelFiles.Resolve(options.Model);
        bool isDefault = options.Model is null or "default";
        return Fingerprint(path, options.Preset ?? (isDefault ? PreprocessPresets.MlNetResNet18Name : PreprocessPresets.ImageNetName));
    }

    public List<ImageResult> Run(IReadOnlyList<string> files, ProgressReporter progress)
    {
        var results = new List<ImageResult>(files.Count);
        progress.Report(0);
        foreach (var chunk in Embedder.Embed(files))
        {
            for (int i = 0; i < chunk.Files.Count; i++)
                results.Add(chunk.Errors[i] is null ? new ImageResult(chunk.Files[i], chunk.Outputs[i], null) : new ImageResult(chunk.Files[i], null, chunk.Errors[i]));
            progress.Report(results.Count);
        }
        return results;
    }

    public void Dispose() => Session.Dispose();
}
