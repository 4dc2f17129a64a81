using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Reference;

namespace Cardinal.Tests.TestUtilities;

/// <summary>
/// What every blocked convolution's answer must be, checked one way for the direct kernel's and the folded stem's
/// twin tests: the blocked y [N][Mp/b][OutSize][b] (with <c>guard</c> NaN floats after it) has its padded channels
/// exactly 0, nothing written past its end, and, reordered back to NCHW, every element within atol + 1e-4·|e| of the
/// reference.
/// </summary>
internal static class BlockedOutputAssert
{
    public static void Matches(float[] yb, float[] expected, in ConvShape shape, int b, double atol, string where)
    {
        int n = shape.Batch, m = shape.OutChannels, outSize = shape.Window.OutSize, mp = (m + b - 1) / b * b;
        long length = (long)n * mp * outSize;
        for (long i = 0; i < length; i++)
            if ((i % b) + (i / ((long)outSize * b) % (mp / b)) * b >= m)
                Assert.That(yb[i], Is.EqualTo(0f), $"{where}: padded lane at blocked index {i} is {yb[i]}");
        Assert.That(yb.AsSpan((int)length).ToArray(), Is.All.NaN, $"{where}: wrote past y");
        var y = new float[shape.OutputLength];
        ReorderReference.FromBlocked(yb, y, n, m, mp, outSize, b);
        for (int i = 0; i < y.Length; i++)
        {
            double e = expected[i], tol = atol + 1e-4 * Math.Abs(e);
            if (!(Math.Abs(y[i] - e) <= tol))
                Assert.Fail($"{where}: y[{i}] (n {i / (m * outSize)}, m {i / outSize % m}, pixel {i % outSize}) = {y[i]}, expected {e} ± {tol}");
        }
    }
}
