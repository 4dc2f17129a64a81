// The examples of README.md and the package READMEs, through the public API only (this assembly sees no
// internals). Compiled with the solution; run it with a model and a photo to try them:
//   dotnet run --project tools/Cardinal.ApiSample -- model.onnx photo.jpg
using Cardinal;
using Cardinal.Formats.Images;
using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Formats.Vectors;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Gpu;
using Cardinal.Learning;
using Cardinal.Serving;
using Cardinal.Tensors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using SessionOptions = Cardinal.SessionOptions;
using Tensor = Cardinal.Tensors.Tensor;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Cardinal.ApiSample MODEL.onnx PHOTO");
    return 2;
}
string model = args[0], photo = args[1];

// README "Use it from your project": one line to a session, spans in and out, metadata.
using (var session = CardinalSession.Open(model, new SessionOptions { Threads = 2 }))
{
    float[] pixels = new float[3 * 224 * 224], logits = new float[session.OutputLength([1, 3, 224, 224])];
    session.Run(pixels, [1, 3, 224, 224], logits);
    Console.WriteLine($"{session.Metadata.ProducerName} {session.Metadata.ProducerVersion}");
    IReadOnlyList<int[]> shapes = session.OutputShapes([1, 3, 224, 224]);
    var y0 = new float[shapes[0].Aggregate(1, (a, b) => a * b)];
    session.Run([Tensor.FromArray(pixels, 1, 3, 224, 224)], [Tensor.Wrap(ElementType.Float32, shapes[0], y0)]);
}

// README "Running a model": a graph and a backend of your own; tensors, dictionaries, caller buffers.
using (var session = InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(new() { Threads = 2 }),
    new SessionOptions { Name = "sample", ExtraOutputs = [] }))
{
    Console.WriteLine(string.Join(", ", session.Inputs));
    var input = Tensor.FromArray(new float[3 * 224 * 224], 1, 3, 224, 224);
    Tensor logits = session.Run(input);
    var outputs = session.Run(new Dictionary<string, Tensor> { [session.Inputs[0].Name] = input });
    var output = Tensor.Create(ElementType.Float32, logits.Dims);
    session.Run(input, output);

    // README "In a service": warm-up, spans, System.Numerics.Tensors, async runs and the batcher.
    session.Warmup([1, 3, 224, 224]);
    float[] pixels = new float[3 * 224 * 224], scores = new float[output.Length];
    session.Run(pixels, [1, 3, 224, 224], scores);
    var tensorSpan = new System.Numerics.Tensors.ReadOnlyTensorSpan<float>(pixels, [1, 3, 224, 224], []);
    session.Run(tensorSpan, new System.Numerics.Tensors.TensorSpan<float>(scores, [.. output.Shape().Select(d => (nint)d)], []));
    System.Numerics.Tensors.Tensor<float> y = session.Run(System.Numerics.Tensors.Tensor.Create(pixels, [1, 3, 224, 224]));
    await session.RunAsync(input, output, CancellationToken.None);
    await using (var batcher = new InferenceBatcher(session, [3, 224, 224],
        new BatchingOptions { MaxBatch = session.Inputs[0].Dims![0].IsFixed ? 1 : 8, MaxWait = TimeSpan.FromMilliseconds(2), QueueCapacity = 64 }))
        await batcher.RunAsync(pixels, scores, CancellationToken.None);
    foreach (var (label, score) in Classification.Top(Classification.Softmax(scores), 5))
        Console.WriteLine($"{ImageNetLabels.All[label % ImageNetLabels.All.Count]} {score:F3} {outputs.Count} {y.FlattenedLength}");
}

// Cardinal.Formats and Cardinal.Formats.Images: decode, preprocess, batch; .npy files.
var decoder = new ImageSharpDecoder(new ImageLimits { MaxPixels = 50_000_000 });
var batch = ImageBatch.Load([photo], PreprocessPresets.ImageNet, decoder, decoder.Limits, parallelism: 2);
if (batch.Errors[0] is { } error) Console.Error.WriteLine(error);
RgbImage image = ImageFiles.Read(photo, decoder, decoder.Limits);
float[] chw = new float[3 * 224 * 224];
ImagePreprocessor.Apply(image, PreprocessPresets.ImageNet, chw);
string npy = Path.Combine(Path.GetTempPath(), $"cardinal-api-sample-{Environment.ProcessId}.npy");
NpyFile.Write(npy, batch.Tensor);
Console.WriteLine(NpyFile.Read(npy));
File.Delete(npy);

// The trainer (README "cardinal fit" as a library) and the classifier's export with its labels.
var rows = Enumerable.Range(0, 40).Select(i => new float[] { i % 2, (i * 7 % 5) / 5f, 1 }).ToList();
var data = LabelledData.FromFloats(rows, [.. Enumerable.Range(0, 40).Select(i => i % 2)], classes: 2);
TrainingResult trained = LinearProbeTrainer.Train(data, new TrainerOptions { Folds = 2, Seed = 1 });
var metrics = new ClassificationMetrics(data.Labels, trained.Classifier.Predict(data), 2);
Console.WriteLine($"λ {trained.Lambda}, accuracy {metrics.Accuracy}");
var (weights, bias) = trained.Classifier.Folded();
_ = new ClassifierHead([.. weights.Select(w => (float)w)], [.. bias.Select(b => (float)b)], 2, 3,
    new Dictionary<string, string> { [ClassifierMetadata.LabelsKey] = ClassifierMetadata.EncodeLabels(["a", "b"]) });

// The vector index: open, read rows by key, search.
string index = Path.Combine(Path.GetTempPath(), $"cardinal-api-sample-{Environment.ProcessId}.cvi");
VectorIndexFile.Write(index, "sample", 3, ["x", "y"], new ReadOnlyMemory<float>[] { new float[] { 1, 0, 0 }, new float[] { 0, 1, 0 } });
using (var vectors = VectorIndex.Open(index))
{
    Console.WriteLine($"{vectors.Count} × {vectors.Dimension}: {vectors.Keys[0]} {vectors.Row(0)[0]}");
    foreach (VectorMatch match in vectors.Search(new float[] { 0.6f, 0.8f, 0 }, k: 1)) Console.WriteLine($"nearest: {match.Key} {match.Score}");
}
File.Delete(index);

// Cardinal.Kernels.Gpu: devices and the backend (ILGPU's CPU accelerator runs anywhere).
CardinalGpu.Register();
foreach (GpuDeviceInfo device in GpuDevices.List()) Console.WriteLine($"{device.Kind} {device.Name} {device.Problem}");
using (var session = InferenceSession.Open(OnnxImporter.Load(model),
    new GpuBackend(Device.IlgpuCpu, new CpuBackend(new CpuBackendOptions { Threads = 1 }), ownsConstantFolder: true)))
    Console.WriteLine(session.Backend.Description);

// Cardinal.Hosting (README "In a service"): named sessions and health checks; built, not run.
var builder = WebApplication.CreateBuilder();
builder.Services.AddCardinalSession("resnet", o => { o.ModelPath = model; o.Threads = 4; });
builder.Services.AddCardinalSession("faces", o => o.OpenModel = _ => File.OpenRead(model));
var app = builder.Build();
app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });
app.MapPost("/classify", ([FromKeyedServices("resnet")] InferenceSession session) => session.Name);
return 0;
