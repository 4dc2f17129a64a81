using System.Numerics;

namespace Cardinal.Graph.Ops;

/// <summary>
/// What max pooling's padding holds, for every backend: −∞ for floating-point types and MinValue for integers
/// (0 for unsigned ones), so padding never wins a comparison, and a window that lies wholly in the padding
/// (a pad at least as wide as the kernel, or a ceil_mode window past the input) gives that value.
/// </summary>
/// <remarks>
/// PyTorch documents "implicit negative infinity padding"; ONNX's reference implementation pads with NaN and takes
/// nanmax, ONNX Runtime starts each window from numeric_limits::lowest(). An empty window is −∞, not the lowest
/// finite float, so that it reads as "no value" and an input of −∞ is not confused with padding.
/// </remarks>
internal static class MaxPoolPadding
{
    /// <summary>The float padding value (the GPU kernels and the float row path start every window here).</summary>
    public const float Float = float.NegativeInfinity;

    /// <summary>−∞ for float, double and Half; MinValue for integer types (saturating −∞).</summary>
    public static T Value<T>() where T : INumber<T> => T.CreateSaturating(double.NegativeInfinity);
}
