using Cardinal.Formats.Onnx;

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
}
