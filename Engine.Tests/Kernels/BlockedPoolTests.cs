using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Pooling;
using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Tests.Kernels;

/// <summary>The blocked pools against the NCHW pools on the same data reordered: bit for bit, padded lanes zero.</summary>
[TestFixture]
public class BlockedPoolTests
{
    [Test]
    public void BlockedMaxAndAverage_RandomShapes_BitIdenticalToNchw([Values(3, 4, 8, 16)] int block)
    {
        var random = new Random(block);
        using var parallel = new ParallelRunner(2);
        for (int trial = 0; trial < 40; trial++)
        {
            int n = random.Next(1, 3), c = random.Next(1, 40), h = random.Next(1, 12), w = random.Next(1, 12);
            int kh = random.Next(1, 4), kw = random.Next(1, 4), sh = random.Next(1, 3), sw = random.Next(1, 3);
            int ph = random.Next(0, kh), pw = random.Next(0, kw), peh = random.Next(0, kh), pew = random.Next(0, kw);
            int outH = (h + ph + peh - kh) / sh + 1, outW = (w + pw + pew - kw) / sw + 1;
            if (outH < 1 || outW < 1) continue;
            var win = new Window3D(1, h, w, 1, outH, outW, 1, kh, kw, 1, sh, sw, 1, 1, 1, 0, ph, pw, 0, peh, pew);
            int cp = BlockedLayout.PaddedChannels(c, block);
            float[] x = Enumerable.Range(0, n * c * h * w).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            if (trial % 5 == 0) x[random.Next(x.Length)] = float.NaN;
            float[] xb = new float[n * cp * h * w];
            Reorder.ToBlocked(x, xb, n, c, h * w, block, parallel);
            string context = $"block {block}, trial {trial}: N{n} C{c} {h}×{w} k{kh}×{kw} s{sh}×{sw} pads {ph},{pw}/{peh},{pew}";

            // Max: the NCHW general walk, reordered, is the reference (pads below the kernel: no empty window).
            float[] expected = new float[n * c * outH * outW], yb = new float[n * cp * outH * outW + 16], got = new float[expected.Length];
            yb.AsSpan(n * cp * outH * outW).Fill(float.NaN);
            PoolKernel.Max<float>(x, expected, default, n * c, win, false, parallel, CpuPlatform.Default, allowRowPath: false);
            BlockedPool.Max(xb, yb, n, cp, block, win, parallel);
            Assert.That(yb.AsSpan(n * cp * outH * outW).ToArray(), Is.All.NaN, $"{context}: wrote past the output");
            Reorder.FromBlocked(yb, got, n, c, cp, outH * outW, block, parallel);
            Assert.That(got, Is.EqualTo(expected), $"{context}: max");
            AssertPaddedLanesZero(yb, n, c, cp, outH * outW, block, context);

            // Global average.
            float[] gap = new float[n * c], gapb = new float[n * cp], gapGot = new float[n * c];
            PoolKernel.GlobalAverage(x, gap, n * c, h * w);
            BlockedPool.GlobalAverage(xb, gapb, n, cp, block, h * w);
            Reorder.FromBlocked(gapb, gapGot, n, c, cp, 1, block, parallel);
            Assert.That(gapGot, Is.EqualTo(gap), $"{context}: global average");
            AssertPaddedLanesZero(gapb, n, c, cp, 1, block, context);
        }
    }

    [Test]
    public void BlockedMax_ThreeByThreeWindows_UnrolledInterior_MatchesNchw([Values(4, 8, 16)] int block)
    {
        // 3 × 3 windows (ResNet's pool is 3 × 3 s2 p1) take an unrolled interior where all three rows lie inside: strides
        // and dilations 1–2, pads 0–1, planes wide and narrow enough to have none, NaN and −0 among the inputs. Compared as
        // values (NaN equal to NaN): over {−0, +0} the vector maximum gives +0 where the NCHW scalar walk keeps the first
        // zero it met, in the blocked walk before the unrolled interior as well.
        var random = new Random(100 + block);
        using var parallel = new ParallelRunner(2);
        for (int trial = 0; trial < 30; trial++)
        {
            int n = random.Next(1, 3), c = random.Next(1, 40), h = random.Next(1, 16), w = random.Next(1, 16);
            int s = random.Next(1, 3), d = random.Next(1, 3), pad = random.Next(0, 2), span = 2 * d + 1;
            int outH = (h + 2 * pad - span) / s + 1, outW = (w + 2 * pad - span) / s + 1;
            if (h + 2 * pad < span || w + 2 * pad < span) continue;
            var win = new Window3D(1, h, w, 1, outH, outW, 1, 3, 3, 1, s, s, 1, d, d, 0, pad, pad, 0, pad, pad);
            int cp = BlockedLayout.PaddedChannels(c, block);
            float[] x = Enumerable.Range(0, n * c * h * w).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            for (int k = 0; k < 3; k++) x[random.Next(x.Length)] = k == 0 ? float.NaN : k == 1 ? -0f : 0f;
            float[] xb = new float[n * cp * h * w];
            Reorder.ToBlocked(x, xb, n, c, h * w, block, parallel);
            string context = $"block {block}, trial {trial}: N{n} C{c} {h}×{w} s{s} d{d} pad {pad}";
            float[] expected = new float[n * c * outH * outW], yb = new float[n * cp * outH * outW], got = new float[expected.Length];
            PoolKernel.Max<float>(x, expected, default, n * c, win, false, parallel, CpuPlatform.Default, allowRowPath: false);
            BlockedPool.Max(xb, yb, n, cp, block, win, parallel);
            Reorder.FromBlocked(yb, got, n, c, cp, outH * outW, block, parallel);
            Assert.That(got, Is.EqualTo(expected), $"{context}: max");
        }
    }

    private static void AssertPaddedLanesZero(float[] blocked, int n, int c, int cp, int spatial, int block, string context)
    {
        for (int i = 0; i < n; i++)
            for (int ch = c; ch < cp; ch++)
                for (int p = 0; p < spatial; p++)
                {
                    long index = (((long)i * (cp / block) + ch / block) * spatial + p) * block + ch % block;
                    Assert.That(blocked[index], Is.EqualTo(0f), $"{context}: padded channel {ch} at pixel {p}");
                }
    }
}
