using Cardinal.Formats.Onnx;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Pooling;
using Cardinal.Kernels.Cpu.Threading;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// A max-pool window that lies wholly in the padding gives the padding value (<see cref="MaxPoolPadding"/>):
/// −∞ for floats, MinValue for integers — ONNX's and PyTorch's semantics, on every path of every backend.
/// </summary>
[TestFixture]
public class MaxPoolPaddingTests
{
    /// <summary>(name, kernel, strides, pads (begin h, begin w, end h, end w), ceil_mode, input H = W): windows in the padding.</summary>
    public static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("kernel1_pad1", 1, 1, 1, false, 2);
        yield return new TestCaseData("kernel2_pad2_ceil", 2, 2, 2, true, 3);
    }

    /// <summary>A one-node ONNX MaxPool over [1, 2, n, n] (square kernel, strides and pads).</summary>
    public static string MaxPoolModel(int kernel, int stride, int pad, bool ceil, int n)
    {
        var (window, _) = Window(kernel, stride, pad, ceil, n);
        byte[] model = OnnxWriter.Model(13,
            [OnnxWriter.Node("MaxPool", ["X"], ["Y"], "pool", OnnxWriter.IntsAttribute("kernel_shape", kernel, kernel),
                OnnxWriter.IntsAttribute("strides", stride, stride), OnnxWriter.IntsAttribute("pads", pad, pad, pad, pad),
                OnnxWriter.IntAttribute("ceil_mode", ceil ? 1 : 0))],
            [],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 2, n, n)],
            [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 2, window.OutH, window.OutW)]);
        string path = Path.Combine(Path.GetTempPath(), $"cardinal-maxpool-pad-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model);
        return path;
    }

    /// <summary>The geometry the importer derives, through the same WindowAttributes.</summary>
    internal static (Window3D Window, int[] OutDims) Window(int kernel, int stride, int pad, bool ceil, int n)
    {
        var attributes = new WindowAttributes([kernel, kernel], [stride, stride], null, [pad, pad, pad, pad], AutoPad.NotSet, ceil);
        var node = new Graph.Node("pool", new PoolOp(PoolKind.Max, attributes, false, 0), ["X"], ["Y"], 13);
        var w = Window3D.From(attributes.Resolve(node, [n, n], [kernel, kernel]));
        return (w, [1, 2, w.OutH, w.OutW]);
    }

    /// <summary>Brute force: the maximum of the taps inside the input, −∞ when there is none.</summary>
    internal static float[] Expected(float[] x, int planes, in Window3D w)
    {
        var y = new float[planes * w.OutH * w.OutW];
        for (int p = 0, o = 0; p < planes; p++)
            for (int oh = 0; oh < w.OutH; oh++)
                for (int ow = 0; ow < w.OutW; ow++, o++)
                {
                    float best = float.NegativeInfinity;
                    for (int kh = 0; kh < w.KH; kh++)
                        for (int kw = 0; kw < w.KW; kw++)
                        {
                            int ih = oh * w.SH - w.PadH + kh * w.DH, iw = ow * w.SW - w.PadW + kw * w.DW;
                            if (ih >= 0 && ih < w.InH && iw >= 0 && iw < w.InW) best = Math.Max(best, x[(p * w.InH + ih) * w.InW + iw]);
                        }
                    y[o] = best;
                }
        return y;
    }

    public static float[] Input(int n) => Enumerable.Range(0, 2 * n * n).Select(i => MathF.Sin(i + 1)).ToArray();

    [TestCaseSource(nameof(Cases))]
    public void OnnxMaxPool_WindowsInPadding_OnCpu_AreNegativeInfinity(string name, int kernel, int stride, int pad, bool ceil, int n)
    {
        string path = MaxPoolModel(kernel, stride, pad, ceil, n);
        try
        {
            var (w, outDims) = Window(kernel, stride, pad, ceil, n);
            float[] x = Input(n);
            using var session = InferenceSession.Open(OnnxImporter.Load(path), new CpuBackend(new CpuBackendOptions { Threads = 1 }));
            Tensor y = session.Run(Tensor.FromArray(x, 1, 2, n, n));
            Assert.That(y.Shape(), Is.EqualTo(outDims), name);
            float[] expected = Expected(x, 2, w);
            Assert.That(expected, Has.Some.EqualTo(float.NegativeInfinity), $"{name}: the case has a window wholly in the padding");
            Assert.That(y.Floats.ToArray(), Is.EqualTo(expected), name);
        }
        finally { File.Delete(path); }
    }

    [TestCaseSource(nameof(Cases))]
    public void RowPathAndWindowWalk_WindowsInPadding_AreNegativeInfinity(string name, int kernel, int stride, int pad, bool ceil, int n)
    {
        var (w, _) = Window(kernel, stride, pad, ceil, n);
        Assert.That(MaxRows.Applies(w), Is.True, name);
        float[] x = Input(n), expected = Expected(x, 2, w);
        foreach (CpuIsa isa in CpuIsas.Supported)
        {
            var platform = CpuPlatform.Create(isa);
            float[] rows = new float[expected.Length], walk = new float[expected.Length];
            PoolKernel.Max<float>(x, rows, default, 2, w, false, ParallelRunner.Sequential, platform, allowRowPath: true);
            PoolKernel.Max<float>(x, walk, default, 2, w, false, ParallelRunner.Sequential, platform, allowRowPath: false);
            Assert.That(rows, Is.EqualTo(expected), $"{name} row path on {platform}");
            Assert.That(walk, Is.EqualTo(expected), $"{name} window walk on {platform}");
        }
    }

    [Test]
    public void IntegerMaxPool_WindowsInPadding_AreMinValue()
    {
        var (w, _) = Window(1, 1, 1, false, 2);
        int outSize = w.OutH * w.OutW;
        int[] ints = new int[outSize]; sbyte[] sbytes = new sbyte[outSize]; byte[] bytes = new byte[outSize];
        PoolKernel.Max<int>(new[] { -5, -6, -7, -8 }, ints, default, 1, w, false, ParallelRunner.Sequential, CpuPlatform.Default);
        PoolKernel.Max<sbyte>(new sbyte[] { -5, -6, -7, -8 }, sbytes, default, 1, w, false, ParallelRunner.Sequential, CpuPlatform.Default);
        PoolKernel.Max<byte>(new byte[] { 5, 6, 7, 8 }, bytes, default, 1, w, false, ParallelRunner.Sequential, CpuPlatform.Default);
        // 4×4 output: the 2×2 input in the middle, a border of padding-only windows around it.
        int[] inside = [5, 6, 9, 10];
        for (int i = 0; i < outSize; i++)
        {
            int k = Array.IndexOf(inside, i);
            Assert.That(ints[i], Is.EqualTo(k >= 0 ? -5 - k : int.MinValue), $"int element {i}");
            Assert.That(sbytes[i], Is.EqualTo(k >= 0 ? (sbyte)(-5 - k) : sbyte.MinValue), $"sbyte element {i}");
            Assert.That(bytes[i], Is.EqualTo(k >= 0 ? (byte)(5 + k) : byte.MinValue), $"byte element {i}");
        }
    }

    [Test]
    public void PaddingValue_IsNegativeInfinityForFloats_MinValueForIntegers()
    {
        Assert.That(MaxPoolPadding.Value<float>(), Is.EqualTo(float.NegativeInfinity));
        Assert.That(MaxPoolPadding.Value<double>(), Is.EqualTo(double.NegativeInfinity));
        Assert.That(MaxPoolPadding.Value<Half>(), Is.EqualTo(Half.NegativeInfinity));
        Assert.That(MaxPoolPadding.Value<int>(), Is.EqualTo(int.MinValue));
        Assert.That(MaxPoolPadding.Value<long>(), Is.EqualTo(long.MinValue));
        Assert.That(MaxPoolPadding.Value<sbyte>(), Is.EqualTo(sbyte.MinValue));
        Assert.That(MaxPoolPadding.Value<byte>(), Is.EqualTo((byte)0));
    }
}
