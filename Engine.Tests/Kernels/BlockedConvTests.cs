using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Reference;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// <see cref="BlockedDirectPlan"/> against its twin: the input (and residual) reordered to NCHW by
/// <see cref="ReorderReference"/>, <see cref="ConvReference"/>, the answer reordered back. On every tier with a
/// block size (AVX-512 b = 16, AVX2 b = 8), 1 and 2 threads: odd channel counts, 1×1 to 7×7, strides 1–2,
/// symmetric and asymmetric pads, dilation 2, planes down to 1×1, widths that are no multiple of the pixel
/// tile, batch 1–3, every epilogue; each case also summed in passes of one input block, with its border
/// columns one pixel at a time rather than through a zero-padded copy, and through the copy whatever its size. The padded channels of y must be exactly 0
/// and the NaN guard after y intact.
/// </summary>
[TestFixture]
public class BlockedConvTests
{
    private static IEnumerable<CpuIsa> Tiers => CpuIsas.Blocked;

    /// <summary>
    /// The blocked kernels exist on AVX-512 and AVX2 only. A machine with neither (Arm, an x64 without AVX2, or one
    /// capped by CARDINAL_CPU_ISA) has none of them to run: the test is skipped there, with that reason, and fails
    /// under CI=true, where the machines have AVX-512 and a run that exercised no blocked kernel would hide a broken one.
    /// </summary>
    private static void RequireBlockedTier() => References.RequireBlockedTier(Tiers.Any(), "the blocked direct kernel");

    private static readonly ParallelRunner One = new(1), Two = new(2);

    /// <summary>Random weights, blocked input, bias and residual (when the epilogue adds one) of a layer on blocks of b, and its blocked output's length.</summary>
    private static (Tensor Weights, float[] X, float[] Bias, float[] Residual, long Length) RandomBlockedLayer(Random random, ConvShape shape, int b)
    {
        var weights = Tensor.FromArray(RandomArray(random, shape.WeightLength), (int)shape.WeightLength);
        int cp = BlockedLayout.PaddedChannels(shape.Channels, b);
        float[] x = RandomArray(random, (long)shape.Batch * cp * shape.Window.InSize), bias = RandomArray(random, shape.OutChannels);
        long length = (long)shape.Batch * BlockedLayout.PaddedChannels(shape.OutChannels, b) * shape.Window.OutSize;
        float[] residual = shape.Epilogue.Residual ? RandomArray(random, length) : [];
        return (weights, x, bias, residual, length);
    }

    private static Window3D Window2D(int inH, int inW, int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pl, int pb, int pr) =>
        ConvCase.MakeWindow((1, inH, inW), (1, kh, kw), (1, sh, sw), (1, dh, dw), (0, pt, pl), (0, pb, pr));

    public static IEnumerable<TestCaseData> RandomCases()
    {
        var random = new Random(20240611);
        int[] channels = [3, 13, 16, 17, 33];
        int[] outChannels = [3, 13, 17, 33, 64, 80];
        int[] kernels = [1, 3, 5, 7];
        for (int i = 0; i < 48; i++)
        {
            int c = channels[random.Next(channels.Length)], m = outChannels[random.Next(outChannels.Length)];
            int kh = kernels[random.Next(kernels.Length)], kw = random.Next(4) == 0 ? kernels[random.Next(kernels.Length)] : kh;
            int sh = random.Next(1, 3), sw = random.Next(4) == 0 ? random.Next(1, 3) : sh;
            int dh = random.Next(5) == 0 ? 2 : 1, dw = random.Next(5) == 0 ? 2 : dh;
            bool asymmetric = random.Next(3) == 0;
            int pt = random.Next(0, kh / 2 + 2), pl = random.Next(0, kw / 2 + 2);
            int pb = asymmetric ? random.Next(0, kh / 2 + 2) : pt, pr = asymmetric ? random.Next(0, kw / 2 + 2) : pl;
            if (i % 6 == 0) { pt = pl = pb = pr = 0; }
            int inH = random.Next(1, 15), inW = random.Next(1, 20);
            // Keep at least one output: the padded input must hold the dilated kernel.
            inH = Math.Max(inH, (kh - 1) * dh + 1 - pt - pb);
            inW = Math.Max(inW, (kw - 1) * dw + 1 - pl - pr);
            int n = random.Next(1, 4);
            var epilogue = new ConvEpilogue(random.Next(2) == 0, random.Next(2) == 0);
            bool bias = random.Next(4) != 0;
            var w = Window2D(inH, inW, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr);
            string name = $"{i:00}_n{n}_c{c}_m{m}_{inH}x{inW}_k{kh}x{kw}_s{sh}x{sw}_d{dh}x{dw}_p{pt}{pl}{pb}{pr}_{(epilogue.Residual ? "res" : "")}{(epilogue.Relu ? "relu" : "")}{(bias ? "" : "_nobias")}";
            yield return new TestCaseData(new ConvShape(n, c, m, 1, w, epilogue), bias).SetName($"Run_{name}_MatchesReference");
        }
        // Edges picked by hand: a 1×1 plane, a row exactly one tile wide and one pixel more, the stem reading 3 channels,
        // pointwise strided, a pad wider than the input, ResNet's 7×7 plane with 1×1 and 3×3.
        yield return Named("plane_1x1_k3_pad1", new ConvShape(1, 17, 33, 1, Window2D(1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), new(true, true)));
        yield return Named("row_6_wide", new ConvShape(2, 16, 64, 1, Window2D(3, 6, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0), new(false, true)));
        yield return Named("row_7_wide_3x3", new ConvShape(1, 32, 64, 1, Window2D(7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), new(true, true)));
        yield return Named("row_13_wide_3x3_s1", new ConvShape(1, 16, 80, 1, Window2D(5, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), new(false, false)));
        yield return Named("stem_7x7s2_c3", new ConvShape(1, 3, 64, 1, Window2D(29, 29, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3), new(false, true)));
        yield return Named("pointwise_s2", new ConvShape(2, 33, 64, 1, Window2D(9, 11, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0), new(false, false)));
        yield return Named("pad_wider_than_input", new ConvShape(1, 5, 7, 1, Window2D(1, 2, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2), new(true, false)));
        // A 224×224 pointwise plane: 50,176 pixels in segments whose rounded-up width once left empty segments past the row.
        yield return Named("pointwise_224_plane_segments", new ConvShape(1, 3, 4, 1, Window2D(224, 224, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0), new(false, false)));
        yield return Named("pointwise_flat_segments", new ConvShape(1, 16, 48, 1, Window2D(10, 11, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0), new(true, true)));
        // Strided 3×3s whose only border column is the first (ResNet's layer2.0–3.0 3×3 s2 in small): its tile runs in two
        // calls, through every epilogue, in one pass and (PassPerBlock) in first, middle and last passes of one block.
        yield return Named("s2_first_column_split_res_relu", new ConvShape(2, 17, 64, 1, Window2D(5, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1), new(true, true)));
        yield return Named("s2_first_column_split_plain", new ConvShape(1, 33, 80, 1, Window2D(6, 24, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1), new(false, false)));
        yield return Named("s2_first_column_split_relu", new ConvShape(1, 40, 48, 1, Window2D(3, 18, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1), new(false, true)));
    }

    private static TestCaseData Named(string name, ConvShape shape) => new TestCaseData(shape, true).SetName($"Run_{name}_MatchesReference");

    [TestCaseSource(nameof(RandomCases))]
    public void Run_Case_MatchesReference(object shapeCase, bool bias) // boxed: NUnit runs public methods, ConvShape is internal
    {
        var shape = (ConvShape)shapeCase;
        Check(shape, bias, shape.GetHashCode(), shape.ToString());
    }

    /// <summary>
    /// The shared table's 2-D rows the kernel runs at both block sizes (group 1, and ResNeXt's groups) at a reduced
    /// plane (as <see cref="ConvKernelTests"/> runs them).
    /// </summary>
    public static IEnumerable<TestCaseData> TableCases() =>
        ConvCases.All.Where(c => BlockedDirectPlan.Supports(c.Shape, 16) && BlockedDirectPlan.Supports(c.Shape, 8))
            .Select(c => new TestCaseData(c.Name).SetName($"ConvCase_{c.Name}_EveryBlockedTier_MatchesReference"));

    [Test]
    public void GroupedShapes_EveryBlockedTier_MatchReference(
        [Values(4, 8, 16, 32)] int perGroup, [Values(1, 2)] int stride, [Values(false, true)] bool bias)
    {
        // ResNeXt's groups: block-diagonal (narrower than a block) or whole blocks, with odd planes and strides.
        int channels = perGroup * 6;
        var shape = new ConvShape(2, channels, channels, 6, Window2D(9, 7, 3, 3, stride, stride, 1, 1, 1, 1, 1, 1), new ConvEpilogue(true, true));
        Check(shape, bias, perGroup * 10 + stride, $"groups of {perGroup}, stride {stride}");
    }

    [Test]
    public void GroupedShapes_WideRows_EveryTileWidth_MatchReference([Values(4, 8, 16)] int perGroup, [Values(17, 23, 30)] int width)
    {
        // One-block units take tiles of up to 12 pixels on AVX-512 and 10 on AVX2: rows of 17 (9 + 8), 23 (12 + 11; on
        // AVX2 8 + 8 + 7) and 30 (3 × 10) reach every width from 7 to 12.
        int channels = perGroup * 4;
        var shape = new ConvShape(1, channels, channels, 4, Window2D(3, width, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), new ConvEpilogue(false, true));
        Check(shape, true, perGroup * 100 + width, $"groups of {perGroup}, {width} wide");
    }

    [Test]
    public unsafe void StridedPointwise_ReadsItsOwnCopy_EveryRun_BitIdenticalToTheStridedRows()
    {
        // A strided 1×1 whose rows are not whole register tiles walks a per-thread copy of the pixels it reads, as one
        // stride-1 row. Every pixel sums the same products in the same order, so the answer must be the strided walk's
        // bit for bit. Two such layers share one workspace as a run context's steps do, run in turn with new inputs: a
        // copy left by the other layer, or by the same layer's run before, must never be read as this run's.
        RequireBlockedTier();
        // Batch 8: on 2 threads a copy is made only with 4 images per thread, where the filter outweighs an image's input,
        // or at any batch where the filter outweighs the pixels copied (an image's input over SH·SW).
        ConvShape[] shapes =
        [
            new(8, 57, 256, 1, Window2D(14, 14, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0), new(true, true)),  // ResNet's 14 → 7
            // Strided rows only (7 × 9), over 128 input channels: the strided walk's 7 rows sum in passes, and so must the
            // copy's single row (63 pixels, one unit).
            new(8, 160, 120, 1, Window2D(13, 9, 1, 1, 2, 1, 1, 1, 0, 0, 0, 0), new(false, false)),
            // One image whose filter is over 8× its input (ResNet-50's layer4.0 downsample in small): copied on 2 threads too.
            new(1, 57, 320, 1, Window2D(6, 6, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0), new(true, false)),
        ];
        var random = new Random(31);
        foreach (CpuIsa isa in Tiers)
            foreach (ParallelRunner runner in new[] { One, Two })
            {
                var platform = CpuPlatform.Create(isa);
                int b = platform.BlockSize;
                Tensor[] weights = shapes.Select(s => Tensor.FromArray(RandomArray(random, s.WeightLength), (int)s.WeightLength)).ToArray();
                var plans = shapes.Select((s, i) => new BlockedDirectPlan(s, weights[i], platform, runner, null, null)).ToArray();
                var walks = shapes.Select((s, i) => new BlockedDirectPlan(s, weights[i], platform, runner, null, BlockedTuning.StridedRows)).ToArray();
                Assert.That(plans.Select(p => p.Subsamples), Is.All.True, $"{isa}: every layer reads a copy");
                // One image on 2 threads: the threads share one copy, so every such layer copies. With a copy per thread, only
                // where the filter (64 KB) outweighs the pixels copied (12.5 KB of 49 KB), not where the pixels copied (50 KB
                // of 200 KB) outweigh the filter (8 KB: ResNet-50's layer2.0 downsample in small).
                var single = new BlockedDirectPlan(shapes[0] with { Batch = 1 }, weights[0], platform, runner, null, null);
                Assert.That(single.Subsamples, Is.True, $"{isa}: one image, a filter heavier than its copy, on {runner.Threads} thread(s)");
                Assert.That(single.SharesSubsampledCopy, Is.EqualTo(runner.Threads > 1));
                var light = new ConvShape(1, 64, 32, 1, Window2D(28, 28, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0), new(false, false));
                Tensor lightWeights = Tensor.FromArray(RandomArray(random, light.WeightLength), (int)light.WeightLength);
                Assert.That(new BlockedDirectPlan(light, lightWeights, platform, runner, null, null).Subsamples, Is.True, $"{isa}: one image, a copy heavier than the filter, shared, on {runner.Threads} thread(s)");
                var lightPerThread = new BlockedDirectPlan(light, lightWeights, platform, runner, null, BlockedTuning.SubsampleCopyPerThread);
                Assert.That(lightPerThread.Subsamples, Is.EqualTo(runner.Threads == 1), $"{isa}: one image, a copy heavier than the filter, per thread, on {runner.Threads} thread(s)");
                Assert.That(walks.Select(p => p.Subsamples), Is.All.False);
                var shared = new WorkspaceBuffer(plans.Max(p => p.WorkspaceBytes));
                for (int round = 0; round < 3; round++)
                    for (int i = 0; i < shapes.Length; i++)
                    {
                        ConvShape s = shapes[i];
                        int cp = BlockedLayout.PaddedChannels(s.Channels, b), mp = BlockedLayout.PaddedChannels(s.OutChannels, b);
                        float[] x = RandomArray(random, s.Batch * cp * s.Window.InSize), bias = RandomArray(random, s.OutChannels);
                        float[] residual = s.Epilogue.Residual ? RandomArray(random, s.Batch * mp * s.Window.OutSize) : [];
                        long length = (long)s.Batch * mp * s.Window.OutSize;
                        var y = new float[length];
                        plans[i].Run(x, default, bias, residual, y, shared.Workspace);
                        float[] expected = BlockedOutputAssert.Run(walks[i], x, bias, residual, length);
                        Assert.That(y, Is.EqualTo(expected.AsSpan(0, (int)length).ToArray()), $"{isa}, {runner.Threads} thread(s), layer {i}, round {round}");
                    }
                GC.KeepAlive(shared);
            }
    }

    [Test]
    public unsafe void StridedPointwise_SharedCopy_BitIdenticalToCopiesPerThreadAndTheStridedRows([Values(2, 3)] int threads)
    {
        // On more threads than images the threads make one subsampled copy together, each its range of input blocks, and
        // every task reads all of it (half or more written by another thread). The copy holds the same pixels as each
        // thread's own copy did, so the answers must be the per-thread copies' and the strided walk's bit for bit, over odd
        // channel counts (a partial last block), the passes over input channels and a residual; the shared workspace is
        // dirtied between runs, so a copy from an earlier run or another layer must never be read.
        RequireBlockedTier();
        ConvShape[] shapes =
        [
            new(1, 300, 72, 1, Window2D(14, 14, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0), new(true, true)),    // 3 passes, a residual, 7 × 7 out
            new(2, 57, 40, 1, Window2D(11, 13, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0), new(false, false)),  // 2 images on 3 threads
            new(1, 64, 32, 1, Window2D(28, 28, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0), new(false, true)),   // the copy outweighs the filter
        ];
        var random = new Random(57 + threads);
        using var runner = new ParallelRunner(threads);
        foreach (CpuIsa isa in Tiers)
        {
            var platform = CpuPlatform.Create(isa);
            int b = platform.BlockSize;
            foreach (ConvShape s in shapes)
            {
                if (s.Batch >= threads) continue;
                Tensor weights = Tensor.FromArray(RandomArray(random, s.WeightLength), (int)s.WeightLength);
                var shared = new BlockedDirectPlan(s, weights, platform, runner, null, null);
                var perThread = new BlockedDirectPlan(s, weights, platform, runner, null, BlockedTuning.SubsampleCopyPerThread);
                var walk = new BlockedDirectPlan(s, weights, platform, runner, null, BlockedTuning.StridedRows);
                Assert.That(shared.SharesSubsampledCopy, Is.True, $"{isa}: {s}");
                Assert.That(perThread.SharesSubsampledCopy, Is.False);
                var workspace = new WorkspaceBuffer(Math.Max(shared.WorkspaceBytes, perThread.WorkspaceBytes));
                int cp = BlockedLayout.PaddedChannels(s.Channels, b), mp = BlockedLayout.PaddedChannels(s.OutChannels, b);
                long length = (long)s.Batch * mp * s.Window.OutSize;
                for (int round = 0; round < 2; round++)
                {
                    // Junk where the copy goes: a pixel the copy missed would read it (NaN) or an earlier round's pixels.
                    long floats = workspace.Workspace.Bytes / sizeof(float);
                    new Span<float>(workspace.Workspace.Floats(0, floats), (int)floats).Fill(round == 0 ? float.NaN : 1e30f);
                    float[] x = RandomArray(random, s.Batch * cp * s.Window.InSize), bias = RandomArray(random, s.OutChannels);
                    float[] residual = s.Epilogue.Residual ? RandomArray(random, s.Batch * mp * s.Window.OutSize) : [];
                    var y = new float[length];
                    shared.Run(x, default, bias, residual, y, workspace.Workspace);
                    var yPerThread = new float[length];
                    perThread.Run(x, default, bias, residual, yPerThread, workspace.Workspace);
                    float[] expected = BlockedOutputAssert.Run(walk, x, bias, residual, length);
                    Assert.That(y, Is.EqualTo(yPerThread), $"{isa}, {threads} threads, {s}, round {round}: shared against per-thread copies");
                    Assert.That(y, Is.EqualTo(expected.AsSpan(0, (int)length).ToArray()), $"{isa}, {threads} threads, {s}, round {round}: against the strided walk");
                }
                GC.KeepAlive(workspace);
            }
        }
    }

    [Test]
    public void FirstColumn_SplitOverWideRows_CopiedOverNarrowOnes()
    {
        // ResNet-50's three strided 3×3s: over 28- and 14-wide rows the first column's tile runs in two calls, no copy;
        // over 7-wide rows (the first tile 4 of 7 pixels) the zero-padded copy stays. The tuning's switch turns it off.
        RequireBlockedTier();
        (int Channels, int In, bool Split)[] layers = [(128, 56, true), (256, 28, true), (512, 14, false)];
        foreach (CpuIsa isa in Tiers)
        {
            var platform = CpuPlatform.Create(isa);
            foreach ((int c, int size, bool split) in layers)
            {
                var shape = new ConvShape(1, c, c, 1, Window2D(size, size, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1), new(false, true));
                var weights = Tensor.FromArray(new float[shape.WeightLength], (int)shape.WeightLength);
                Assert.That(new BlockedDirectPlan(shape, weights, platform, Two, null, null).SplitsFirstColumn, Is.EqualTo(split), $"{isa}: {c} channels at {size}");
                Assert.That(new BlockedDirectPlan(shape, weights, platform, Two, null, BlockedTuning.CopyFirstColumn).SplitsFirstColumn, Is.False, $"{isa}: switched off");
            }
        }
    }

    [Test]
    public void ColumnTiles_OverNarrowRows_BitIdenticalToTheCopy()
    {
        // Over narrow rows (ResNet's 7- and 14-wide planes) border columns run as column tiles over a task's rows instead of
        // through the zero-padded copy. Each pixel sums the copy's products but its zero ones, in the same order, so the
        // answers must be the copy's bit for bit: one border column (stride 2) or two, asymmetric pads (rows that clamp their
        // kernel rows differently cut a column's runs), a 3×5 and a 5×5 kernel, a last group of fewer blocks than the tile,
        // residual and ReLU through passes, the output over its residual, batch 2, 1 and 2 threads, every tier; grouped layers
        // (one pass) in tasks of all an image's rows, strided groups of two blocks and stride-1 groups of four. Wide rows keep
        // the copy, and on AVX-512 so do stride-1 groups of two blocks (their rows pair).
        RequireBlockedTier();
        ConvShape[] shapes =
        [
            new(1, 160, 256, 1, Window2D(14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1), new(false, true)),  // layer4.0's 3×3 s2 in small
            new(2, 144, 208, 1, Window2D(7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), new(true, true)),     // layer4's 3×3
            new(1, 192, 192, 1, Window2D(14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), new(true, false)),  // layer3's 3×3
            new(1, 136, 256, 1, Window2D(11, 9, 3, 5, 1, 1, 1, 1, 2, 1, 0, 3), new(false, false)),  // asymmetric pads
            new(2, 150, 224, 1, Window2D(13, 12, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2), new(true, true)),   // 5×5 s2
            new(2, 128, 128, 4, Window2D(14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1), new(true, true)),    // ResNeXt's strided layer4.0: groups of 32
            new(1, 256, 256, 4, Window2D(7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), new(false, true)),    // ResNeXt-101 32x8d's layer4: groups of 64
        ];
        ConvShape[] paired =
        [
            new(1, 128, 128, 4, Window2D(7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), new(false, true)),    // groups of 32, stride 1
        ];
        // Groups of one block keep their row pairs for the interior and run their border columns as column tiles: strided
        // (ResNeXt's layer3.0 in small, 28 → 14, the first column) and stride 1 over 14-wide rows (its layer3, two border
        // columns, no copy: 12 interior columns pair as one tile).
        ConvShape[] pairedColumnsShapes =
        [
            new(2, 64, 64, 4, Window2D(12, 28, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1), new(true, true)),
            new(1, 64, 64, 4, Window2D(14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), new(false, true)),
        ];
        var wide = new ConvShape(1, 160, 256, 1, Window2D(28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), new(false, true));
        var random = new Random(73);
        foreach (CpuIsa isa in Tiers)
        {
            var platform = CpuPlatform.Create(isa);
            int b = platform.BlockSize;
            foreach (ParallelRunner runner in new[] { One, Two })
            {
                var wideWeights = Tensor.FromArray(new float[wide.WeightLength], (int)wide.WeightLength);
                var widePlan = new BlockedDirectPlan(wide, wideWeights, platform, runner, null, null);
                Assert.That(widePlan.RunsColumnTiles, Is.False, $"{isa}: 28-wide rows keep the copy");
                Assert.That(widePlan.CopiesPadded, Is.True, $"{isa}: 28-wide rows keep the copy");
                foreach (ConvShape shape in paired)
                {
                    var plan = new BlockedDirectPlan(shape, Tensor.FromArray(new float[shape.WeightLength], (int)shape.WeightLength), platform, runner, null, null);
                    Assert.That(plan.RunsColumnTiles, Is.EqualTo(b != 16), $"{shape} on {isa}: column tiles where rows do not pair");
                    Assert.That(plan.RowPairs, Is.EqualTo(b == 16), $"{shape} on {isa}: rows pair on AVX-512");
                }
                foreach (ConvShape pairedColumns in pairedColumnsShapes)
                {
                    var weights = Tensor.FromArray(RandomArray(random, pairedColumns.WeightLength), (int)pairedColumns.WeightLength);
                    var plan = new BlockedDirectPlan(pairedColumns, weights, platform, runner, null, null);
                    var before = new BlockedDirectPlan(pairedColumns, weights, platform, runner, null, BlockedTuning.WithoutColumnTiles);
                    Assert.That(plan.RunsColumnTiles && plan.RowPairs && !plan.CopiesPadded, Is.EqualTo(b == 16), $"{isa}: pairs and column tiles");
                    Assert.That(before.RunsColumnTiles, Is.False, $"{isa}: border pixels or the copy before");
                    int cp = BlockedLayout.PaddedChannels(pairedColumns.Channels, b);
                    float[] x = RandomArray(random, (long)pairedColumns.Batch * cp * pairedColumns.Window.InSize), bias = RandomArray(random, pairedColumns.OutChannels);
                    long length = (long)pairedColumns.Batch * cp * pairedColumns.Window.OutSize;
                    float[] residual = RandomArray(random, length);
                    Assert.That(BlockedOutputAssert.Run(plan, x, bias, residual, length), Is.EqualTo(BlockedOutputAssert.Run(before, x, bias, residual, length)), $"{pairedColumns} on {isa}, {runner.Threads} thread(s): pairs with column tiles");
                }
                foreach (ConvShape shape in shapes)
                {
                    var weights = Tensor.FromArray(RandomArray(random, shape.WeightLength), (int)shape.WeightLength);
                    var tiles = new BlockedDirectPlan(shape, weights, platform, runner, null, null);
                    var copy = new BlockedDirectPlan(shape, weights, platform, runner, null, BlockedTuning.WithoutColumnTiles);
                    string where = $"{shape} on {isa}, {runner.Threads} thread(s)";
                    Assert.That(tiles.RunsColumnTiles && !tiles.CopiesPadded, Is.True, $"{where}: column tiles, no copy");
                    if (shape.Group == 1) Assert.That(tiles.Passes, Is.GreaterThan(1), $"{where}: in passes");
                    Assert.That(tiles.Description, Does.Contain("column tiles"), $"{where}: inspect names them");
                    Assert.That(copy.RunsColumnTiles || !copy.CopiesPadded, Is.False, $"{where}: the copy");
                    int cp = BlockedLayout.PaddedChannels(shape.Channels, b), mp = BlockedLayout.PaddedChannels(shape.OutChannels, b);
                    float[] x = RandomArray(random, (long)shape.Batch * cp * shape.Window.InSize), bias = RandomArray(random, shape.OutChannels);
                    long length = (long)shape.Batch * mp * shape.Window.OutSize;
                    float[] residual = shape.Epilogue.Residual ? RandomArray(random, length) : [];
                    float[] got = BlockedOutputAssert.Run(tiles, x, bias, residual, length), expected = BlockedOutputAssert.Run(copy, x, bias, residual, length);
                    Assert.That(got, Is.EqualTo(expected), where);
                }
            }
        }
    }

    /// <summary>
    /// Stride-1 units of two blocks (groups of 32 channels) pair their rows only over output rows at most
    /// <see cref="BlockedTuning.RowPairsTwoBlocksMaxWidth"/> wide (over wider rows their border columns run in column tiles
    /// instead of a zero-padded copy); strided ones and one-block units pair at any width. Either way the answers are the
    /// same bit for bit: random 3×3 shapes of groups of 32 (and some of 16) over rows of 5–16, padded and not, stride 1 and
    /// 2, a residual, 1 and 2 threads, against the plan that pairs at any width.
    /// </summary>
    [Test]
    public void TwoBlockRowPairs_OnlyOverNarrowStride1Rows()
    {
        RequireBlockedTier();
        var random = new Random(2222);
        int maxWidth = BlockedTuning.Default.RowPairsTwoBlocksMaxWidth;
        Assert.That(maxWidth, Is.LessThan(14), "ResNeXt-101 32x8d's 14-wide layer3 rows run alone");
        foreach (CpuIsa isa in Tiers)
        {
            var platform = CpuPlatform.Create(isa);
            int b = platform.BlockSize, narrowPaired = 0, wideSingle = 0, stridedWidePaired = 0;
            for (int trial = 0; trial < 24; trial++)
            {
                int perGroup = trial % 6 == 5 ? 16 : 32, groups = random.Next(1, 4), c = perGroup * groups, s = trial % 4 == 3 ? 2 : 1;
                int outW = random.Next(5, 17), outH = random.Next(3, 9), pad = random.Next(2);
                int inW = (outW - 1) * s + 3 - 2 * pad, inH = (outH - 1) * s + 3 - 2 * pad;
                var window = Window2D(inH, inW, 3, 3, s, s, 1, 1, pad, pad, pad, pad);
                var shape = new ConvShape(random.Next(1, 3), c, c, groups, window, new(random.Next(2) == 0, true));
                var (weights, x, bias, residual, length) = RandomBlockedLayer(random, shape, b);
                foreach (ParallelRunner runner in new[] { One, Two })
                {
                    var plan = new BlockedDirectPlan(shape, weights, platform, runner, null, BlockedTuning.Default);
                    var anyWidth = new BlockedDirectPlan(shape, weights, platform, runner, null, BlockedTuning.TwoBlockRowsPairedAtAnyWidth);
                    string where = $"{isa}, trial {trial}: {shape}, {runner.Threads} thread(s)";
                    bool twoBlockStride1Wide = b == 16 && perGroup == 32 && s == 1 && window.OutW > maxWidth;
                    if (twoBlockStride1Wide) Assert.That(plan.RowPairs, Is.False, $"{where}: a wide stride-1 two-block row runs alone");
                    else Assert.That(plan.Description, Is.EqualTo(anyWidth.Description), $"{where}: the rule touches only wide stride-1 two-block rows");
                    narrowPaired += plan.RowPairs && perGroup == 32 && s == 1 ? 1 : 0;
                    wideSingle += twoBlockStride1Wide && anyWidth.RowPairs ? 1 : 0;
                    stridedWidePaired += plan.RowPairs && perGroup == 32 && s == 2 && window.OutW > maxWidth ? 1 : 0;
                    float[] got = BlockedOutputAssert.Run(plan, x, bias, residual, length), expected = BlockedOutputAssert.Run(anyWidth, x, bias, residual, length);
                    Assert.That(got, Is.EqualTo(expected), where);
                }
            }
            if (b == 16)
            {
                Assert.That(narrowPaired, Is.GreaterThan(0), $"{isa}: the draws must reach narrow stride-1 two-block rows that still pair");
                Assert.That(wideSingle, Is.GreaterThan(2), $"{isa}: the draws must reach wide stride-1 two-block rows that paired before");
                Assert.That(stridedWidePaired, Is.GreaterThan(0), $"{isa}: the draws must reach wide strided two-block rows that keep their pairs");
            }
        }
    }

    [Test]
    public void RowPairs_BitIdenticalToSingleRows()
    {
        // Units of one or two output blocks over narrow rows run two rows per register tile on AVX-512 (ResNeXt's groups
        // of 16 and 32 channels). Each pixel sums the same products in the same order as in its own row's tile, so the
        // answers must be the single-row tiles' bit for bit: random grouped shapes with rows of 2–20 pixels, strides and
        // dilations 1–2, asymmetric pads (rows that clamp their kernel rows run alone; border columns, without the
        // zero-padded copy, in two-row tiles one pixel wide), odd heights, a residual, in one pass and in passes of one
        // block, 1 and 2 threads. AVX2 keeps single rows. Stride-1 one-block tiles walk the input rows, one broadcast for
        // both rows (RowPairsShareBroadcasts): against the single rows and against their own broadcasts, bit for bit.
        RequireBlockedTier();
        var random = new Random(61);
        foreach (CpuIsa isa in Tiers)
        {
            var platform = CpuPlatform.Create(isa);
            int b = platform.BlockSize, paired = 0, pairedBorders = 0, widePairs = 0, shared = 0, wideShared = 0;
            for (int trial = 0; trial < 30; trial++)
            {
                int perGroup = random.Next(2) == 0 ? 16 : 32, groups = random.Next(1, 4), c = perGroup * groups;
                int k = random.Next(3) == 0 ? 1 : 3, s = random.Next(1, 3), d = k == 1 ? 1 : random.Next(1, 3);
                int pt = random.Next(0, k), pl = random.Next(0, k), pb = random.Next(0, k), pr = random.Next(0, k);
                int inH = random.Next(d * (k - 1) + 2, 16), inW = random.Next(d * (k - 1) + 2, 18);
                // Every third draw: ResNeXt's strided case, rows wide enough that a border column is under an eighth of
                // the row, so that BorderPixels makes no zero-padded copy and the border runs in two-row tiles.
                if (trial % 3 == 0) (k, s, d, pt, pl, pb, pr, inW) = (3, 2, 1, 1, 1, 1, 1, random.Next(16, 41));
                // Every sixth: one-block groups over rows whose interior is 13 or 14 columns (ResNeXt-50's layer3.0 at 28 → 14),
                // which run as one two-row tile of 13 or 14 pixels.
                if (trial % 6 == 0) (perGroup, c, inW) = (16, 16 * groups, random.Next(28, 32));
                // Every sixth from the fourth: stride-1 one-block groups over rows of 11–14 or 15–16 (ResNeXt-50's layer3 at 14×14), two-row
                // tiles of up to 14 pixels that share their broadcasts; the kernel rows clamp at the top and bottom pads.
                if (trial % 6 == 3) (perGroup, c, k, s, d, pl, pr, inW) = (16, 16 * groups, 3, 1, 1, 1, 1, trial % 12 == 3 ? random.Next(15, 17) : random.Next(11, 15));
                var window = Window2D(inH, inW, k, k, s, s, d, d, pt, pl, pb, pr);
                var shape = new ConvShape(random.Next(1, 3), c, c, groups, window, new(random.Next(2) == 0, random.Next(2) == 0));
                var (weights, x, bias, residual, length) = RandomBlockedLayer(random, shape, b);
                foreach (ParallelRunner runner in new[] { One, Two })
                    foreach ((BlockedTuning pairs, BlockedTuning single) in new[] { (BlockedTuning.Default, BlockedTuning.SingleRows),
                        (BlockedTuning.PassPerBlock, BlockedTuning.PassPerBlock with { RowPairs = false }),
                        (BlockedTuning.BorderPixels, BlockedTuning.BorderPixels with { RowPairs = false }),
                        (BlockedTuning.Default, BlockedTuning.RowPairsOwnBroadcasts) })
                    {
                        var plan = new BlockedDirectPlan(shape, weights, platform, runner, null, pairs);
                        var alone = new BlockedDirectPlan(shape, weights, platform, runner, null, single);
                        Assert.That(alone.SharedBroadcasts, Is.False);
                        if (single == BlockedTuning.RowPairsOwnBroadcasts) Assert.That(alone.RowPairs, Is.EqualTo(plan.RowPairs));
                        else Assert.That(alone.RowPairs, Is.False);
                        Assert.That(plan.SharedBroadcasts, Is.EqualTo(plan.RowPairs && c == groups * 16 && s == 1 && d == 1), $"{isa}, trial {trial}: stride-1 one-block pairs share");
                        shared += plan.SharedBroadcasts ? 1 : 0;
                        wideShared += plan.SharedBroadcasts && plan.WidestPairTile > 12 ? 1 : 0;
                        if (b != 16) Assert.That(plan.RowPairs, Is.False, $"{isa}: no two-row tiles");
                        paired += plan.RowPairs ? 1 : 0;
                        pairedBorders += plan.RowPairs && plan.BorderColumns > 0 ? 1 : 0;
                        widePairs += plan.WidestPairTile > 12 ? 1 : 0;
                        Assert.That(plan.Description.Contains("two rows per tile"), Is.EqualTo(plan.RowPairs), $"{isa}: inspect names the tile that runs");
                        float[] got = BlockedOutputAssert.Run(plan, x, bias, residual, length), expected = BlockedOutputAssert.Run(alone, x, bias, residual, length);
                        Assert.That(got, Is.EqualTo(expected), $"{isa}, trial {trial}: {shape}, {runner.Threads} thread(s), {plan.Passes} pass(es)");
                    }
            }
            if (b == 16) Assert.That(paired, Is.GreaterThan(20), $"{isa}: the draws must reach the two-row tiles");
            if (b == 16) Assert.That(pairedBorders, Is.GreaterThan(2), $"{isa}: the draws must reach border columns in two-row tiles");
            if (b == 16) Assert.That(widePairs, Is.GreaterThan(2), $"{isa}: the draws must reach the one-block tiles 13 and 14 pixels wide");
            if (b == 16) Assert.That(shared, Is.GreaterThan(4), $"{isa}: the draws must reach the two-row tiles that share their broadcasts");
            if (b == 16) Assert.That(wideShared, Is.GreaterThan(1), $"{isa}: ... and those 13 and 14 pixels wide");
        }
    }

    [Test]
    public void BatchOnOneThread_GroupsFirst_BitIdenticalToEachImageAlone()
    {
        // On one thread a batch runs group by group over its images; each image must still get exactly the bits it gets
        // alone (the batcher's contract), in one pass and in passes over input channels, with a residual.
        RequireBlockedTier();
        var random = new Random(47);
        foreach (CpuIsa isa in Tiers)
            foreach ((int c, int m, int size) in new[] { (40, 96, 9), (288, 80, 5) })
            {
                var platform = CpuPlatform.Create(isa);
                int b = platform.BlockSize, cp = BlockedLayout.PaddedChannels(c, b), mp = BlockedLayout.PaddedChannels(m, b), n = 3;
                var window = Window2D(size, size, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
                var batch = new ConvShape(n, c, m, 1, window, new(true, true));
                var weights = Tensor.FromArray(RandomArray(random, batch.WeightLength), (int)batch.WeightLength);
                var plan = new BlockedDirectPlan(batch, weights, platform, One, null, null);
                var single = new BlockedDirectPlan(batch with { Batch = 1 }, weights, platform, One, null, null);
                Assert.That(plan.GroupsFirst, Is.True, $"{isa}: {m} outputs are several groups");
                Assert.That(new BlockedDirectPlan(batch, weights, platform, Two, null, null).GroupsFirst, Is.False, "two threads keep images first");
                long inImage = (long)cp * window.InSize, outImage = (long)mp * window.OutSize;
                float[] x = RandomArray(random, n * inImage), bias = RandomArray(random, m), residual = RandomArray(random, n * outImage);
                float[] y = BlockedOutputAssert.Run(plan, x, bias, residual, n * outImage);
                for (int i = 0; i < n; i++)
                {
                    float[] alone = BlockedOutputAssert.Run(single, x.AsSpan((int)(i * inImage), (int)inImage).ToArray(), bias,
                        residual.AsSpan((int)(i * outImage), (int)outImage).ToArray(), outImage);
                    Assert.That(y.AsSpan((int)(i * outImage), (int)outImage).ToArray(), Is.EqualTo(alone.AsSpan(0, (int)outImage).ToArray()),
                        $"{isa}, {c} → {m}, {plan.Passes} pass(es): image {i}");
                }
            }
    }

    [Test]
    public void BatchOnOneThread_FilterUnderRatio_ImagesFirst_SameBitsAsGroupsFirst()
    {
        // A batch on one thread goes group by group only where the filter outweighs one image's input by
        // BlockedTuning.GroupsFirstFilterRatio (6 by default); below, image by image. The order changes no sum: both
        // orders must answer bit for bit alike: pointwise at 1.5× (ResNet's 1024 → 256: 1.25×), 3×3 at 4.4× in passes
        // over input channels, and a 3×3 at 96× that keeps the group order.
        RequireBlockedTier();
        var random = new Random(53);
        foreach (CpuIsa isa in Tiers)
            foreach ((int c, int m, int size, int k, bool underRatio) in new[] { (288, 96, 8, 1, true), (144, 96, 14, 3, true), (48, 96, 3, 3, false) })
            {
                var platform = CpuPlatform.Create(isa);
                int pad = k / 2;
                var window = Window2D(size, size, k, k, 1, 1, 1, 1, pad, pad, pad, pad);
                var shape = new ConvShape(3, c, m, 1, window, new(true, true));
                var weights = Tensor.FromArray(RandomArray(random, shape.WeightLength), (int)shape.WeightLength);
                var plan = new BlockedDirectPlan(shape, weights, platform, One, null, null);
                var groupsFirst = new BlockedDirectPlan(shape, weights, platform, One, null, BlockedTuning.GroupsFirstAlways);
                string where = $"{isa}, {c} → {m} {k}×{k} at {size}×{size}, {plan.Passes} pass(es)";
                Assert.That(groupsFirst.GroupsFirst, Is.True, $"{where}: the path before goes group by group");
                Assert.That(plan.GroupsFirst, Is.EqualTo(!underRatio), $"{where}: group order only at {BlockedTuning.Default.GroupsFirstFilterRatio}× one image's input and above");
                BlockedOutputAssert.SameBits(groupsFirst, plan, random, platform.BlockSize, where);
            }
    }

    [TestCaseSource(nameof(TableCases))]
    public void ConvCase_EveryBlockedTier_MatchesReference(string name)
    {
        ConvCase c = ConvKernelTests.TestSize(ConvCases.Find(name));
        Check(c.Shape, c.Bias, name.Length, $"{name} ({c.Shape})");
    }

    [Test]
    public void Constructor_UnalignedGroupsOr3D_Throws()
    {
        var w = Window2D(4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
        // The grouping rules hold at both block sizes, whatever this machine runs.
        // 3 groups of 4 channels in, 2 out: neither whole blocks nor as many in as out.
        var grouped = new ConvShape(1, 12, 6, 3, w);
        Assert.That(BlockedDirectPlan.Supports(grouped, 16) || BlockedDirectPlan.Supports(grouped, 8), Is.False);
        // Depthwise: one channel per group is too narrow for the block-diagonal form.
        Assert.That(BlockedDirectPlan.Supports(new ConvShape(1, 16, 16, 16, w), 16), Is.False);
        Assert.That(BlockedDirectPlan.Supports(new ConvShape(1, 64, 64, 16, w), 16), Is.True, "ResNeXt's 4 per group at block 16");
        Assert.That(BlockedDirectPlan.Supports(new ConvShape(1, 64, 64, 2, w), 16), Is.True, "groups of two whole blocks");
        // A tier without blocked kernels is refused, on any machine.
        var scalar = CpuPlatform.Create(CpuIsa.Scalar);
        var plain = new ConvShape(1, 4, 4, 1, w);
        Assert.Throws<ArgumentException>(() => new BlockedDirectPlan(plain, Tensor.FromArray(new float[plain.WeightLength], (int)plain.WeightLength), scalar, One));

        // What a blocked tier refuses: unaligned groups and 3-D windows.
        RequireBlockedTier();
        var platform = CpuPlatform.Create(Tiers.First());
        Assert.Throws<ArgumentException>(() => new BlockedDirectPlan(grouped, Tensor.FromArray(new float[grouped.WeightLength], (int)grouped.WeightLength), platform, One));
        var deep = new ConvShape(1, 4, 4, 1, ConvCase.MakeWindow((3, 4, 4), (3, 3, 3), (1, 1, 1), (1, 1, 1), (1, 1, 1), (1, 1, 1)));
        Assert.Throws<ArgumentException>(() => new BlockedDirectPlan(deep, Tensor.FromArray(new float[deep.WeightLength], (int)deep.WeightLength), platform, One));
    }

    /// <summary>
    /// The filter slices the tiles prefetch (<c>PrefetchOf</c>): inside the packed filter, and each one what the same
    /// task's next pass reads, or after its last pass the first pass of the next task's group when that is another
    /// one. ResNet-50's layer3 1×1 (in passes), layer4's strided 3×3, a wide-filter layer with its rows outermost and a
    /// ResNeXt grouped layer, in passes of one block too; the big ones must ask for something, or the test proves nothing.
    /// </summary>
    [Test]
    public void PrefetchAsks_AreTheNextSliceInsideTheFilter()
    {
        RequireBlockedTier();
        (string Name, ConvShape Shape, bool MustAsk)[] cases =
        [
            ("layer3 1x1 1024->256 @14", new ConvShape(1, 1024, 256, 1, Window2D(14, 14, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0)), true),
            ("layer4.0 3x3 s2 512 @14", new ConvShape(1, 512, 512, 1, Window2D(14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1)), true),
            ("rows outermost 3x3 s2 256 @56", new ConvShape(2, 256, 256, 1, Window2D(56, 56, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1)), true),
            ("resnext 3x3 g32 256 @28", new ConvShape(1, 256, 256, 32, Window2D(28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1)), false),
        ];
        foreach (CpuIsa isa in Tiers)
            foreach ((string name, ConvShape shape, bool mustAsk) in cases)
                foreach (ParallelRunner runner in new[] { One, Two })
                    foreach (BlockedTuning tuning in new[] { BlockedTuning.Default, BlockedTuning.PassPerBlock })
                    {
                        var plan = new BlockedDirectPlan(shape, Tensor.FromArray(new float[shape.WeightLength], (int)shape.WeightLength), CpuPlatform.Create(isa), runner, null, tuning);
                        var asks = plan.PrefetchAsks().ToList();
                        string where = $"{name} on {isa}, {runner.Threads} thread(s), {plan.Passes} pass(es)";
                        for (int i = 0; i < asks.Count; i++)
                        {
                            var (task, group, pass, offset, lines) = asks[i];
                            if (lines == 0) continue;
                            Assert.That(offset >= 0 && offset + lines * 64 <= plan.FilterBytes, Is.True, $"{where}: task {task} pass {pass} asks outside the filter");
                            (long Offset, long Bytes) expected;
                            if (pass + 1 < plan.Passes) expected = plan.SliceOf(group, pass + 1);
                            else
                            {
                                Assert.That(i + 1 < asks.Count && asks[i + 1].Group != group, Is.True, $"{where}: task {task} asks past its last pass for its own group");
                                expected = plan.SliceOf(asks[i + 1].Group, 0);
                            }
                            Assert.That((offset, lines * 64), Is.EqualTo(expected), $"{where}: task {task} pass {pass}");
                        }
                        if (mustAsk) Assert.That(asks.Any(a => a.Lines > 0), Is.True, $"{where}: nothing prefetched");
                    }
    }

    /// <summary>
    /// The plan passes <see cref="BlockedTuning.FilterAsksPerTap"/> to its tiles' asks: a 3×3's tiles ask for each input
    /// block's share of the next slice a few lines per tap (the remainder at the block's start), and with the rule off all at
    /// the block's start; a 1×1 (one tap) asks per block either way. ResNet-50's layer4.0 3×3 s2 and its layer3 1×1, 1 and 2 threads, every blocked tier.
    /// SlicePrefetch's own shares are GroupInputAheadTests'.
    /// </summary>
    [Test]
    public void FilterAsksPerTap_ReachesTheTiles()
    {
        RequireBlockedTier();
        var strided = new ConvShape(1, 512, 512, 1, Window2D(14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1));
        var pointwise = new ConvShape(1, 1024, 256, 1, Window2D(14, 14, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0));
        int spread = 0;
        foreach (CpuIsa isa in Tiers)
            foreach (ParallelRunner runner in new[] { One, Two })
                foreach ((ConvShape shape, int taps) in new[] { (strided, 9), (pointwise, 1) })
                {
                    string where = $"{shape} on {isa}, {runner.Threads} thread(s)";
                    var perTap = BlockedPlans.WithRandomWeights(shape, isa, runner).SecondTileAsks();
                    var perBlock = BlockedPlans.WithRandomWeights(shape, isa, runner, BlockedTuning.FilterAsksPerBlock).SecondTileAsks();
                    Assert.That(perBlock.Any(a => a.BlockLines > 0), Is.True, $"{where}: nothing asked");
                    Assert.That(perBlock.All(a => a.TapLines == 0), Is.True, $"{where}: the rule off asks per block");
                    // Per tap: a block's share L as L mod taps at its start and L / taps at each tap (one tap: per block).
                    var expected = perBlock.Select(a => taps == 1 ? a : (a.BlockLines % taps, a.BlockLines / taps)).ToList();
                    Assert.That(perTap, Is.EqualTo(expected), $"{where}: the default asks per tap");
                    spread += perTap.Count(a => a.TapLines > 0);
                }
        Assert.That(spread, Is.GreaterThan(0), "shares spread over the taps");
    }

    private static float[] RandomArray(Random random, long length) => TestModels.RandomData(random, length);

    private static unsafe void Check(ConvShape shape, bool hasBias, int seed, string name)
    {
        Window3D w = shape.Window;
        int n = shape.Batch, c = shape.Channels, m = shape.OutChannels;
        var random = new Random(seed);
        float[] x = RandomArray(random, shape.InputLength), weight = RandomArray(random, shape.WeightLength);
        float[] bias = hasBias ? RandomArray(random, m) : [];
        float[] residual = shape.Epilogue.Residual ? RandomArray(random, shape.OutputLength) : [];
        var expected = new float[shape.OutputLength];
        ConvReference.Run(x, weight, bias, expected, n, c, m, shape.Group, w, residual, shape.Epilogue.Relu);
        double atol = 1e-5 * Math.Sqrt(shape.K);
        var tensor = Tensor.FromArray(weight, weight.Length);

        RequireBlockedTier();
        foreach (CpuIsa isa in Tiers)
        {
            var platform = CpuPlatform.Create(isa);
            int b = platform.BlockSize, cp = BlockedLayout.PaddedChannels(c, b);
            (float[] xb, float[] rb, long length) = BlockedOutputAssert.BlockedOperands(shape, x, residual, b);
            // Each layer also in passes of one input block (as ResNet-50's layer4 runs), and with border columns one
            // pixel at a time (small shapes otherwise read a zero-padded copy).
            foreach ((ParallelRunner runner, BlockedTuning tuning) in new[] { One, Two }.SelectMany(r =>
                new[] { BlockedTuning.Default, BlockedTuning.PassPerBlock, BlockedTuning.BorderPixels, BlockedTuning.CopyAlways }.Select(t => (r, t))))
            {
                bool passes = tuning == BlockedTuning.PassPerBlock;
                var plan = new BlockedDirectPlan(shape, tensor, platform, runner, null, tuning);
                Assert.That(plan.BlockedOutputLength, Is.EqualTo(length));
                int unitBlocks = shape.Group == 1 ? cp / b : shape.ChannelsPerGroup % b == 0 ? shape.ChannelsPerGroup / b : 1;
                if (passes) Assert.That(plan.Passes, Is.EqualTo(unitBlocks), $"{name}: passes of one block each");
                float[] yb = BlockedOutputAssert.Run(plan, xb, bias, rb, length);
                string where = $"{name} on {isa} (b={b}), {runner.Threads} thread(s), {tuning}, {plan.Passes} pass(es)";
                BlockedOutputAssert.Matches(yb, expected, shape, b, atol, where);
            }
        }
    }
}
