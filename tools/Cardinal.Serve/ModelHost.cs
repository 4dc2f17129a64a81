using System.Buffers;
using Cardinal.Formats.Images;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Serving;
using Cardinal.Tensors;

namespace Cardinal.Serve;

/// <summary>
/// The loaded model and everything around it: preprocessing preset, labels, and the path each request
/// takes (decode → preprocess → one shared session, batched when the model's batch dimension allows).
/// </summary>
public sealed class ModelHost : IAsyncDisposable
{
    private readonly InferenceSession _session;
    private readonly InferenceBatcher? _batcher;
    private readonly ImageSharpDecoder _decoder;
    private readonly int[] _singleShape;

    public ModelHost(ServeOptions options)
    {
        bool isDefault = options.Model is "default";
        ModelPath = isDefault ? Path.Combine(AppContext.BaseDirectory, "models", "resnet18-mlnet.onnx") : Path.GetFullPath(options.Model);
        if (!File.Exists(ModelPath))
            throw new FileNotFoundException(isDefault ? $"The bundled default model is missing at {ModelPath}; rebuild the service." : $"Model file not found: {ModelPath}");
        // A classifier made by `cardinal fit` states its labels and preset in metadata_props; --preset still wins.
        var graph = OnnxImporter.Load(ModelPath, out OnnxModel onnx);
        string presetName = options.Preset ?? ClassifierMetadata.Preset(onnx.MetadataProps)
            ?? (isDefault ? PreprocessPresets.MlNetResNet18Name : PreprocessPresets.ImageNetName);
        Preset = presetName switch
        {
            PreprocessPresets.ImageNetName => PreprocessPresets.ImageNet,
            PreprocessPresets.MlNetResNet18Name => PreprocessPresets.MlNetResNet18(Path.Combine(AppContext.BaseDirectory, "models", "resnet18-mlnet-preprocess.onnx")),
            _ => throw new ArgumentException($"Unknown preset '{presetName}' (imagenet, mlnet-resnet18)."),
        };
        // Tighter than the CLI's limits: many uploads decode at once here. 25 MP is a 5000×5000 photo.
        _decoder = new ImageSharpDecoder(new ImageLimits
        {
            EnableGif = options.EnableGif, EnableTiff = options.EnableTiff,
            MaxPixels = 25_000_000, MaxFileBytes = options.MaxUploadBytes, MaxDecoderMegabytes = 256,
        });

        // torchvision exports are folder/model.onnx: the folder names the model better than "model" does.
        Name = Path.GetFileNameWithoutExtension(ModelPath) is "model" && Path.GetFileName(Path.GetDirectoryName(ModelPath)) is { Length: > 0 } folder
            ? folder : Path.GetFileNameWithoutExtension(ModelPath);
        // --threads is the CPU backend's: the one place this service sets a thread count.
        _session = InferenceSession.Open(graph, new CpuBackend(new CpuBackendOptions { Threads = options.Threads }),
            new SessionOptions { Name = Name }, ownsGraph: true);
        var input = _session.Inputs[0];
        int[] sample = Preset.TensorShape(1)[1..];
        if (_session.Inputs.Count != 1 || input.Dims is not { Count: 4 } dims || Enumerable.Range(1, 3).Any(i => dims[i].Size is int s && s != sample[i - 1]))
            throw new ArgumentException($"{ModelPath}: the service needs a model taking [N,3,{Preset.CropHeight},{Preset.CropWidth}] images; its input is {input}.");
        _singleShape = [1, .. sample];
        SampleLength = TensorShape.ElementCount(sample);
        OutputLength = _session.OutputLength(_singleShape);
        string[]? stated = ClassifierMetadata.Labels(onnx);
        if (stated is not null && stated.Length != OutputLength)
            throw new ArgumentException($"{ModelPath}: its metadata states {stated.Length} labels but the model outputs {OutputLength} values.");
        Labels = stated ?? (OutputLength == ImageNetLabels.All.Count ? ImageNetLabels.All : null);
        EndsInSoftmax = _session.Graph.Nodes.LastOrDefault()?.OpType == "Softmax";

        // Batching needs a symbolic batch dimension; the bundled model's is fixed at 1.
        if (options.MaxBatch > 1 && dims[0].Size is null)
        {
            _batcher = new InferenceBatcher(_session, sample, new BatchingOptions
            {
                MaxBatch = options.MaxBatch, MaxWait = TimeSpan.FromMilliseconds(options.MaxWaitMs), QueueCapacity = options.Queue,
            });
            _batcher.Warmup();
        }
        else _session.Warmup(_singleShape);
    }

    public string Name { get; }
    public string ModelPath { get; }
    public PreprocessOptions Preset { get; }
    public int SampleLength { get; }
    public int OutputLength { get; }
    public bool Batching => _batcher is not null;
    /// <summary>What runs the model: backend, threads, ISA tier (e.g. to check a NativeAOT build picked the same tier as the JIT one).</summary>
    public string Backend => _session.Backend.Description;

    /// <summary>The model's own labels (metadata_props, from `cardinal fit`), else ImageNet names when it has 1,000 outputs; null for a feature extractor (no classify).</summary>
    public IReadOnlyList<string>? Labels { get; }
    public bool EndsInSoftmax { get; }

    /// <summary>Decodes run a few at a time: each holds a full-size image, and the cores are shared with inference.</summary>
    private readonly SemaphoreSlim _decoding = new(Math.Max(1, Environment.ProcessorCount));

    /// <summary>
    /// Unbatched runs go one at a time, first come first served: each run already uses every core, and two
    /// at once would only share them (and the caches), making both late. Measured on ResNet-50 at 70 % load.
    /// </summary>
    private readonly SemaphoreSlim _running = new(1);

    /// <summary>
    /// Decodes, preprocesses and runs one uploaded image; <see cref="ImageDecodeException"/> when it is not
    /// a usable image. A client that goes away (cancellation) leaves the queue at once, stops its run at the
    /// next layer, or is dropped from its batch. The preprocessed sample lives in a pooled buffer: at 600 KB
    /// it would otherwise be a large-object allocation per request.
    /// </summary>
    public async Task<float[]> InferAsync(ReadOnlyMemory<byte> upload, CancellationToken cancellation)
    {
        float[] pooled = ArrayPool<float>.Shared.Rent(SampleLength);
        try
        {
            Memory<float> sample = pooled.AsMemory(0, SampleLength);
            await _decoding.WaitAsync(cancellation);
            try { ImagePreprocessor.Apply(_decoder.Decode(upload.Span, "upload"), Preset, sample.Span); }
            finally { _decoding.Release(); }

            var output = new float[OutputLength];
            if (_batcher is not null)
            {
                await _batcher.RunAsync(sample, output, cancellation);
                return output;
            }
            await _running.WaitAsync(cancellation);
            try { await Task.Run(() => _session.Run(sample.Span, _singleShape, output, cancellation), cancellation); }
            finally { _running.Release(); }
            return output;
        }
        finally { ArrayPool<float>.Shared.Return(pooled); }
    }

    public async ValueTask DisposeAsync()
    {
        if (_batcher is not null) await _batcher.DisposeAsync();
        _session.Dispose();
    }
}
