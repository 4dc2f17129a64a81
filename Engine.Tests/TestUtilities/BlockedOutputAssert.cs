using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Reference;
using Cardinal.Planning;

namespace Cardinal.Tests.TestUtilities;

/// <summary>
/// How the twin tests of the blocked convolutions (direct kernel, folded stem, Winograd) run a plan and check what it
/// wrote: y [N][Mp/b][OutSize][b] with <see cref="Guard"/> NaN floats after it, a workspace full of garbage; then the
/// padded channels exactly 0, nothing written past y, and, reordered back to NCHW, the values.
/// </summary>
internal static class BlockedOutputAssert
{
    /// <summary>NaN floats after y: a write past its end shows.</summary>
    public const int Guard = 16;

    /// <summary>
    /// Runs <paramref name="plan"/> into a NaN-filled y of <paramref name="length"/> floats plus the guard, with a workspace
    /// of 0xFF bytes. A plan that may write y over its residual (<see cref="ConvPlan.OutputMayBeResidual"/>, as the executor
    /// lets it where the residual dies) runs a second time so, and must give the same bits.
    /// </summary>
    public static unsafe float[] Run(ConvPlan plan, float[] x, float[] bias, float[] residual, long length)
    {
        var yb = new float[length + Guard];
        Array.Fill(yb, float.NaN);
        var workspace = new WorkspaceBuffer(plan.WorkspaceBytes);
        if (plan.WorkspaceBytes > 0) new Span<byte>(workspace.Workspace.Pointer, (int)plan.WorkspaceBytes).Fill(0xFF);
        plan.Run(x, default, bias, residual, yb, workspace.Workspace);
        if (plan.OutputMayBeResidual && plan.Shape.Epilogue.Residual)
        {
            var inPlace = new float[length + Guard];
            Array.Fill(inPlace, float.NaN);
            residual.AsSpan(0, (int)length).CopyTo(inPlace);
            plan.Run(x, default, bias, inPlace.AsSpan(0, (int)length), inPlace, workspace.Workspace);
            for (long i = 0; i < inPlace.Length; i++)
                if (BitConverter.SingleToInt32Bits(inPlace[i]) != BitConverter.SingleToInt32Bits(yb[i]))
                    Assert.Fail($"{plan.Description} {plan.Shape}: y written over its residual differs at {i}: {inPlace[i]} against {yb[i]}");
        }
        GC.KeepAlive(workspace);
        return yb;
    }

    /// <summary>
    /// What a blocked plan of <paramref name="shape"/> runs on, from the NCHW x and residual the reference takes: both reordered to
    /// blocks of <paramref name="block"/> channels (the residual empty without one), and the blocked output's length.
    /// </summary>
    public static (float[] Xb, float[] Rb, long Length) BlockedOperands(in ConvShape shape, float[] x, float[] residual, int block)
    {
        int n = shape.Batch, cp = Graph.Ops.BlockedLayout.PaddedChannels(shape.Channels, block), mp = Graph.Ops.BlockedLayout.PaddedChannels(shape.OutChannels, block);
        var xb = new float[(long)n * cp * shape.Window.InSize];
        ReorderReference.ToBlocked(x, xb, n, shape.Channels, shape.Window.InSize, block);
        long length = (long)n * mp * shape.Window.OutSize;
        var rb = new float[shape.Epilogue.Residual ? length : 0];
        if (shape.Epilogue.Residual) ReorderReference.ToBlocked(residual, rb, n, shape.OutChannels, shape.Window.OutSize, block);
        return (xb, rb, length);
    }

    /// <summary>
    /// Runs two plans of one shape (<paramref name="a"/>'s) on the same random input, bias and residual, blocks of
    /// <paramref name="block"/> channels, and asserts the same bits: for choices that must not change an answer (what a
    /// plan prefetches, where its scratch lies).
    /// </summary>
    public static void SameAnswers(ConvPlan a, ConvPlan b, Random random, int block, string where)
    {
        (float[] ya, float[] yb) = RunBoth(a, b, random, block);
        Assert.That(ya, Is.EqualTo(yb), where);
    }

    /// <summary>
    /// <see cref="SameAnswers"/> held to the bits (<see cref="SameBits(float[], float[], string)"/>): for plan choices that must
    /// do the same floating-point operations in another order of tasks.
    /// </summary>
    public static void SameBits(ConvPlan a, ConvPlan b, Random random, int block, string where)
    {
        (float[] ya, float[] yb) = RunBoth(a, b, random, block);
        SameBits(ya, yb, where);
    }

    /// <summary>Both plans (of <paramref name="a"/>'s shape) over one random blocked input, bias and residual: their outputs.</summary>
    private static (float[] A, float[] B) RunBoth(ConvPlan a, ConvPlan b, Random random, int block)
    {
        ConvShape shape = a.Shape;
        int cp = Graph.Ops.BlockedLayout.PaddedChannels(shape.Channels, block), mp = Graph.Ops.BlockedLayout.PaddedChannels(shape.OutChannels, block);
        float[] x = TestModels.RandomData(random, (long)shape.Batch * cp * shape.Window.InSize), bias = TestModels.RandomData(random, shape.OutChannels);
        long length = (long)shape.Batch * mp * shape.Window.OutSize;
        float[] residual = shape.Epilogue.Residual ? TestModels.RandomData(random, length) : [];
        return (Run(a, x, bias, residual, length), Run(b, x, bias, residual, length));
    }

    /// <summary>
    /// <paramref name="actual"/> holds <paramref name="expected"/>'s bits, element by element (signed zeros and NaN payloads
    /// too, which <see cref="SameAnswers"/>'s equality lets pass): for paths that must do the same floating-point operations.
    /// </summary>
    public static void SameBits(float[] expected, float[] actual, string where)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), where);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                Assert.Fail($"{where}: y[{i}] = {actual[i]:R}, expected {expected[i]:R}");
    }

    /// <summary>The padded channels of the blocked y are exactly 0 and the guard after it untouched; returns y reordered to NCHW.</summary>
    public static float[] Layout(float[] yb, in ConvShape shape, int b, string where)
    {
        int n = shape.Batch, m = shape.OutChannels, outSize = shape.Window.OutSize, mp = (m + b - 1) / b * b;
        long length = (long)n * mp * outSize;
        for (long i = 0; i < length; i++)
            if ((i % b) + (i / ((long)outSize * b) % (mp / b)) * b >= m)
                Assert.That(yb[i], Is.EqualTo(0f), $"{where}: padded lane at blocked index {i} is {yb[i]}");
        Assert.That(yb.AsSpan((int)length).ToArray(), Is.All.NaN, $"{where}: wrote past y");
        var y = new float[shape.OutputLength];
        ReorderReference.FromBlocked(yb, y, n, m, mp, outSize, b);
        return y;
    }

    /// <summary><see cref="Layout"/>, then every element within atol + 1e-4·|e| of the reference.</summary>
    public static void Matches(float[] yb, float[] expected, in ConvShape shape, int b, double atol, string where)
    {
        float[] y = Layout(yb, shape, b, where);
        int m = shape.OutChannels, outSize = shape.Window.OutSize;
        for (int i = 0; i < y.Length; i++)
        {
            double e = expected[i], tol = atol + 1e-4 * Math.Abs(e);
            if (!(Math.Abs(y[i] - e) <= tol))
                Assert.Fail($"{where}: y[{i}] (n {i / (m * outSize)}, m {i / outSize % m}, pixel {i % outSize}) = {y[i]}, expected {e} ± {tol}");
        }
    }
}
