using System.Security.Cryptography;
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

    public static ImagePipeline Create(CliArguments a)
    {
        string? model = a.Single("--model");
        string path = ModelFiles.Resolve(model);
        bool isDefault = model is null or "default";
        string presetName = a.Single("--preset") ?? (isDefault ? PreprocessPresets.MlNetResNet18Name : PreprocessPresets.ImageNetName);
        PreprocessOptions preset = presetName switch
        {
            PreprocessPresets.ImageNetName => PreprocessPresets.ImageNet,
            PreprocessPresets.MlNetResNet18Name => PreprocessPresets.MlNetResNet18(ModelFiles.DefaultPreprocessPath),
            _ => throw new UsageException($"unknown preset '{presetName}' (imagenet, mlnet-resnet18)"),
        };
        var limits = new ImageLimits { EnableGif = a.Has("--enable-gif"), EnableTiff = a.Has("--enable-tiff") };
        int threads = ModelFiles.Threads(a);
        var session = ModelFiles.Open(path, a);
        try
        {
            CheckInput(session, preset);
            return new ImagePipeline(path, preset, session, new ImageSharpDecoder(limits), threads);
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
            for (int b = 0; b < inputs.Count; b++)
            {
                int first = b * BatchSize, count = inputs[b].Dims[0];
                if (Enumerable.Range(first, count).All(i => errors[i] is not null)) continue;
                Tensor output = Session.Run(inputs[b]);
                int dim = output.Length / count;
                for (int m = 0; m < count; m++) outputs[first + m] = output.Floats.Slice(m * dim, dim).ToArray();
            }
            for (int i = 0; i < chunk.Count; i++)
                results.Add(errors[i] is null ? new ImageResult(chunk[i], outputs[i], null) : new ImageResult(chunk[i], null, errors[i]));
            progress.Report(results.Count);
        }
        return results;
    }

    public void Dispose() => Session.Dispose();
}
