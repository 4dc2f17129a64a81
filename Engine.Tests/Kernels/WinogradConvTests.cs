using Cardinal.Epilogues;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Winograd;
using Cardinal.Kernels.Cpu.Reference;
using Cardinal.Kernels.Cpu.Simd;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// <see cref="WinogradPlan"/> (F(4×4) and F(2×2)) against float64 direct convolution and against the direct blocked
/// kernel (<see cref="BlockedDirectPlan"/>), on every blocked tier (AVX-512 b = 16, AVX2 b = 8), 1 and 2 threads:
/// odd channel counts, planes from 1×1 up with tiles cut by the border, symmetric, asymmetric and no padding, batch
/// 1–3, every epilogue, with and without bias; padded output lanes exactly 0, nothing written past y, the
/// workspace starting as garbage. The hand-written transforms are checked against the Toom-Cook matrices they spell out.
/// </summary>
[TestFixture]
public class WinogradConvTests
{
    private static IEnumerable<CpuIsa> Tiers => CpuIsas.Blocked;
    private static readonly ParallelRunner One = new(1), Two = new(2);
    private static readonly WinogradMatrices[] Variants = [WinogradMatrices.F4, WinogradMatrices.F2];

    private static void RequireBlockedTier() => References.RequireBlockedTier(Tiers.Any(), "Winograd (it runs on the blocked layout)");

    /// <summary>
    /// The products with the tiles in the lanes run on AVX-512 only (the AVX2 tier keeps the tile kernels, which the other
    /// tests cover there): skipped on a developer's machine without it, a failure under CI=true (<see cref="References.Unavailable"/>).
    /// </summary>
    private static void RequireTileLanes()
    {
        RequireBlockedTier();
        if (!WinogradTileLanes.IsSupported || !Tiers.Contains(CpuIsa.Avx512))
            References.Unavailable("No AVX-512 tier on this machine (or capped by CARDINAL_CPU_ISA): the Winograd products with the tiles in the lanes need AVX-512F.");
    }

    [Test]
    public void Matrices_ComputeTheCorrelation_InDouble()
    {
        // Aᵀ[(G g) ⊙ (Bᵀ d)] must equal the 1-D correlation y_i = Σ_k g_k d_{i+k} exactly (to rounding), for both variants.
        var random = new Random(5);
        foreach (var t in Variants)
        {
            double[] g = [random.NextDouble(), random.NextDouble(), random.NextDouble()];
            var d = new double[t.N];
            for (int i = 0; i < t.N; i++) d[i] = random.NextDouble() * 2 - 1;
            for (int i = 0; i < t.M; i++)
            {
                double y = 0, expected = g[0] * d[i] + g[1] * d[i + 1] + g[2] * d[i + 2];
                for (int j = 0; j < t.N; j++)
                {
                    double gj = t.G[j, 0] * g[0] + t.G[j, 1] * g[1] + t.G[j, 2] * g[2], dj = 0;
                    for (int k = 0; k < t.N; k++) dj += t.BT[j, k] * d[k];
                    y += t.AT[i, j] * gj * dj;
                }
                Assert.That(y, Is.EqualTo(expected).Within(1e-12), $"F({t.M},3) output {i}");
            }
        }
    }

    [Test]
    public void Transforms_MatchMatrices_EveryWidth()
    {
        foreach (var t in Variants)
        {
            CheckTransforms<Vec512>(t);
            CheckTransforms<Vec256>(t);
            CheckTransforms<Vec128>(t);
        }
    }

    /// <summary>The hand-written 2-D transforms against Bᵀ d B and Aᵀ M A computed from the matrices in double (pure arithmetic: runs at any width).</summary>
    private static unsafe void CheckTransforms<TVec>(WinogradMatrices t) where TVec : unmanaged, IVec<TVec>
    {
        int b = TVec.Count, n = t.N, m = t.M;
        var random = new Random(n * 100 + b);
        // A plane exactly one tile: [n][n][b].
        var plane = new float[n * n * b];
        for (int i = 0; i < plane.Length; i++) plane[i] = (float)(random.NextDouble() * 2 - 1);
        var v = new float[n * n * b];
        var scratch = new float[n * n * b];
        fixed (float* p = plane, pv = v, ps = scratch) WinogradTransforms<TVec>.Input(m, p, n, n, 0, 0, ps, pv, b);
        for (int lane = 0; lane < b; lane++)
            for (int i = 0; i < n; i++)
                for (int k = 0; k < n; k++)
                {
                    double e = 0;
                    for (int r = 0; r < n; r++)
                        for (int c = 0; c < n; c++) e += t.BT[i, r] * plane[(r * n + c) * b + lane] * t.BT[k, c];
                    Assert.That(v[(i * n + k) * b + lane], Is.EqualTo(e).Within(1e-5 * (1 + Math.Abs(e))), $"F({m}) input transform, width {b}, ξ=({i},{k})");
                }
        // Output: M as produced above ([ξ][b]), bias 0, into an m×m plane.
        var y = new float[m * m * b];
        var bias = new float[b];
        fixed (float* pv = v, ps = scratch, py = y, pb = bias)
            WinogradTransforms<TVec>.Output<BiasEpilogue>(m, pv, b, ps, py, null, pb, m, m, 0, 0);
        for (int lane = 0; lane < b; lane++)
            for (int i = 0; i < m; i++)
                for (int k = 0; k < m; k++)
                {
                    double e = 0;
                    for (int r = 0; r < n; r++)
                        for (int c = 0; c < n; c++) e += t.AT[i, r] * v[(r * n + c) * b + lane] * t.AT[k, c];
                    Assert.That(y[(i * m + k) * b + lane], Is.EqualTo(e).Within(1e-4 * (1 + Math.Abs(e))), $"F({m}) output transform, width {b}, ({i},{k})");
                }
    }

    public static IEnumerable<TestCaseData> RandomCases()
    {
        var random = new Random(20261130);
        int[] channels = [3, 13, 16, 17, 33, 64];
        int[] outChannels = [3, 13, 17, 33, 64, 80];
        for (int i = 0; i < 40; i++)
        {
            int c = channels[random.Next(channels.Length)], m = outChannels[random.Next(outChannels.Length)];
            int pad = random.Next(3) == 0 ? 0 : 1;
            bool asymmetric = random.Next(4) == 0;
            int pt = pad, pl = pad, pb = asymmetric ? random.Next(0, 3) : pad, pr = asymmetric ? random.Next(0, 3) : pad;
            int inH = Math.Max(random.Next(1, 20), 3 - pt - pb), inW = Math.Max(random.Next(1, 23), 3 - pl - pr);
            int n = random.Next(1, 4);
            var epilogue = new ConvEpilogue(random.Next(2) == 0, random.Next(2) == 0);
            bool bias = random.Next(4) != 0;
            var w = ConvCase.MakeWindow((1, inH, inW), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, pt, pl), (0, pb, pr));
            string name = $"{i:00}_n{n}_c{c}_m{m}_{inH}x{inW}_p{pt}{pl}{pb}{pr}_{(epilogue.Residual ? "res" : "")}{(epilogue.Relu ? "relu" : "")}{(bias ? "" : "_nobias")}";
            yield return new TestCaseData(new ConvShape(n, c, m, 1, w, epilogue), bias).SetName($"Run_{name}_MatchesFloat64AndDirect");
        }
        // Grouped layers of whole blocks (ResNeXt's groups of 16 and more): groups of 16, 32 and 48 channels in and out, 2–4
        // groups, odd planes, batch 1–3, every epilogue.
        int[] groupChannels = [16, 32, 48];
        for (int i = 0; i < 16; i++)
        {
            int groups = random.Next(2, 5), cg = groupChannels[random.Next(groupChannels.Length)], mg = groupChannels[random.Next(groupChannels.Length)];
            int pad = random.Next(4) == 0 ? 0 : 1;
            int inH = Math.Max(random.Next(1, 18), 3 - 2 * pad), inW = Math.Max(random.Next(1, 19), 3 - 2 * pad);
            int n = random.Next(1, 4);
            var epilogue = new ConvEpilogue(random.Next(2) == 0, random.Next(2) == 0);
            bool bias = random.Next(4) != 0;
            var w = ConvCase.MakeWindow((1, inH, inW), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, pad, pad), (0, pad, pad));
            string name = $"g{i:00}_n{n}_g{groups}x{cg}to{mg}_{inH}x{inW}_p{pad}_{(epilogue.Residual ? "res" : "")}{(epilogue.Relu ? "relu" : "")}{(bias ? "" : "_nobias")}";
            yield return new TestCaseData(new ConvShape(n, groups * cg, groups * mg, groups, w, epilogue), bias).SetName($"Run_{name}_MatchesFloat64AndDirect");
        }
        // ResNeXt-50's grouped planes: 32 groups of 16 at 14×14 and of 32 at 7×7, on the residual-free epilogue it has there.
        foreach ((int side, int width) in new[] { (14, 16), (7, 32) })
        {
            var w = ConvCase.MakeWindow((1, side, side), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1));
            yield return new TestCaseData(new ConvShape(1, 32 * width, 32 * width, 32, w, new ConvEpilogue(false, true)), true).SetName($"Run_resnext_plane_{side}_g32x{width}_MatchesFloat64AndDirect");
        }
        // ResNet's planes: 56 (F4 tiles exact), 28, 14 (F4 cut by the border), 7 (one partial tile row), and a 1×1 plane.
        foreach (int side in new[] { 56, 28, 14, 7, 1 })
        {
            var w = ConvCase.MakeWindow((1, side, side), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1));
            yield return new TestCaseData(new ConvShape(1, 32, 48, 1, w, new ConvEpilogue(true, true)), true).SetName($"Run_resnet_plane_{side}_MatchesFloat64AndDirect");
        }
    }

    [TestCaseSource(nameof(RandomCases))]
    public void Run_Case_MatchesFloat64AndDirect(object shapeCase, bool bias) => // boxed: NUnit runs public methods, ConvShape is internal
        Check((ConvShape)shapeCase, bias, shapeCase.GetHashCode());

    /// <summary>
    /// The slice each product step prefetches (<c>NextSliceOf</c>) is the one the next step of the same output set reads,
    /// in the products' order (ξ outer, the set's output groups inner), inside U; the last step asks for nothing. ResNet-50's
    /// 14×14 and 7×7 shapes (one set, and two sets at 2 threads), and an odd channel count that leaves a narrower last group.
    /// </summary>
    [Test]
    public void NextSlice_IsWhatTheNextProductReads()
    {
        RequireBlockedTier();
        ConvShape Shape(int c, int plane) => new(1, c, c, 1, ConvCase.MakeWindow((1, plane, plane), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1)));
        foreach (CpuIsa isa in Tiers)
            foreach ((ConvShape shape, WinogradMatrices transform) in new[] { (Shape(256, 14), WinogradMatrices.F2), (Shape(512, 7), WinogradMatrices.F2), (Shape(80, 28), WinogradMatrices.F4) })
                foreach (ParallelRunner runner in new[] { One, Two })
                {
                    var plan = new WinogradPlan(shape, Tensor.FromArray(new float[shape.WeightLength], (int)shape.WeightLength), transform, CpuPlatform.Create(isa), runner,
                        null, BlockedTuning.WinogradTilesBroadcast);
                    var (xiCount, outBlocks, tileBlocks, sets, perSet, uFloats) = plan.SliceLayout;
                    string where = $"{shape} {transform} on {isa}, {runner.Threads} thread(s), {sets} set(s)";
                    for (int set = 0; set < sets; set++)
                    {
                        int mb0 = set * perSet, mb1 = Math.Min(outBlocks, mb0 + perSet);
                        var order = new List<(int Xi, int Ob)>();
                        for (int xi = 0; xi < xiCount; xi++)
                            for (int ob = mb0; ob < mb1; ob += tileBlocks) order.Add((xi, ob));
                        for (int i = 0; i < order.Count; i++)
                        {
                            var (xi, ob) = order[i];
                            var read = plan.SliceOf(xi, ob, mb1);
                            Assert.That(read.Offset >= 0 && read.Offset + read.Floats <= uFloats, Is.True, $"{where}: step {i} reads outside U");
                            var next = plan.NextSliceOf(xi, ob, mb0, mb1);
                            var expected = i + 1 < order.Count ? plan.SliceOf(order[i + 1].Xi, order[i + 1].Ob, mb1) : (0L, 0L);
                            Assert.That(next, Is.EqualTo(expected), $"{where}: step {i} (ξ {xi}, block {ob})");
                        }
                    }
                }
    }

    /// <summary>The in-register 16 × 16 transpose against the definition, in place and into another block, rows past the chunk's read as zeros.</summary>
    [Test]
    public unsafe void TileLanes_Transpose_MatchesDefinition()
    {
        RequireTileLanes();
        var random = new Random(16);
        foreach (int rows in new[] { 16, 13, 12, 1 })
        {
            var block = new float[256];
            for (int i = 0; i < block.Length; i++) block[i] = (float)random.NextDouble();
            var before = (float[])block.Clone();
            var apart = new float[256];
            fixed (float* p = block, q = apart) WinogradTileLanes.TransposeInto(p, rows, q);
            Assert.That(block, Is.EqualTo(before), $"{rows} rows: the source of a transpose into another block is left as it was");
            fixed (float* p = block) WinogradTileLanes.TransposeInPlace(p, rows);
            for (int i = 0; i < 16; i++)
                for (int j = 0; j < 16; j++)
                {
                    Assert.That(block[j * 16 + i], Is.EqualTo(i < rows ? before[i * 16 + j] : 0f), $"{rows} rows: row {i}, lane {j}");
                    Assert.That(apart[j * 16 + i], Is.EqualTo(block[j * 16 + i]), $"{rows} rows, into another block: row {i}, lane {j}");
                }
        }
    }

    /// <summary>
    /// Chunks of 12–16 tiles (7×7 planes at batch 1 for F(2×2), 14×14 for F(4×4), a 6×8 plane's 12 F(2×2) tiles, two
    /// output sets at 2 threads) with the tiles in the lanes give the tile kernels' answers bit for bit: the same fused
    /// multiply-adds in the same channel order. Odd channel counts, every epilogue, with and without bias.
    /// </summary>
    [Test]
    public void TileLanes_BitIdenticalToTileKernels()
    {
        RequireTileLanes();
        var platform = CpuPlatform.Create(CpuIsa.Avx512);
        var random = new Random(1216);
        var cases = new List<(int C, int M, int H, int W, WinogradMatrices T, ConvEpilogue E)>
        {
            (48, 80, 7, 7, WinogradMatrices.F2, new ConvEpilogue(true, true)),
            (35, 64, 7, 7, WinogradMatrices.F2, new ConvEpilogue(false, true)),
            (17, 33, 6, 8, WinogradMatrices.F2, new ConvEpilogue(true, false)),
            (64, 48, 14, 14, WinogradMatrices.F4, new ConvEpilogue(false, false)),
        };
        // Random F(2×2) shapes of 12–16 tiles: odd channel counts, planes 5–8 on a side with at least one side of 4 tiles.
        int[] channels = [3, 13, 17, 33, 40], outChannels = [13, 17, 33, 64, 80];
        for (int i = 0; i < 8; i++)
        {
            int h = random.Next(7, 9), wd = random.Next(5, 9);
            if (random.Next(2) == 0) (h, wd) = (wd, h);
            cases.Add((channels[random.Next(channels.Length)], outChannels[random.Next(outChannels.Length)], h, wd, WinogradMatrices.F2,
                new ConvEpilogue(random.Next(2) == 0, random.Next(2) == 0)));
        }
        foreach (var (c, m, h, wd, transform, epilogue) in cases)
            foreach (bool hasBias in new[] { true, false })
                foreach (ParallelRunner runner in new[] { One, Two })
                {
                    var (shape, tensor, bias, xb, rb, length) = RandomLayer(random, platform, c, m, h, wd, epilogue, hasBias);
                    var lanes = new WinogradPlan(shape, tensor, transform, platform, runner, null, BlockedTuning.Default);
                    var broadcast = new WinogradPlan(shape, tensor, transform, platform, runner, null, BlockedTuning.WinogradTilesBroadcast);
                    string where = $"{shape} F({transform.M}×{transform.M}), {runner.Threads} thread(s), bias {hasBias}";
                    Assert.That(lanes.Description, Does.Contain("tiles in the lanes"), where);
                    Assert.That(broadcast.Description, Does.Not.Contain("tiles in the lanes"), where);
                    BlockedOutputAssert.SameBits(BlockedOutputAssert.Run(broadcast, xb, bias, rb, length), BlockedOutputAssert.Run(lanes, xb, bias, rb, length),
                        $"{where}: the tiles in the lanes against the tile kernels");
                }
    }

    /// <summary>
    /// Output sets of one chunk in the lanes (12–16 tiles: 7×7 F(2×2) and 14×14 F(4×4) planes at batch 1 on several threads) share one
    /// input transform, split by input channel blocks in a loop of its own (<see cref="BlockedTuning.WinogradSharedV"/>; by default
    /// from 3 threads up, here from 2):
    /// the same answers bit for bit as sets that each transform the input themselves, on 2 and 3 threads and with every
    /// loop run inline on one thread (as inside another loop). Odd channel counts, every epilogue.
    /// </summary>
    [Test]
    public void SharedV_BitIdenticalToSetsTransformingInput()
    {
        RequireTileLanes();
        var platform = CpuPlatform.Create(CpuIsa.Avx512);
        var random = new Random(1930);
        var cases = new (int C, int M, int H, int W, WinogradMatrices T, ConvEpilogue E)[]
        {
            (35, 64, 7, 7, WinogradMatrices.F2, new ConvEpilogue(false, true)),
            (17, 40, 6, 8, WinogradMatrices.F2, new ConvEpilogue(true, true)),
            (48, 64, 14, 14, WinogradMatrices.F4, new ConvEpilogue(false, false)),
            (20, 72, 13, 15, WinogradMatrices.F4, new ConvEpilogue(true, false)),
        };
        using var three = new ParallelRunner(3);
        foreach (var (c, m, h, wd, transform, epilogue) in cases)
            foreach (ParallelRunner runner in new[] { Two, three })
            {
                var (shape, tensor, bias, xb, rb, length) = RandomLayer(random, platform, c, m, h, wd, epilogue, hasBias: true);
                var shared = new WinogradPlan(shape, tensor, transform, platform, runner, null, BlockedTuning.WinogradSharedVOnTwoThreads);
                var own = new WinogradPlan(shape, tensor, transform, platform, runner, null, BlockedTuning.WinogradSetsTransformInput);
                var byDefault = new WinogradPlan(shape, tensor, transform, platform, runner, null, BlockedTuning.Default);
                string where = $"{shared.Description}: {shape}, {runner.Threads} threads";
                Assert.That(shared.Description, Does.Contain("one shared input transform"), where);
                Assert.That(own.Description, Does.Contain("output sets").And.Not.Contain("shared"), where);
                // By default the sets share V from 3 threads up only (BlockedTuning.WinogradSharedVMinThreads).
                Assert.That(byDefault.Description.Contains("shared"), Is.EqualTo(runner.Threads >= 3), $"{byDefault.Description}: {runner.Threads} threads");
                float[] expected = BlockedOutputAssert.Run(own, xb, bias, rb, length);
                BlockedOutputAssert.SameBits(expected, BlockedOutputAssert.Run(shared, xb, bias, rb, length), $"{where}: a shared V against each set's own");
                float[] inline = [];
                runner.For(2, i => { if (i == 0) inline = BlockedOutputAssert.Run(shared, xb, bias, rb, length); });
                BlockedOutputAssert.SameBits(expected, inline, $"{where}: a shared V on one thread against each set's own");
            }
    }

    /// <summary>
    /// The input transform in the lanes through a staging block (<see cref="BlockedTuning.WinogradLanesStaging"/>) gives the answers
    /// of the transform written into V and transposed in place, bit for bit: the same values, moved otherwise. Chunks of 12–16
    /// tiles at batch 1 and 3 (one chunk per image there), each set transforming the input itself and a shared V, on 1, 2 and
    /// 3 threads. Odd channel counts, every epilogue; a staged transform that dropped a tile or a channel block fails here.
    /// </summary>
    [Test]
    public void LanesStaging_BitIdenticalToInPlace()
    {
        RequireTileLanes();
        var platform = CpuPlatform.Create(CpuIsa.Avx512);
        var random = new Random(2424);
        var cases = new (int C, int M, int H, int W, int Batch, WinogradMatrices T, ConvEpilogue E)[]
        {
            (35, 64, 7, 7, 1, WinogradMatrices.F2, new ConvEpilogue(false, true)),
            (48, 80, 7, 7, 3, WinogradMatrices.F2, new ConvEpilogue(true, true)),
            (17, 40, 6, 8, 1, WinogradMatrices.F2, new ConvEpilogue(true, false)),
            (20, 33, 8, 6, 2, WinogradMatrices.F2, new ConvEpilogue(false, false)),
            (48, 64, 14, 14, 1, WinogradMatrices.F4, new ConvEpilogue(false, true)),
        };
        using var three = new ParallelRunner(3);
        int batchesInLanes = 0;
        foreach (var (c, m, h, wd, batch, transform, epilogue) in cases)
            foreach (ParallelRunner runner in new[] { One, Two, three })
                foreach (var (staged, inPlace) in new[] { (BlockedTuning.Default, BlockedTuning.WinogradLanesInPlace),
                    (BlockedTuning.WinogradSharedVOnTwoThreads, BlockedTuning.WinogradSharedVOnTwoThreads with { WinogradLanesStaging = false }) })
                {
                    var (shape, tensor, bias, xb, rb, length) = RandomLayer(random, platform, c, m, h, wd, epilogue, hasBias: true, batch);
                    var plan = new WinogradPlan(shape, tensor, transform, platform, runner, null, staged);
                    var before = new WinogradPlan(shape, tensor, transform, platform, runner, null, inPlace);
                    string where = $"{plan.Description}: {shape}, {runner.Threads} thread(s)";
                    // A batch runs in the lanes where each thread takes one image's chunk (batch 2 on 2 threads, 3 on 3); on
                    // fewer threads its chunks span images and the tile kernels run, staging nothing.
                    if (batch > 1 && !plan.Description.Contains("tiles in the lanes")) continue;
                    Assert.That(plan.Description, Does.Contain("tiles in the lanes (staged)"), where);
                    Assert.That(before.Description, Does.Contain("tiles in the lanes").And.Not.Contain("staged"), where);
                    BlockedOutputAssert.SameBits(BlockedOutputAssert.Run(before, xb, bias, rb, length), BlockedOutputAssert.Run(plan, xb, bias, rb, length),
                        $"{where}: staged against in place");
                    if (batch > 1) batchesInLanes++;
                }
        Assert.That(batchesInLanes, Is.GreaterThanOrEqualTo(4), "batches whose chunks (one per image, not the first) ran in the lanes");
    }

    /// <summary>
    /// Each ξ's products written over V[ξ − 1] (<see cref="BlockedTuning.WinogradMOverV"/>) give the answers of M after V bit for
    /// bit, and take less workspace: F(2×2) and F(4×4), the tile kernels and the tiles in the lanes, output sets, batches whose
    /// chunks span images, 1–3 threads, every blocked tier, odd channels and every epilogue. A set wider than the input's
    /// blocks keeps M after V. Writing M[ξ] over V[ξ] (still read by its own products) or V[ξ + 1] (not yet read) fails here.
    /// </summary>
    [Test]
    public void MOverV_BitIdenticalToMApart()
    {
        RequireBlockedTier();
        var random = new Random(2525);
        var cases = new (int C, int M, int H, int W, int Batch, WinogradMatrices T, ConvEpilogue E)[]
        {
            (64, 64, 14, 14, 1, WinogradMatrices.F2, new ConvEpilogue(false, true)),
            (35, 33, 11, 9, 2, WinogradMatrices.F2, new ConvEpilogue(true, true)),
            (48, 64, 7, 7, 1, WinogradMatrices.F2, new ConvEpilogue(true, false)),
            (40, 40, 28, 28, 1, WinogradMatrices.F4, new ConvEpilogue(false, false)),
            (17, 40, 10, 13, 3, WinogradMatrices.F4, new ConvEpilogue(true, true)),
        };
        using var three = new ParallelRunner(3);
        int over = 0, apart = 0;
        foreach (CpuIsa isa in Tiers)
            foreach (var (c, m, h, wd, batch, transform, epilogue) in cases)
                foreach (ParallelRunner runner in new[] { One, Two, three })
                {
                    var platform = CpuPlatform.Create(isa);
                    var (shape, tensor, bias, xb, rb, length) = RandomLayer(random, platform, c, m, h, wd, epilogue, hasBias: true, batch);
                    var plan = new WinogradPlan(shape, tensor, transform, platform, runner, null, BlockedTuning.Default);
                    var before = new WinogradPlan(shape, tensor, transform, platform, runner, null, BlockedTuning.WinogradMApart);
                    string where = $"{plan.Description}: {shape} on {isa}, {runner.Threads} thread(s)";
                    Assert.That(before.MOverV, Is.False, where);
                    // The blocks of M a set writes per ξ against V's slice of input blocks.
                    var (_, outBlocks, _, _, perSet, _) = plan.SliceLayout;
                    bool wider = Math.Min(perSet, outBlocks) > BlockedLayout.PaddedChannels(c, platform.BlockSize) / platform.BlockSize;
                    if (wider || plan.Description.Contains("shared input transform")) Assert.That(plan.MOverV, Is.False, $"{where}: M after V");
                    if (!plan.MOverV) { apart++; continue; }
                    over++;
                    Assert.That(plan.WorkspaceBytes, Is.LessThan(before.WorkspaceBytes), $"{where}: less workspace");
                    BlockedOutputAssert.SameBits(BlockedOutputAssert.Run(before, xb, bias, rb, length), BlockedOutputAssert.Run(plan, xb, bias, rb, length),
                        $"{where}: M over V against M after V");
                }
        Assert.That(over, Is.GreaterThanOrEqualTo(8 * Tiers.Count()), "cases that wrote M over V");
        Assert.That(apart, Is.GreaterThan(0), "a set wider than the input (or a shared V) keeps M after V");
        TestContext.Progress.WriteLine($"M over V in {over} cases, apart in {apart}");
    }

    [Test]
    public void Supports_OnlyStride1Dense3x3()
    {
        ConvShape Shape(int k, int s, int d, int group) => new(1, 16, 16, group, ConvCase.MakeWindow((1, 9, 9), (1, k, k), (1, s, s), (1, d, d), (0, 1, 1), (0, 1, 1)));
        Assert.That(WinogradPlan.Supports(Shape(3, 1, 1, 1), 16), Is.True);
        Assert.That(WinogradPlan.Supports(Shape(3, 1, 1, 1), 8), Is.True);
        Assert.That(WinogradPlan.Supports(Shape(3, 1, 1, 1), 0), Is.False, "no blocked tier");
        Assert.That(WinogradPlan.Supports(Shape(3, 2, 1, 1), 16), Is.False, "stride 2");
        Assert.That(WinogradPlan.Supports(Shape(3, 1, 2, 1), 16), Is.False, "dilation 2");
        Assert.That(WinogradPlan.Supports(Shape(1, 1, 1, 1), 16), Is.False, "1×1");
        Assert.That(WinogradPlan.Supports(Shape(3, 1, 1, 4), 16), Is.False, "groups of 4 channels (the diagonal kernel's)");
        ConvShape Grouped(int c, int m, int group) => new(1, c, m, group, ConvCase.MakeWindow((1, 9, 9), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1)));
        Assert.That(WinogradPlan.Supports(Grouped(512, 512, 32), 16), Is.True, "32 groups of 16 (ResNeXt-50's layer3)");
        Assert.That(WinogradPlan.Supports(Grouped(512, 512, 32), 8), Is.True, "groups of 16 are two blocks of 8");
        Assert.That(WinogradPlan.Supports(Grouped(1024, 1024, 32), 16), Is.True, "32 groups of 32 (layer4)");
        Assert.That(WinogradPlan.Supports(Grouped(256, 256, 32), 16), Is.False, "groups of 8 (the diagonal kernel's)");
        Assert.That(WinogradPlan.Supports(Grouped(256, 256, 32), 8), Is.False, "groups of 8, whole blocks of 8 but under the narrowest group taken");
        Assert.That(WinogradPlan.Supports(Grouped(48, 48, 2), 16), Is.False, "groups of 24: not whole blocks of 16");
        Assert.That(WinogradPlan.Supports(Grouped(48, 48, 2), 8), Is.True, "groups of 24: three blocks of 8");
        Assert.That(WinogradPlan.Supports(Grouped(32, 48, 2), 16), Is.False, "24 output channels per group");
    }

    /// <summary>
    /// One- and two-block groups on AVX-512 (<see cref="GroupedWinogradBatches"/>:
    /// batches of 10 or 8 tiles, transforms in registers inside the plane) give the general grouped path's values exactly: the
    /// same sums in the same order. Planes whose tiles all lie inside, cut by the border on every side, narrower than a batch,
    /// and longer than a task's chunk; batch 2, every epilogue, 1 and 2 threads.
    /// </summary>
    [TestCase(16, "one-block groups")]
    [TestCase(32, "two-block groups")]
    public void FusedGroups_EqualTheGeneralGroupedPath(int groupChannels, string described)
    {
        RequireBlockedTier();
        if (!Tiers.Contains(CpuIsa.Avx512)) References.Unavailable("No AVX-512 tier on this machine (or capped by CARDINAL_CPU_ISA): one-block groups of 16 channels need AVX-512F.");
        var platform = CpuPlatform.Create(CpuIsa.Avx512);
        var random = new Random(35);
        foreach ((int h, int wd, int pad, int batch) in new[] { (14, 14, 1, 1), (14, 14, 0, 2), (7, 9, 1, 2), (3, 3, 1, 1), (28, 28, 1, 1), (5, 30, 1, 1) })
            foreach (var epilogue in new[] { new ConvEpilogue(false, true), new ConvEpilogue(true, true), new ConvEpilogue(true, false) })
                foreach (ParallelRunner runner in new[] { One, Two })
                {
                    int channels = 4 * groupChannels;
                    var shape = new ConvShape(batch, channels, channels, 4, ConvCase.MakeWindow((1, h, wd), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, pad, pad), (0, pad, pad)), epilogue);
                    float[] x = RandomArray(random, shape.InputLength), weight = RandomArray(random, shape.WeightLength), bias = RandomArray(random, channels);
                    float[] residual = epilogue.Residual ? RandomArray(random, shape.OutputLength) : [];
                    var tensor = Tensor.FromArray(weight, weight.Length);
                    (float[] xb, float[] rb, long length) = BlockedOutputAssert.BlockedOperands(shape, x, residual, 16);
                    var fused = new WinogradPlan(shape, tensor, WinogradMatrices.F2, platform, runner, null, BlockedTuning.Default);
                    var general = new WinogradPlan(shape, tensor, WinogradMatrices.F2, platform, runner, null, BlockedTuning.WinogradGroupsGeneral);
                    Assert.That(fused.Description, Does.Contain(described), "the default takes the fused loop");
                    Assert.That(general.Description, Does.Not.Contain(described));
                    string where = $"{shape}, {runner.Threads} thread(s)";
                    Assert.That(BlockedOutputAssert.Run(fused, xb, bias, rb, length), Is.EqualTo(BlockedOutputAssert.Run(general, xb, bias, rb, length)), where);
                }
    }

    [Test]
    public void Selection_GroupedLayers_F2ForGroupsOfOneOrTwoAvx512Blocks()
    {
        ConvShape Grouped(int c, int m, int group, int side = 14) => new(1, c, m, group, ConvCase.MakeWindow((1, side, side), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1)));
        Assert.That(WinogradSelection.Choose(Grouped(512, 512, 32), 16), Is.SameAs(WinogradMatrices.F2), "32 groups of 16 (ResNeXt-50's layer3)");
        Assert.That(WinogradSelection.Choose(Grouped(512, 512, 32, 28), 16), Is.SameAs(WinogradMatrices.F2), "F(2×2) even where a dense layer would take F(4×4)");
        Assert.That(WinogradSelection.Choose(Grouped(1024, 1024, 32, 7), 16), Is.SameAs(WinogradMatrices.F2), "32 groups of 32 (layer4)");
        Assert.That(WinogradSelection.Choose(Grouped(2048, 2048, 32, 7), 16), Is.Null, "groups of 64: the direct kernel");
        Assert.That(WinogradSelection.Choose(Grouped(512, 1024, 32), 16), Is.Null, "16 channels in, 32 out per group");
        Assert.That(WinogradSelection.Choose(Grouped(512, 512, 32), 8), Is.Null, "AVX2: the general path only, not chosen");
        Assert.That(WinogradSelection.Choose(Grouped(256, 256, 32), 16), Is.Null, "groups of 8: the diagonal kernel");
        Assert.That(WinogradSelection.Choose(Grouped(512, 512, 32), 16, BlockedTuning.Default with { WinogradOneBlockGroups = false }), Is.Null);
        Assert.That(WinogradSelection.Choose(Grouped(1024, 1024, 32, 7), 16, BlockedTuning.Default with { WinogradTwoBlockGroups = false }), Is.Null);
        Assert.That(WinogradSelection.Choose(Grouped(512, 512, 32), 16, BlockedTuning.Default with { WinogradTwoBlockGroups = false }), Is.SameAs(WinogradMatrices.F2));
    }

    private static float[] RandomArray(Random random, long length) => TestModels.RandomData(random, length);

    /// <summary>A random padded 3×3 layer of batch 1 on <paramref name="platform"/>'s block: its weights, bias, blocked input and residual, and the blocked output's length.</summary>
    private static (ConvShape Shape, Tensor Weights, float[] Bias, float[] X, float[] Residual, long Length) RandomLayer(Random random, CpuPlatform platform,
        int c, int m, int h, int wd, ConvEpilogue epilogue, bool hasBias, int batch = 1)
    {
        var shape = new ConvShape(batch, c, m, 1, ConvCase.MakeWindow((1, h, wd), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1)), epilogue);
        float[] weight = RandomArray(random, shape.WeightLength), bias = hasBias ? RandomArray(random, m) : [];
        int b = platform.BlockSize, cp = BlockedLayout.PaddedChannels(c, b), mp = BlockedLayout.PaddedChannels(m, b);
        float[] xb = new float[(long)batch * cp * shape.Window.InSize], rb = new float[epilogue.Residual ? (long)batch * mp * shape.Window.OutSize : 0];
        ReorderReference.ToBlocked(RandomArray(random, shape.InputLength), xb, batch, c, shape.Window.InSize, b);
        if (epilogue.Residual) ReorderReference.ToBlocked(RandomArray(random, shape.OutputLength), rb, batch, m, shape.Window.OutSize, b);
        return (shape, Tensor.FromArray(weight, weight.Length), bias, xb, rb, (long)batch * mp * shape.Window.OutSize);
    }

    /// <summary>Direct 3×3 stride-1 correlation in double, then bias, residual, ReLU.</summary>
    private static double[] Float64Conv(ConvShape shape, float[] x, float[] weight, float[] bias, float[] residual)
    {
        Window3D w = shape.Window;
        int c = shape.Channels, m = shape.OutChannels, cg = shape.ChannelsPerGroup, mg = shape.OutChannelsPerGroup;
        var y = new double[shape.OutputLength];
        for (int n = 0; n < shape.Batch; n++)
            for (int o = 0; o < m; o++)
                for (int oh = 0; oh < w.OutH; oh++)
                    for (int ow = 0; ow < w.OutW; ow++)
                    {
                        double s = bias.Length > 0 ? bias[o] : 0;
                        // Output channel o reads its group's input channels c0 … c0 + cg − 1; weights are [M][C/group][3][3].
                        int c0 = o / mg * cg;
                        for (int ci = 0; ci < cg; ci++)
                            for (int kh = 0; kh < 3; kh++)
                            {
                                int ih = oh - w.PadH + kh;
                                if ((uint)ih >= (uint)w.InH) continue;
                                for (int kw = 0; kw < 3; kw++)
                                {
                                    int iw = ow - w.PadW + kw;
                                    if ((uint)iw >= (uint)w.InW) continue;
                                    s += (double)x[((n * c + c0 + ci) * w.InH + ih) * w.InW + iw] * weight[((o * cg + ci) * 3 + kh) * 3 + kw];
                                }
                            }
                        long at = ((long)(n * m + o) * w.OutH + oh) * w.OutW + ow;
                        if (shape.Epilogue.Residual) s += residual[at];
                        y[at] = shape.Epilogue.Relu ? Math.Max(s, 0) : s;
                    }
        return y;
    }

    private static unsafe void Check(ConvShape shape, bool hasBias, int seed)
    {
        Window3D w = shape.Window;
        int n = shape.Batch, c = shape.Channels, m = shape.OutChannels;
        var random = new Random(seed);
        float[] x = RandomArray(random, shape.InputLength), weight = RandomArray(random, shape.WeightLength);
        float[] bias = hasBias ? RandomArray(random, m) : [];
        float[] residual = shape.Epilogue.Residual ? RandomArray(random, shape.OutputLength) : [];
        double[] exact = Float64Conv(shape, x, weight, bias, residual);
        // The contract is relative to the output's magnitude (Winograd's error scales with it, not with each value).
        double scale = Math.Max(1, exact.Max(Math.Abs));
        var tensor = Tensor.FromArray(weight, weight.Length);

        RequireBlockedTier();
        int tiersRun = 0;
        foreach (CpuIsa isa in Tiers)
        {
            var platform = CpuPlatform.Create(isa);
            if (!WinogradPlan.Supports(shape, platform.BlockSize)) continue;
            tiersRun++;
            int b = platform.BlockSize, mp = BlockedLayout.PaddedChannels(m, b);
            (float[] xb, float[] rb, long length) = BlockedOutputAssert.BlockedOperands(shape, x, residual, b);
            var yd = new float[shape.OutputLength];
            ReorderReference.FromBlocked(BlockedOutputAssert.Run(new BlockedDirectPlan(shape, tensor, platform, One), xb, bias, rb, length), yd, n, m, mp, w.OutSize, b);
            foreach (var transform in Variants)
                foreach (ParallelRunner runner in new[] { One, Two })
                    foreach (var tuning in new[] { BlockedTuning.Default, BlockedTuning.WinogradTilesBroadcast, BlockedTuning.WinogradSharedVOnTwoThreads, BlockedTuning.WinogradLanesInPlace, BlockedTuning.WinogradGroupsGeneral })
                {
                    var plan = new WinogradPlan(shape, tensor, transform, platform, runner, null, tuning);
                    string where = $"{plan.Description}: {shape} on {isa} (b={b}), {runner.Threads} thread(s)";
                    float[] yb = BlockedOutputAssert.Run(plan, xb, bias, rb, length);
                    float[] y = BlockedOutputAssert.Layout(yb, shape, b, where);
                    // F(4×4)'s float32 error reaches a few 1e-6 of the output's scale per value; 3e-5 is the layer contract.
                    double tol = 3e-5 * scale;
                    for (int i = 0; i < y.Length; i++)
                    {
                        if (!(Math.Abs(y[i] - exact[i]) <= tol))
                            Assert.Fail($"{where}: y[{i}] = {y[i]}, float64 {exact[i]} ± {tol}");
                        if (!(Math.Abs(y[i] - yd[i]) <= tol))
                            Assert.Fail($"{where}: y[{i}] = {y[i]}, direct kernel {yd[i]} ± {tol}");
                    }
                }
        }
        Assert.That(tiersRun, Is.GreaterThan(0), $"{shape}: every case here is one a blocked tier runs by Winograd");
    }
}
