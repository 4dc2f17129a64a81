using Cardinal.Formats.Onnx;
using Cardinal.Tensors;

namespace Cardinal.Tests.TestUtilities;

/// <summary>Small models the tests start from.</summary>
public static class TestModels
{
    /// <summary>Y = Relu(X + B) over [1,4]: a valid model to start from.</summary>
    public static byte[] AddRelu(float[]? bias = null) => OnnxWriter.Model(13,
        [OnnxWriter.Node("Add", ["X", "B"], ["S"], "add"), OnnxWriter.Node("Relu", ["S"], ["Y"], "relu")],
        [OnnxWriter.Tensor("B", OnnxWriter.Float, [4], bias ?? [1, -2, 3, -4])],
        [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 4)],
        [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 4)]);

    /// <summary>
    /// A small residual network over [N,3,16,16] → [N,8]: Conv-Relu, Conv + skip, Relu, global average pool,
    /// Flatten. Fast enough for thousands of runs in a test, and it goes through the fused conv kernels.
    /// </summary>
    public static byte[] SmallResidualNet()
    {
        var random = new Random(5);
        float[] Weights(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5))];
        return OnnxWriter.Model(13,
            [
                OnnxWriter.Node("Conv", ["X", "W1", "B1"], ["c1"], "conv1", OnnxWriter.IntsAttribute("pads", 1, 1, 1, 1)),
                OnnxWriter.Node("Relu", ["c1"], ["r1"], "relu1"),
                OnnxWriter.Node("Conv", ["r1", "W2", "B2"], ["c2"], "conv2", OnnxWriter.IntsAttribute("pads", 1, 1, 1, 1)),
                OnnxWriter.Node("Add", ["c2", "r1"], ["s"], "add"),
                OnnxWriter.Node("Relu", ["s"], ["r2"], "relu2"),
                OnnxWriter.Node("GlobalAveragePool", ["r2"], ["g"], "pool"),
                OnnxWriter.Node("Flatten", ["g"], ["Y"], "flatten"),
            ],
            [
                OnnxWriter.Tensor("W1", OnnxWriter.Float, [8, 3, 3, 3], Weights(8 * 27)),
                OnnxWriter.Tensor("B1", OnnxWriter.Float, [8], Weights(8)),
                OnnxWriter.Tensor("W2", OnnxWriter.Float, [8, 8, 3, 3], Weights(8 * 72)),
                OnnxWriter.Tensor("B2", OnnxWriter.Float, [8], Weights(8)),
            ],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, -1, 3, 16, 16)],
            [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, -1, 8)]);
    }

    /// <summary>Writes model bytes to a temporary .onnx file the caller deletes.</summary>
    public static string WriteTemp(byte[] model, string name)
    {
        string path = Path.Combine(Path.GetTempPath(), $"cardinal-{name}-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model);
        return path;
    }

    /// <summary>Seeded uniform values in [-1, 1).</summary>
    public static float[] RandomData(int count, int seed) => RandomData(new Random(seed), count);

    /// <summary><see cref="RandomData(Random, long)"/> as a 1-D tensor (a kernel's weights, which plans take flat).</summary>
    public static Tensor RandomWeights(Random random, long count) => Tensor.FromArray(RandomData(random, count), checked((int)count));

    /// <summary>The next <paramref name="count"/> uniform values in [-1, 1) from <paramref name="random"/>.</summary>
    public static float[] RandomData(Random random, long count)
    {
        var a = new float[count];
        for (long i = 0; i < count; i++) a[i] = (float)(random.NextDouble() * 2 - 1);
        return a;
    }
}
