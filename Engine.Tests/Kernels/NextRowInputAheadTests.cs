using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// What a rows-outermost window's row tasks ask for of the next output row's input (<see cref="BlockedTuning.NextRowInputAhead"/>):
/// the input rows that row reads and this one does not, clamped to the plane, shared out over the row's groups in order
/// and without overlap; nothing after the last row; which plans ask (AVX-512, rows outermost, several taps, no copy or row
/// pairs); and the answers bit for bit those of asking nothing.
/// </summary>
[TestFixture]
public class NextRowInputAheadTests
{
    private static readonly ParallelRunner Two = new(2), Three = new(3);

    // ResNet-50's layer2.0 3×3 s2 (128 → 128 from 56×56: 1.6 MB of input, 590 KB of filter: rows outermost on any threads).
    private static readonly ConvShape Layer2Strided = new(1, 128, 128, 1, ConvCase.Planar(56, 56, 3, 2, 1), new(false, true));

    [Test]
    public void EachRowAsksForTheRowsTheNextOneReadsFirst([Values(1, 2)] int threads)
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Contains(CpuIsa.Avx512), "the AVX-512 blocked kernels");
        ParallelRunner runner = threads == 1 ? ParallelRunner.Sequential : Two;
        // The strided layer (two new rows per output row), and a stride-1 3×3 with dilation 2 over odd rows (one new row).
        foreach ((ConvShape shape, int rows, int stride, int reach) in new[]
                 {
                     (Layer2Strided, 56, 2, 2),
                     (new ConvShape(1, 64, 128, 1, ConvCase.MakeWindow((1, 23, 60), (1, 3, 3), (1, 1, 1), (1, 2, 2), (0, 0, 0), (0, 0, 0)), new(true, true)), 23, 1, 4),
                 })
        {
            var plan = BlockedPlans.WithRandomWeights(shape, CpuIsa.Avx512, runner);
            string where = $"{threads} thread(s), {shape}";
            Assert.That((plan.RowsOuter, plan.AsksNextRowInput), Is.EqualTo((true, true)), $"{where}: the case must reach the rule");
            int outH = shape.Window.OutH, inW = shape.Window.InW, groups = (shape.OutChannels + 63) / 64;
            long rowBytes = (long)inW * 16 * sizeof(float);
            for (int oh = 0; oh < outH; oh++)
            {
                var shares = Enumerable.Range(0, groups).Select(g => plan.NextRowInputShare(oh, g)).ToList();
                // Rows the next output row reads and this one does not: [oh·S − pad + reach + 1, (oh + 1)·S − pad + reach], clamped.
                int first = Math.Max(0, Math.Max(oh * stride - shape.Window.PadH + reach + 1, (oh + 1) * stride - shape.Window.PadH));
                int last = Math.Min(rows - 1, (oh + 1) * stride - shape.Window.PadH + reach);
                if (oh + 1 == outH || last < first)
                {
                    Assert.That(shares.All(s => s.Bytes == 0), Is.True, $"{where}: row {oh} asks for nothing");
                    continue;
                }
                Assert.That(shares[0].Offset, Is.EqualTo(first * rowBytes), $"{where}: row {oh} starts at input row {first}");
                for (int g = 1; g < groups; g++)
                    Assert.That(shares[g].Offset, Is.EqualTo(shares[g - 1].Offset + shares[g - 1].Bytes), $"{where}: row {oh}, group {g} follows on");
                Assert.That(shares.Sum(s => s.Bytes), Is.EqualTo((last - first + 1) * rowBytes), $"{where}: row {oh}, rows {first}..{last} whole");
            }
        }
    }

    [Test]
    public void ARowsTiles_AskForTheirShareInTurn_LinesNotBytes([Values(0, 64, 640, 7168, 3584 * 64)] long bytes, [Values(1, 5, 7)] int tiles)
    {
        long next = 0, lines = 0;
        for (int t = 0; t < tiles; t++)
        {
            (long offset, long count) = BlockedDirectPlan.TileShare(bytes, t, tiles);
            Assert.That(offset, Is.EqualTo(next), $"tile {t} starts where the one before ended");
            Assert.That(count, Is.LessThanOrEqualTo((bytes / 64 + tiles - 1) / tiles), $"tile {t}: near-equal parts");
            next = offset + count * 64;
            lines += count;
        }
        Assert.That(lines * 64, Is.EqualTo(bytes), "the tiles ask for the share's lines, all of them once");
    }

    [Test]
    public void WhichPlansAsk()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
        foreach (CpuIsa isa in CpuIsas.Blocked)
        {
            bool avx512 = isa == CpuIsa.Avx512;
            foreach ((ConvShape shape, BlockedTuning? tuning, bool asks, string name) in new (ConvShape, BlockedTuning?, bool, string)[]
                     {
                         (Layer2Strided, null, avx512, "layer2.0's 3×3 s2"),
                         (Layer2Strided, BlockedTuning.NextRowInputUnasked, false, "the rule off"),
                         // Rows outermost, but pointwise: contiguous segments.
                         (new ConvShape(1, 64, 256, 1, ConvCase.Planar(56, 56, 1, 1, 0), new(true, true)), null, false, "a pointwise plane"),
                         // Groups outermost (the filter outweighs the input): layer4.0's 3×3 s2.
                         (new ConvShape(1, 512, 512, 1, ConvCase.Planar(14, 14, 3, 2, 1), new(false, true)), null, false, "groups outermost"),
                     })
            {
                var plan = BlockedPlans.WithRandomWeights(shape, isa, Two, tuning);
                Assert.That(plan.AsksNextRowInput, Is.EqualTo(asks), $"{isa}: {name}");
            }
        }
    }

    [Test]
    public void AsksOn_AnswerBitForBit_AsAskingNothing()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
        var random = new Random(47);
        ConvShape[] shapes =
        [
            Layer2Strided,
            // Odd rows and channels, a residual, stride 2 over odd rows; two images of a dilated 3×3 over odd rows. (Padded
            // windows whose border reads a zero-padded copy, run in column tiles or in row pairs do not ask.)
            new(1, 40, 72, 1, ConvCase.Planar(31, 30, 3, 2, 1), new(true, true)),
            new(2, 24, 72, 1, ConvCase.MakeWindow((1, 23, 60), (1, 3, 3), (1, 1, 1), (1, 2, 2), (0, 0, 0), (0, 0, 0)), new(false, false)),
        ];
        foreach (CpuIsa isa in CpuIsas.Blocked)
            foreach (ConvShape shape in shapes)
                foreach (ParallelRunner runner in new[] { ParallelRunner.Sequential, Two, Three })
                {
                    var platform = CpuPlatform.Create(isa);
                    var weights = TestModels.RandomWeights(random, shape.WeightLength);
                    var asking = new BlockedDirectPlan(shape, weights, platform, runner, null, null);
                    var quiet = new BlockedDirectPlan(shape, weights, platform, runner, null, BlockedTuning.NextRowInputUnasked);
                    string where = $"{isa}, {runner.Threads} thread(s), {shape}";
                    Assert.That(asking.AsksNextRowInput, Is.EqualTo(isa == CpuIsa.Avx512 && asking.RowsOuter), $"{where}: asks where rows go outermost");
                    BlockedOutputAssert.SameAnswers(asking, quiet, random, platform.BlockSize, where);
                }
    }
}
