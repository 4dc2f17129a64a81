using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Pooling;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Graph.Ops;

namespace Cardinal.Tests.Kernels;

/// <summary>The row-wise float max pool against the general window walk, its twin: same bits on random shapes.</summary>
[TestFixture]
public class PoolKernelTests
{
    // name, planes, input H/W, kernel H/W, stride H/W, pad begin H/W, pad end H/W (ceil mode shows as a larger pad end)
    [TestCase("resnet_stem", 3, 112, 112, 3, 3, 2, 2, 1, 1, 1, 1)]
    [TestCase("odd_sizes_ceil", 2, 13, 9, 3, 3, 2, 2, 0, 0, 1, 1)]
    [TestCase("2x2_stride2", 5, 8, 7, 2, 2, 2, 2, 0, 0, 0, 1)]
    [TestCase("asymmetric_kernel", 1, 11, 17, 2, 5, 1, 3, 1, 2, 0, 2)]
    [TestCase("window_in_padding", 2, 3, 3, 2, 2, 3, 3, 0, 0, 4, 4)]
    [TestCase("width_one", 4, 6, 1, 3, 1, 1, 1, 1, 0, 1, 0)]
    public void RowPath_MatchesWindowWalk(string name, int planes, int inH, int inW, int kh, int kw, int sh, int sw, int ph, int pw, int peh, int pew)
    {
        int outH = (inH + ph + peh - kh) / sh + 1, outW = (inW + pw + pew - kw) / sw + 1;
        var w = new Window3D(1, inH, inW, 1, outH, outW, 1, kh, kw, 1, sh, sw, 1, 1, 1, 0, ph, pw, 0, peh, pew);
        Assert.That(MaxRows.Applies(w), Is.True, name);
        var random = new Random(name.GetHashCode());
        float[] x = Enumerable.Range(0, planes * inH * inW).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        x[x.Length / 2] = float.NaN; // NaN must propagate along both paths
        using var parallel = new ParallelRunner(2);
        foreach (CpuIsa isa in CpuIsas.Supported)
        {
            var platform = CpuPlatform.Create(isa);
            float[] fast = new float[planes * outH * outW], walk = new float[fast.Length];
            PoolKernel.Max<float>(x, fast, default, planes, w, false, parallel, platform, allowRowPath: true);
            PoolKernel.Max<float>(x, walk, default, planes, w, false, parallel, platform, allowRowPath: false);
            Assert.That(fast, Is.EqualTo(walk), $"{name} on {platform}");
            Assert.That(fast.Any(float.IsNaN), Is.True, $"{name} on {platform}: the NaN reached an output");
        }
    }
}
