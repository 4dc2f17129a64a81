using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// What each thread's first task of a pointwise layer over a flattened plane asks for of its input
/// (<see cref="BlockedTuning.FirstTaskInputAhead"/>): each register tile the next tile's pixels, exactly, and the last tile
/// nothing; which plans ask (AVX-512, more threads than images, groups outermost, one range: ResNet-50's layer3 and layer4
/// 1×1s on 2 threads) and which keep the path before (one thread, an image per thread, AVX2, windows with taps, strided
/// copies, the rule off, where such planes widen rows outermost); and the answers bit for bit those of the same order
/// asking nothing (prefetching changes no result).
/// </summary>
[TestFixture]
public class FirstTaskInputAheadTests
{
    private static readonly ParallelRunner Two = new(2), Three = new(3);

    // ResNet-50's layer3 256 → 1024 +Add and layer4 512 → 2048 +Add (one pass each), and layer3's 1024 → 256 (in passes).
    private static readonly ConvShape Widening = new(1, 256, 1024, 1, ConvCase.Planar(14, 14, 1, 1, 0), new(true, true));
    private static readonly ConvShape Layer4 = new(1, 512, 2048, 1, ConvCase.Planar(7, 7, 1, 1, 0), new(true, true));
    private static readonly ConvShape Narrowing = new(1, 1024, 256, 1, ConvCase.Planar(14, 14, 1, 1, 0), new(false, true));

    [Test]
    public void EachTileAsksForTheNextTilesPixels_Exactly([Values(49, 99, 196, 13, 6, 1)] int span, [Values(6, 12)] int max)
    {
        // Walk a unit's interior as RunUnit does: near-equal tiles, the wider ones first.
        (int tileBase, int wider) = WindowTaps.NearEqualTiles(span, max);
        var tiles = new List<(int From, int Pixels)>();
        for (int ow = 0, left = wider; ow < span;)
        {
            int p = tileBase + (left-- > 0 ? 1 : 0);
            tiles.Add((ow, p));
            ow += p;
        }
        Assert.That(tiles.Sum(t => t.Pixels), Is.EqualTo(span));
        int w = wider;
        for (int i = 0; i < tiles.Count; i++)
        {
            (int ow, int p) = tiles[i];
            w--; // the loop's wider-- as tile i takes its width
            (int from, int pixels) = BlockedDirectPlan.NextTileInput(ow, p, span, tileBase, w);
            // As the kernel asks: 16-channel blocks, a pixel per cache line, from the row's start in each block's plane.
            (long offset, long lines) = BlockedDirectPlan.NextTileAsk(ow, p, span, tileBase, w, 16);
            if (i + 1 < tiles.Count)
            {
                Assert.That((from, pixels), Is.EqualTo(tiles[i + 1]), $"span {span}, tile {i}: the next tile's pixels");
                Assert.That((offset, lines), Is.EqualTo(((long)tiles[i + 1].From * 64, (long)tiles[i + 1].Pixels)), $"span {span}, tile {i}: its lines");
            }
            else Assert.That((pixels, lines), Is.EqualTo((0, 0L)), $"span {span}: the last tile asks for nothing");
        }
    }

    [Test]
    public void WhichPlansAsk()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Contains(CpuIsa.Avx512), "the AVX-512 blocked kernels");
        CpuIsa isa = CpuIsa.Avx512;
        foreach ((ConvShape shape, ParallelRunner runner, BlockedTuning? tuning, bool asks, string name) in new (ConvShape, ParallelRunner, BlockedTuning?, bool, string)[]
                 {
                     (Widening, Two, null, true, "layer3's 256 → 1024 on 2 threads"),
                     (Widening, Three, null, true, "on 3 threads"),
                     (Layer4, Two, null, true, "layer4's 512 → 2048 at 7×7"),
                     (Narrowing, Two, null, true, "the 1024 → 256 in passes"),
                     (Widening, ParallelRunner.Sequential, null, false, "1 thread"),
                     (Widening with { Batch = 2 }, Two, null, false, "an image per thread"),
                     (Widening, Two, BlockedTuning.FirstTaskInputUnasked, false, "the rule off"),
                     (new ConvShape(1, 256, 256, 1, ConvCase.Planar(14, 14, 3, 1, 1), new(false, true)), Two, null, false, "a 3×3 window"),
                     // The threads' shared copy is a flat plane half of which the other thread wrote, as a layer's own input is;
                     // each thread's own copy was its own.
                     (new ConvShape(1, 512, 1024, 1, ConvCase.Planar(28, 28, 1, 2, 0), new(true, true)), Two, null, true, "a strided 1×1's shared copy"),
                     (new ConvShape(1, 512, 1024, 1, ConvCase.Planar(28, 28, 1, 2, 0), new(true, true)), Two, BlockedTuning.SubsampleCopyPerThread, false, "a strided 1×1's copies per thread"),
                 })
        {
            var plan = BlockedPlans.WithRandomWeights(shape, isa, runner, tuning);
            Assert.That(plan.AsksFirstTaskInput, Is.EqualTo(asks), name);
            if (asks) Assert.That((plan.RowsOuter, plan.SegmentsPerRow), Is.EqualTo((false, 1)), $"{name}: groups outermost, one segment");
        }
        // The rule off, the widening plane goes rows outermost as before.
        var cut = BlockedPlans.WithRandomWeights(Widening, isa, Two, BlockedTuning.FirstTaskInputUnasked);
        Assert.That((cut.RowsOuter, cut.SegmentsPerRow), Is.EqualTo((true, 2)));
    }

    [Test]
    public void Avx2_KeepsThePathBefore()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Contains(CpuIsa.Avx2), "the AVX2 blocked kernels");
        var asks = BlockedPlans.WithRandomWeights(Widening, CpuIsa.Avx2, Two);
        var before = BlockedPlans.WithRandomWeights(Widening, CpuIsa.Avx2, Two, BlockedTuning.FirstTaskInputUnasked);
        Assert.That((asks.AsksFirstTaskInput, asks.RowsOuter, asks.SegmentsPerRow), Is.EqualTo((false, before.RowsOuter, before.SegmentsPerRow)));
    }

    [Test]
    public void AsksOn_AnswerBitForBit_AsAskingNothing()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
        var random = new Random(43);
        ConvShape[] shapes =
        [
            Widening, Layer4, Narrowing,
            // Odd planes and channels: 99 pixels in tiles of 6 and 5, a padded last input block, a residual.
            new(1, 40, 100, 1, ConvCase.Planar(9, 11, 1, 1, 0), new(true, true)),
            // 296 channels in passes with a remainder (the asks in the first pass only), a plane of 35.
            new(1, 296, 48, 1, ConvCase.Planar(5, 7, 1, 1, 0), new(false, true)),
            new(2, 24, 72, 1, ConvCase.Planar(7, 7, 1, 1, 0), new(false, true)),
        ];
        foreach (CpuIsa isa in CpuIsas.Blocked)
            foreach (ConvShape shape in shapes)
                foreach (ParallelRunner runner in new[] { Two, Three })
                {
                    var platform = CpuPlatform.Create(isa);
                    var weights = TestModels.RandomWeights(random, shape.WeightLength);
                    var tuning = BlockedTuning.Default with { PassesAboveBytes = shape.Channels == 296 ? 0 : BlockedTuning.Default.PassesAboveBytes };
                    var asking = new BlockedDirectPlan(shape, weights, platform, runner, null, tuning);
                    // The same order of tasks asking nothing: on AVX-512 groups outermost (no widening), the rule off.
                    var quiet = new BlockedDirectPlan(shape, weights, platform, runner, null,
                        isa == CpuIsa.Avx512 ? tuning with { FirstTaskInputAhead = false, WideningRowsOuter = 1 } : tuning with { FirstTaskInputAhead = false });
                    string where = $"{isa}, {runner.Threads} threads, {shape}";
                    bool expectAsks = isa == CpuIsa.Avx512 && shape.Batch < runner.Threads;
                    Assert.That(asking.AsksFirstTaskInput, Is.EqualTo(expectAsks), $"{where}: the case must reach the rule, or not");
                    Assert.That(asking.RowsOuter, Is.EqualTo(quiet.RowsOuter), $"{where}: the same order");
                    BlockedOutputAssert.SameAnswers(asking, quiet, random, platform.BlockSize, where);
                }
    }
}
