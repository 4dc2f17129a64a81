using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// What a strided grouped layer's tasks prefetch of the next group's input (<see cref="BlockedTuning.GroupInputAhead"/>):
/// the tasks of one group share out the next group's input planes exactly, in order, inside the input; nothing for
/// stride-1 grouped layers, dense layers, the last group or with the rule off. And how <see cref="SlicePrefetch"/>
/// walks its two regions: nothing for the first tile, then the filter slice, then the input, in tile-sized shares, the
/// input's asked for a few lines per kernel tap (<see cref="BlockedTuning.InputAsksPerTap"/>), and the filter slice too where
/// <see cref="BlockedTuning.FilterAsksPerTap"/> says so. (Prefetching changes no result: BlockedConvTests run these shapes
/// against the reference on every tier, and the asks per tap answer bit for bit as the asks per block.)
/// </summary>
[TestFixture]
public unsafe class GroupInputAheadTests
{
    private static readonly ParallelRunner One = new(1), Two = new(2);

    [Test]
    public void StridedGroupedTasks_ShareOutTheNextGroupsInput_Exactly()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
        (string Name, ConvShape Shape)[] cases =
        [
            // ResNeXt-50's layer3.0 (groups of one block, all rows a task) and ResNeXt-101 32x8d's (two blocks, row tasks), batch 2.
            ("512 g32 s2 @28", new ConvShape(1, 512, 512, 32, ConvCase.Planar(28, 28, 3, 2, 1), new(false, true))),
            ("1024 g32 s2 @28", new ConvShape(2, 1024, 1024, 32, ConvCase.Planar(28, 28, 3, 2, 1), new(false, true))),
        ];
        foreach (CpuIsa isa in CpuIsas.Blocked)
            foreach ((string name, ConvShape shape) in cases)
                foreach (ParallelRunner runner in new[] { One, Two })
                {
                    var plan = BlockedPlans.WithRandomWeights(shape, isa, runner);
                    int b = CpuPlatform.Create(isa).BlockSize, inBlocks = shape.Channels / b, groupBlocks = shape.ChannelsPerGroup / b;
                    long plane = (long)shape.Window.InH * shape.Window.InW * b * sizeof(float), groupBytes = groupBlocks * plane;
                    string where = $"{name} on {isa}, {runner.Threads} thread(s)";
                    // Each run of tasks of one (image, group) asks, in order, for the planes of the (image, group) the next run works on.
                    long asked = 0;
                    for (int task = 0; task < plan.TaskCount;)
                    {
                        var (n, g, _) = plan.TaskOf(task);
                        int end = task;
                        while (end < plan.TaskCount && plan.TaskOf(end) is var t && t.N == n && t.Group == g) end++;
                        // Output groups of TileBlocks blocks; a conv group's input planes start at its first block.
                        int ConvGroup(int outputGroup) => outputGroup * plan.TileBlocks / groupBlocks;
                        long at = 0;
                        bool samePlanes = false;
                        if (end < plan.TaskCount)
                        {
                            var (n2, g2, _) = plan.TaskOf(end);
                            at = (n2 * inBlocks + ConvGroup(g2) * groupBlocks) * plane;
                            samePlanes = n2 == n && ConvGroup(g2) == ConvGroup(g);
                        }
                        for (long covered = 0; task < end; task++)
                        {
                            (long offset, long bytes) = plan.NextGroupInputShare(task);
                            asked += bytes;
                            if (end == plan.TaskCount || samePlanes) { Assert.That(bytes, Is.Zero, $"{where}: task {task}: nothing new to ask for"); continue; }
                            if (bytes == 0) continue;
                            Assert.That(offset, Is.EqualTo(at + covered), $"{where}: task {task} asks out of order");
                            Assert.That(offset % 64 == 0 && bytes % 64 == 0, Is.True, $"{where}: task {task} asks part of a line");
                            covered += bytes;
                            Assert.That(covered, Is.LessThanOrEqualTo(groupBytes), $"{where}: task {task} asks past the group's planes");
                        }
                    }
                    Assert.That(asked, Is.EqualTo((shape.Batch * shape.Group - 1) * groupBytes), $"{where}: every (image, conv group) but the first asked for once");
                }
    }

    [Test]
    public void StrideOneGrouped_DenseLayers_AndTheRuleOff_AskForNoInput()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
        CpuIsa isa = CpuIsas.Blocked.First();
        var strideOne = new ConvShape(1, 512, 512, 32, ConvCase.Planar(14, 14, 3, 1, 1), new(false, true));
        var dense = new ConvShape(1, 256, 256, 1, ConvCase.Planar(28, 28, 3, 2, 1), new(false, true));
        var strided = new ConvShape(1, 512, 512, 32, ConvCase.Planar(28, 28, 3, 2, 1), new(false, true));
        foreach ((ConvShape shape, BlockedTuning? tuning, string name) in new (ConvShape, BlockedTuning?, string)[]
                 { (strideOne, null, "stride 1"), (dense, null, "one group"), (strided, BlockedTuning.FilterAheadOnly, "the rule off") })
        {
            var plan = BlockedPlans.WithRandomWeights(shape, isa, Two, tuning);
            Assert.That(Enumerable.Range(0, plan.TaskCount).All(t => plan.NextGroupInputShare(t).Bytes == 0), Is.True, name);
        }
    }

    [Test]
    public void TwoRegions_TheFirstTileNothing_ThenTheSlice_ThenTheInput()
    {
        var filter = GC.AllocateArray<byte>(64 * 10, pinned: true);
        var input = GC.AllocateArray<byte>(64 * 30, pinned: true);
        fixed (byte* f = filter, x = input)
        {
            // 40 lines over 5 tiles: the first asks nothing, the other four 10 lines each (one input block, uncapped).
            var ahead = new SlicePrefetch(f, filter.Length, 5, 1, 9, 16, 1, x, input.Length);
            Assert.That((ahead.Lines, ahead.ThenLines), Is.EqualTo((10L, 30L)));
            var seen = Asks(ahead, 6);
            Assert.That(seen[0].At, Is.EqualTo((nint)0), "the first tile reads the slice itself");
            Assert.That(seen[1], Is.EqualTo(((nint)f, (nint)10, (nint)0)));
            Assert.That(seen[2], Is.EqualTo(((nint)x, (nint)10, (nint)0)));
            Assert.That(seen[3], Is.EqualTo(((nint)(x + 640), (nint)10, (nint)0)));
            Assert.That(seen[4], Is.EqualTo(((nint)(x + 1280), (nint)10, (nint)0)));
            Assert.That(seen[5].At, Is.EqualTo((nint)0), "past both regions: nothing");
            // The input alone (a task in the middle of its group: the next task's group is its own).
            var alone = Asks(new SlicePrefetch(null, 0, 4, 1, 9, 16, 1, x, input.Length), 2);
            Assert.That((alone[1].At, alone[1].Block), Is.EqualTo(((nint)x, (nint)10)));
        }
    }

    [Test]
    public void InputShares_PerTap_TheRemainderAtTheBlock_ThenEqualLinesPerTap()
    {
        var filter = GC.AllocateArray<byte>(64 * 10, pinned: true);
        var input = GC.AllocateArray<byte>(64 * 90, pinned: true);
        fixed (byte* f = filter, x = input)
        {
            // 100 lines over 5 tiles: the first asks nothing, the others 25 each (one input block of 9 taps). The slice's
            // share goes at the block's start as before; an input share as 7 lines there and 2 per tap: 7 + 9 × 2 = 25.
            foreach (bool perTap in new[] { true, false })
            {
                var seen = Asks(new SlicePrefetch(f, filter.Length, 5, 1, 9, 16, 1, x, input.Length, perTap), 5);
                Assert.That(seen[0], Is.EqualTo(((nint)0, (nint)0, (nint)0)), "the first tile reads the slice itself");
                Assert.That(seen[1], Is.EqualTo(((nint)f, (nint)25, (nint)0)), "the filter slice: per block, whatever the rule");
                for (int tile = 2; tile < 5; tile++)
                {
                    nint at = (nint)(x + (tile - 1) * 25 * 64 - 10 * 64);
                    Assert.That(seen[tile], Is.EqualTo(perTap ? (at, (nint)7, (nint)2) : (at, (nint)25, (nint)0)), $"tile {tile}, per tap {perTap}");
                    // What the kernel asks for in all: the block's lines, then each tap's: the tile's whole share, no more.
                    Assert.That(seen[tile].Block + 9 * seen[tile].Tap, Is.EqualTo((nint)25));
                }
            }
            // The slice per tap as well (BlockedTuning.FilterAsksPerTap): 7 at the block and 2 per tap, as the input's share.
            var both = Asks(new SlicePrefetch(f, filter.Length, 5, 1, 9, 16, 1, x, input.Length, thenPerTap: true, slicePerTap: true), 3);
            Assert.That(both[1], Is.EqualTo(((nint)f, (nint)7, (nint)2)), "the filter slice per tap");
            Assert.That(both[2], Is.EqualTo(((nint)(x + 15 * 64), (nint)7, (nint)2)), "then the input, per tap");
            // The slice per tap whatever the input's rule: here the input goes per block.
            var sliceOnlyPerTap = Asks(new SlicePrefetch(f, filter.Length, 5, 1, 9, 16, 1, x, input.Length, thenPerTap: false, slicePerTap: true), 3);
            Assert.That((sliceOnlyPerTap[1].Block, sliceOnlyPerTap[1].Tap), Is.EqualTo(((nint)7, (nint)2)), "the slice per tap, the input per block");
            Assert.That((sliceOnlyPerTap[2].Block, sliceOnlyPerTap[2].Tap), Is.EqualTo(((nint)25, (nint)0)), "the input per block");
            // No second region at all (a dense 3×3's next filter slice): 100 lines over 5 tiles, 25 a tile, under the cap of
            // 24 lines per tap (54 per block for a tile of one 16-channel block).
            var dense = GC.AllocateArray<byte>(64 * 100, pinned: true);
            fixed (byte* d = dense)
                foreach (bool perTap in new[] { true, false })
                {
                    var slice = Asks(new SlicePrefetch(d, dense.Length, 5, 1, 9, 16, 1, slicePerTap: perTap), 2);
                    Assert.That(slice[1], Is.EqualTo(((nint)d, perTap ? (nint)7 : 25, perTap ? (nint)2 : 0)), $"a filter slice alone, per tap {perTap}");
                }
            // A 1×1 (one tap) asks per block either way.
            var pointwise = Asks(new SlicePrefetch(null, 0, 4, 1, 1, 16, 1, x, input.Length, thenPerTap: true), 2);
            Assert.That(pointwise[1], Is.EqualTo(((nint)x, (nint)30, (nint)0)));
        }
    }

    /// <summary>Register tiles 0 … <paramref name="tiles"/> − 1's asks over one slice, in turn as the kernel takes them (<see cref="SlicePrefetch.NextTile"/>).</summary>
    private static List<(nint At, nint Block, nint Tap)> Asks(SlicePrefetch ahead, int tiles)
    {
        var seen = new List<(nint At, nint Block, nint Tap)>();
        var args = new BlockedDirectPlan.KernelArgs();
        for (int tile = 0; tile < tiles; tile++)
        {
            ahead.NextTile(ref args);
            seen.Add((args.Prefetch, args.PrefetchLines, args.PrefetchTapLines));
        }
        return seen;
    }

    [Test]
    public void AsksPerTap_AnswerBitForBit_AsAsksPerBlock()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
        var random = new Random(29);
        // Grouped layers ask for the next group's input and filter (each per tap against per block); dense windows for the next
        // filter slice alone, over passes (160 channels) or with a residual, odd planes.
        (ConvShape Shape, BlockedTuning[] PerBlock)[] cases =
        [
            (new(1, 512, 512, 32, ConvCase.Planar(28, 28, 3, 2, 1), new(false, true)), [BlockedTuning.InputAsksPerBlock, BlockedTuning.FilterAsksPerBlock]), // ResNeXt-50's layer3.0: one block per group
            (new(2, 64, 64, 2, ConvCase.Planar(15, 13, 3, 2, 1), new(true, false)), [BlockedTuning.InputAsksPerBlock, BlockedTuning.FilterAsksPerBlock]),    // two blocks per group, odd plane, residual
            (new(1, 160, 96, 1, ConvCase.Planar(15, 13, 3, 2, 1), new(false, true)), [BlockedTuning.FilterAsksPerBlock]),
            (new(2, 48, 40, 1, ConvCase.Planar(9, 11, 5, 1, 2), new(true, true)), [BlockedTuning.FilterAsksPerBlock]),
        ];
        foreach (CpuIsa isa in CpuIsas.Blocked)
            foreach ((ConvShape shape, BlockedTuning[] perBlock) in cases)
                foreach (ParallelRunner runner in new[] { One, Two })
                {
                    var platform = CpuPlatform.Create(isa);
                    var weights = TestModels.RandomWeights(random, shape.WeightLength);
                    var perTap = new BlockedDirectPlan(shape, weights, platform, runner, null, null);
                    string what = $"{isa}, {runner.Threads} thread(s), {shape.Channels} g{shape.Group} k{shape.Window.KH} @{shape.Window.InH}×{shape.Window.InW}";
                    if (shape.Group > 1)
                        Assert.That(Enumerable.Range(0, perTap.TaskCount - 1).Any(t => perTap.NextGroupInputShare(t).Bytes > 0), Is.True, $"{what}: the layer asks for input at all");
                    foreach (BlockedTuning tuning in perBlock)
                        BlockedOutputAssert.SameAnswers(perTap, new BlockedDirectPlan(shape, weights, platform, runner, null, tuning), random, platform.BlockSize,
                            $"{what}, input per tap {tuning.InputAsksPerTap}, filter per tap {tuning.FilterAsksPerTap}");
                }
    }
}
