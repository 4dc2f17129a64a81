using Cardinal.Planning;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Bench;

/// <summary>What the runners feed a model and where its answer goes, the same in each.</summary>
internal static class ModelInput
{
    /// <summary>The first input's dimensions: <paramref name="batch"/> for a symbolic batch, 1 for any other free dimension.</summary>
    public static int[] Dims(InferenceSession session, int batch) =>
        session.Inputs[0].Dims!.Select((d, i) => i == 0 ? d.Size ?? batch : d.Size ?? 1).ToArray();

    /// <summary>An input of these dimensions holding sin(i): deterministic, of ordinary scale, no two runners apart.</summary>
    public static Tensor Sine(int[] dims) =>
        Tensor.FromArray(Enumerable.Range(0, dims.Aggregate(1, (x, y) => x * y)).Select(i => MathF.Sin(i)).ToArray(), dims);

    /// <summary>Uniform noise in [−1, 1) from seed 11: the input `compare`, `idle` and the profiled sessions give both engines.</summary>
    public static float[] SeededNoise(int[] dims)
    {
        var random = new Random(11);
        float[] data = new float[dims.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        return data;
    }

    /// <summary>
    /// ONNX Runtime's options as every runner compares against it: <paramref name="threads"/> intra-op threads, one inter-op
    /// thread, every graph optimisation. Callers that profile set the profile prefix and switch profiling on before opening.
    /// </summary>
    public static Microsoft.ML.OnnxRuntime.SessionOptions OrtOptions(int threads) =>
        new() { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL };

    /// <summary>ONNX Runtime on <see cref="OrtOptions"/>.</summary>
    public static Microsoft.ML.OnnxRuntime.InferenceSession OpenOrt(string model, int threads) => new(model, OrtOptions(threads));

    /// <summary>
    /// Runs <paramref name="run"/> to its steady state: at least 10 runs and 1.5 s. ONNX Runtime is native code, while
    /// Cardinal's managed code is tiered by the JIT (a method is recompiled optimised after 30 calls and a quiet 100 ms):
    /// two warm-up runs left a ResNet-18 at 2 threads 1.3× slower than its steady state (NOTES "Steady state").
    /// </summary>
    public static void WarmUp(Action run)
    {
        var warm = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 10 || warm.ElapsedMilliseconds < 1500; i++) run();
    }

    /// <summary>A tensor for the plan's first output.</summary>
    public static Tensor OutputOf(ExecutionPlan plan) =>
        Tensor.CreateUninitialized(plan.Values[plan.Outputs[0]].ElementType, plan.Values[plan.Outputs[0]].Dims);
}
