using BenchmarkDotNet.Attributes;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Bench;

/// <summary>
/// End-to-end latency of the bundled ResNet-18 at batch 1: Cardinal and ONNX Runtime side by side, with
/// the same thread count, in the same run, so the ratio is what counts.
/// </summary>
[MemoryDiagnoser]
public class ModelBenchmarks
{
    private InferenceSession? _cardinal;
    private Microsoft.ML.OnnxRuntime.InferenceSession? _ort;
    private Tensor? _input;
    private NamedOnnxValue[] _ortInputs = [];

    [Params(1, 2)]
    public int Threads { get; set; }

    public static string ModelPath => Path.Combine(AppContext.BaseDirectory, "models", "resnet18-mlnet.onnx");

    [GlobalSetup]
    public void Setup()
    {
        _cardinal = InferenceSession.Open(OnnxImporter.Load(ModelPath), new CpuBackend(new CpuBackendOptions { Threads = Threads }));
        var info = _cardinal.Inputs[0];
        int[] dims = info.Dims!.Select(d => d.Size ?? 1).ToArray();
        var random = new Random(7);
        float[] data = new float[dims.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)random.NextDouble();
        _input = Tensor.FromArray(data, dims);
        var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = Threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _ort = new Microsoft.ML.OnnxRuntime.InferenceSession(ModelPath, options);
        _ortInputs = [NamedOnnxValue.CreateFromTensor(info.Name, new DenseTensor<float>(data, dims))];
    }

    [Benchmark(Baseline = true)]
    public object OnnxRuntime()
    {
        using var results = _ort!.Run(_ortInputs);
        return results.Count;
    }

    [Benchmark]
    public object Cardinal() => _cardinal!.Run(_input!);

    [GlobalCleanup]
    public void Cleanup()
    {
        _cardinal?.Dispose();
        _ort?.Dispose();
    }
}
