using BenchmarkDotNet.Attributes;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Bench;

/// <summary>
/// End-to-end latency, Cardinal and ONNX Runtime side by side with the same thread count in the same run
/// (ORT is the baseline, so BenchmarkDotNet prints the ratio): the bundled ResNet-18 and the torchvision
/// zoo from the reference cache (tools/reference/generate.sh), at batch 1 and 8.
/// </summary>
[MemoryDiagnoser]
public class ModelBenchmarks
{
    private InferenceSession? _cardinal;
    private Microsoft.ML.OnnxRuntime.InferenceSession? _ort;
    private Tensor? _input, _output;
    private NamedOnnxValue[] _ortInputs = [];

    [Params("resnet18-mlnet", "resnet18", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "resnext101_32x8d", "wide_resnet50_2")]
    public string Model { get; set; } = "";

    [Params(1, 8)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    public static string ModelPath(string model) => model == "resnet18-mlnet"
        ? Path.Combine(AppContext.BaseDirectory, "models", "resnet18-mlnet.onnx")
        : Path.Combine(Environment.GetEnvironmentVariable("CARDINAL_REFERENCE_CACHE")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "cardinal", "reference"),
            "torchvision", "current", model, "model.onnx");

    [GlobalSetup]
    public void Setup()
    {
        string path = ModelPath(Model);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: run tools/reference/generate.sh first.");
        _cardinal = InferenceSession.Open(OnnxImporter.Load(path), new CpuBackend(new CpuBackendOptions { Threads = Threads }));
        var info = _cardinal.Inputs[0];
        // The bundled model's batch is fixed at 1; its batch-8 case runs batch 1.
        int[] dims = info.Dims!.Select((d, i) => d.Size ?? (i == 0 ? Batch : 1)).ToArray();
        var random = new Random(7);
        float[] data = new float[dims.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)random.NextDouble();
        _input = Tensor.FromArray(data, dims);
        var plan = _cardinal.PlanForShapes([dims]);
        _output = Tensor.Create(Tensors.ElementType.Float32, plan.Values[plan.Outputs[0]].Dims);
        _ort = ModelInput.OpenOrt(path, Threads);
        _ortInputs = [NamedOnnxValue.CreateFromTensor(info.Name, new DenseTensor<float>(data, dims))];
    }

    [Benchmark(Baseline = true)]
    public object OnnxRuntime()
    {
        using var results = _ort!.Run(_ortInputs);
        return results.Count;
    }

    /// <summary>Into a preallocated output: the allocation-free path a service uses.</summary>
    [Benchmark]
    public void Cardinal() => _cardinal!.Run(_input!, _output!);

    [GlobalCleanup]
    public void Cleanup()
    {
        _cardinal?.Dispose();
        _ort?.Dispose();
    }
}
