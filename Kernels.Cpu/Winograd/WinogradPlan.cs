using System.Runtime.CompilerServices;
using Cardinal.Epilogues;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Simd;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Winograd;

/// <summary>
/// A stride-1 3×3 convolution (dilation 1; one group, or groups of whole blocks: <see cref="Supports"/>) on channel-blocked
/// values by Winograd's F(m×m, 3×3), m = 4 or 2
/// (<see cref="WinogradMatrices"/>). x is [N][Cp/b][InH][InW][b], y [N][Mp/b][OutH][OutW][b] as for
/// <see cref="BlockedDirectPlan"/>. The output is cut into m×m tiles, numbered image after image; one task carries a
/// chunk of T consecutive tiles (of one image or, where an image has few, of several), for one set of output blocks,
/// through all three stages on its own thread with no barrier:
/// <list type="number">
/// <item>input transform of the chunk's (m+2)² tiles, channels in the vector lanes: V[ξ][Cp/b][T][b];</item>
/// <item>(m+2)² products M[ξ] = V[ξ] · U[ξ], each a blocked pointwise convolution over the T tiles, run by the
/// direct kernel's own register tiles (6 tiles × 4 blocks of 16 on AVX-512, 6 × 2 of 8 on AVX2), or, for chunks of
/// 12–16 tiles on AVX-512, with the tiles in the vector lanes (<see cref="WinogradTileLanes"/>: the same sums, U read once
/// in one steady stream);</item>
/// <item>output transform, with bias, residual and ReLU applied as each pixel is stored.</item>
/// </list>
/// T is sized so that one task's V and M stay in L2 (in L3 where U does not fit L2); where the task has a V of its own, it
/// writes M[ξ] over V[ξ − 1], which the products of ξ − 1 read for the last time, so the two take ξ + 1 slices, not 2ξ
/// (<see cref="BlockedTuning.WinogradMOverV"/>). Each chunk streams its set's U
/// once, so a chunk across images reads U once for all of them: at batch 8, chunks of one 7×7 image had streamed
/// layer4's 16 MiB U eight times (NOTES "Winograd chunks across images"). The tiles are split so that each thread has
/// its own; only where they are too few (7×7 planes at batch 1) are the output blocks split into sets, each thread
/// streaming its own share of U. On 3 threads and more (by default), sets in the lanes share one input transform, done first in a loop of
/// its own split by input channel blocks (<see cref="BlockedTuning.WinogradSharedV"/>); otherwise each set repeats it, through
/// a staging block in L1 (<see cref="BlockedTuning.WinogradLanesStaging"/>). U = G g Gᵀ is computed once, in double, and packed like a pointwise
/// filter per ξ (its output blocks in groups of the register tile's, or one by one for the tiles in the lanes); the plan
/// holds no copy of the direct filter.
/// A grouped layer runs one task per (group, chunk), each transforming only its group's input blocks and multiplying by its
/// group's U; groups of one block in and out at F(2×2) on AVX-512 (ResNeXt's 16-channel groups, the only grouped layers the
/// selection sends here) and of two blocks (32-channel groups) run all three stages per batch of tiles in one loop
/// (<see cref="GroupedWinogradBatches"/>).
/// Twin: <see cref="Reference.ConvReference"/> between reorders, and <see cref="BlockedDirectPlan"/> (tests).
/// </summary>
internal sealed unsafe class WinogradPlan : ConvPlan
{
    /// <summary>Bytes of one task's V and M that should stay in L2 (half of this machine's 1 MiB per core, leaving room for U).</summary>
    private const int SmallFilterChunkBytes = 512 * 1024;
    /// <summary>Bytes of V and M per chunk when U itself does not fit L2 (a share of the 32 MiB L3).</summary>
    private const int LargeFilterChunkBytes = 3 * 1024 * 1024;
    private const int MaxChunkTiles = 64;

    private readonly WinogradMatrices _t;
    private readonly int _m, _n, _xi, _block, _tilePixels, _tileBlocks, _inBlocks, _outBlocks, _tilesH, _tilesW, _chunkTiles, _chunks, _sets, _blocksPerSet;
    /// <summary>
    /// The input blocks one output block reads: every one (<see cref="_inBlocks"/>) with one group; a group's (its channels
    /// over b) in a grouped layer, whose sets are its groups, each transforming only its own input blocks.
    /// </summary>
    private readonly int _groupInBlocks;
    /// <summary>Whether the layer has more than one group: one task per (chunk, group), U per group (<see cref="PackFilter"/>).</summary>
    private readonly bool _grouped;
    /// <summary>
    /// Blocks per group (1 or 2) where each task runs <see cref="GroupedWinogradBatches"/>:
    /// F(2×2), groups of one or two blocks in and out on AVX-512 (<see cref="BlockedTuning.WinogradOneBlockGroups"/>,
    /// <see cref="BlockedTuning.WinogradTwoBlockGroups"/>), all three stages per batch of tiles in one loop; 0: the general path.
    /// </summary>
    private readonly int _fusedBlocks;
    /// <summary>U: per ξ a pointwise blocked filter [Mp/b / R][Cp/b][b_in][r][b_out] (Cp·Mp floats per ξ). Pinned.</summary>
    private readonly float[] _u;
    private readonly float[] _zeroBias;
    /// <summary>Whether each worker's V and M lie in its stripe of the whole workspace (<see cref="BlockedTuning.WorkerStripes"/>).</summary>
    private readonly bool _workerStripes;
    /// <summary>
    /// Whether the products run with the tiles in the lanes (<see cref="WinogradTileLanes"/>; chunks of 12–16 tiles on
    /// AVX-512, <see cref="BlockedTuning.WinogradTileLanes"/>), over U packed one output block per group.
    /// </summary>
    private readonly bool _tileLanes;
    /// <summary>Floats between a chunk's tiles' rows in V and M, over b: the chunk's tiles, or 16 with the tiles in the lanes.</summary>
    private int TileStride => _tileLanes ? WinogradTileLanes.MaxTiles : _chunkTiles;
    /// <summary>
    /// Whether the output sets of one chunk share one V (<see cref="BlockedTuning.WinogradSharedV"/>): a first loop transforms
    /// the input by channel blocks into it, then each set runs its products and output transform; false: each set's task
    /// transforms the whole chunk's input itself.
    /// </summary>
    private readonly bool _sharedV;
    /// <summary>Whether the input transform in the lanes goes through a staging block (<see cref="BlockedTuning.WinogradLanesStaging"/>).</summary>
    private readonly bool _lanesStaging;
    /// <summary>
    /// Whether a task's M[ξ] lies over its V[ξ − 1] (<see cref="BlockedTuning.WinogradMOverV"/>): its part holds ξ + 1 slices of
    /// V's size, M[ξ] in slice ξ and V[ξ] in slice ξ + 1, so the products of ξ write where only the products of ξ − 1 read. Only
    /// with a V of the task's own (not a shared one) and a set of no more output blocks than the input has (M[ξ] fits V[ξ]'s slice).
    /// </summary>
    private readonly bool _mOverV;
    /// <summary>Whether y wants a buffer of its own (<see cref="BlockedTuning.GroupedOutputAlone"/>).</summary>
    private readonly bool _outputAlone;

    public WinogradPlan(ConvShape shape, Tensor weights, WinogradMatrices transform, CpuPlatform platform, ParallelRunner parallel, PackedWeightsCache? cache = null)
        : this(shape, weights, transform, platform, parallel, cache, null)
    {
    }

    /// <param name="shape">A stride-1 3×3 2-D window of one group (<see cref="Supports"/>).</param>
    /// <param name="weights">[M][C][3][3], transformed and packed here once (or taken from <paramref name="cache"/>).</param>
    /// <param name="transform">F(4×4) or F(2×2).</param>
    /// <param name="platform">The tier whose block size and register tiles run.</param>
    /// <param name="parallel">The backend's threads.</param>
    /// <param name="cache">The backend's packed weights, or null for a private copy.</param>
    /// <param name="tuning">Of <see cref="BlockedTuning"/>, <see cref="BlockedTuning.WorkerStripes"/>, <see cref="BlockedTuning.WinogradTileLanes"/>, <see cref="BlockedTuning.WinogradSharedV"/>, <see cref="BlockedTuning.WinogradSharedVMinThreads"/> and <see cref="BlockedTuning.WinogradLanesStaging"/> apply here; null: the default.</param>
    internal WinogradPlan(ConvShape shape, Tensor weights, WinogradMatrices transform, CpuPlatform platform, ParallelRunner parallel, PackedWeightsCache? cache, BlockedTuning? tuning)
        : base(shape, platform, parallel)
    {
        var tune = tuning ?? BlockedTuning.Default;
        _workerStripes = tune.WorkerStripes;
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(transform);
        if (!Supports(shape, platform.BlockSize)) throw new ArgumentException($"Winograd takes stride-1 3×3 2-D windows of one group on a blocked tier; {shape} is not one.", nameof(shape));
        if (weights.Length != shape.WeightLength) throw new ArgumentException($"Weights hold {weights.Length} values; {shape} needs {shape.WeightLength}.", nameof(weights));
        _t = transform;
        _m = transform.M;
        _n = transform.N;
        _xi = _n * _n;
        (_block, _tilePixels, _tileBlocks) = platform.Isa switch
        {
            CpuIsa.Avx512 => (16, BlockedDirectPlan.TilePixelsAvx512, BlockedDirectPlan.TileBlocksAvx512),
            _ => (8, BlockedDirectPlan.TilePixelsAvx2, BlockedDirectPlan.TileBlocksAvx2),
        };
        int b = _block;
        _inBlocks = BlockedLayout.PaddedChannels(shape.Channels, b) / b;
        _outBlocks = BlockedLayout.PaddedChannels(shape.OutChannels, b) / b;
        _grouped = shape.Group > 1;
        // A grouped layer's groups are whole blocks (Supports): each output block reads its group's input blocks only, and a
        // register tile stays inside one group (a tile's blocks share their input).
        _groupInBlocks = _grouped ? shape.ChannelsPerGroup / b : _inBlocks;
        int groupOutBlocks = _grouped ? shape.OutChannelsPerGroup / b : _outBlocks;
        if (_grouped)
        {
            _tileBlocks = Math.Min(_tileBlocks, groupOutBlocks);
            while (groupOutBlocks % _tileBlocks != 0) _tileBlocks--;
            // One-block units take the direct kernel's wider tiles, to keep enough multiply-adds in flight.
            if (_tileBlocks == 1) _tilePixels = b == 16 ? BlockedDirectPlan.WideTilePixelsAvx512 : BlockedDirectPlan.WideTilePixelsAvx2;
        }
        var w = shape.Window;
        _tilesH = (w.OutH + _m - 1) / _m;
        _tilesW = (w.OutW + _m - 1) / _m;
        // The chunks cut the batch's tiles, image after image.
        int tiles = shape.Batch * _tilesH * _tilesW;

        _fusedBlocks = !_grouped || b != 16 || _m != 2 || _groupInBlocks != groupOutBlocks ? 0
            : _groupInBlocks == 1 && tune.WinogradOneBlockGroups ? 1 : _groupInBlocks == 2 && tune.WinogradTwoBlockGroups ? 2 : 0;
        // A task holds V and M of the input and output blocks it handles: all of them, or one group's.
        long bytesPerTile = (long)_xi * (_groupInBlocks + (_grouped ? groupOutBlocks : _outBlocks)) * b * sizeof(float);
        int chunkTiles = Math.Min(tiles, (int)Math.Clamp(ChunkBudget() / bytesPerTile, 1, MaxChunkTiles));
        // The fused loops run their chunk in batches in L1 whatever its length: a chunk of about 50 tiles (ResNeXt's 14×14
        // plane whole) pays each task's start once per plane.
        if (_fusedBlocks > 0)
        {
            int width = GroupedWinogradBatches.Width(_fusedBlocks);
            chunkTiles = Math.Min(tiles, (50 + width - 1) / width * width);
        }
        int chunks = (tiles + chunkTiles - 1) / chunkTiles;
        int threads = parallel.Threads;
        // A grouped layer has a task per group of each chunk, tasks enough for every thread: its chunks follow the budget alone.
        // A whole number of tasks per thread: 7 chunks on 2 threads would leave one thread a quarter idle.
        if (!_grouped && chunks > 1 && chunks % threads != 0) chunks = Math.Min(tiles, (chunks + threads - 1) / threads * threads);
        // One task per thread, tiles first: with at least two register tiles of tiles per thread, each thread transforms
        // only its own tiles (an output set repeats the chunk's whole input transform and keeps a V of every input
        // channel per set); output sets only where the tiles are too few (7×7 planes at batch 1). Two tasks per
        // thread, sets included, had cost ResNet-18 15 % at 2 threads (NOTES "Winograd tasks: tiles before sets").
        if (!_grouped && chunks < threads && tiles >= 2 * _tilePixels * threads) chunks = Math.Min(tiles, threads);
        // Balanced chunks (49 tiles in 2 chunks: 25 + 24, not 48 + 1), a whole number of register tiles where that costs
        // nothing: the same number of chunks, the last one at least 90 % of the others (49 in 30 + 19 had left one of
        // two threads a third idle).
        _chunkTiles = (tiles + chunks - 1) / chunks;
        int rounded = _chunkTiles + (_tilePixels - _chunkTiles % _tilePixels) % _tilePixels;
        if (_chunkTiles > _tilePixels && rounded != _chunkTiles && (tiles + rounded - 1) / rounded == chunks && 10L * (tiles - (chunks - 1L) * rounded) >= 9L * rounded)
            _chunkTiles = rounded;
        _chunks = (tiles + _chunkTiles - 1) / _chunkTiles;
        // The sums are the tile kernels' bit for bit, so this may follow the chunk's width (and so the batch and the threads).
        _tileLanes = tune.WinogradTileLanes && !_grouped && b == 16 && _chunkTiles is >= WinogradTileLanes.MinTiles and <= WinogradTileLanes.MaxTiles
            && WinogradTileLanes.IsSupported;
        // U's output blocks in groups of the register tile's (4 on AVX-512), or one by one for the products with the tiles in
        // the lanes, which read a block's 16 values per channel as one line: reading one block of a group of 4 (a line in
        // four) had cost layer4's 3×3s 0.3–0.7 ms more than the tile kernels. A session that released the raw weights takes
        // the form it holds: the tile kernels run over groups of one block as well.
        bool singleBlocks = _tileLanes;
        if (weights.IsReleased && cache is not null)
        {
            bool grouped = cache.Contains(weights, AlgorithmOf(transform), shape, platform), single = cache.Contains(weights, AlgorithmOf(transform), shape, platform, SingleBlocksVariant);
            if (singleBlocks && !single && grouped) singleBlocks = _tileLanes = false;
            else if (!singleBlocks && !grouped && single) singleBlocks = true;
        }
        if (singleBlocks) _tileBlocks = 1;

        // Output-block sets: enough tasks for every thread even when an image has few tiles (each set a whole number of U's groups).
        int groups = (_outBlocks + _tileBlocks - 1) / _tileBlocks;
        _sets = chunks >= threads ? 1 : Math.Min(groups, (threads + chunks - 1) / chunks);
        _blocksPerSet = (groups + _sets - 1) / _sets * _tileBlocks;
        // A grouped layer's sets are its groups: each task transforms its group's input and multiplies by its group's U alone.
        if (_grouped) _blocksPerSet = groupOutBlocks;
        _sets = (_outBlocks + _blocksPerSet - 1) / _blocksPerSet;
        // Output sets of one chunk in the lanes: one input transform, split by channel blocks, for all of them (each set's
        // task had transformed every tile's input itself: NOTES "Nineteenth sitting"), from 3 threads up: on 2, each set
        // repeating the staged transform ran level or faster (NOTES "Twenty-fourth sitting").
        _sharedV = tune.WinogradSharedV && threads >= Math.Max(2, tune.WinogradSharedVMinThreads) && _chunks == 1 && _sets > 1 && _tileLanes;
        _lanesStaging = _tileLanes && tune.WinogradLanesStaging;
        long outputBytesPerImage = BlockedOutputLength / shape.Batch * sizeof(float);
        _outputAlone = tune.GroupedOutputAlone && _fusedBlocks > 0 && threads > shape.Batch
            && outputBytesPerImage > OutputAloneAboveBytes && outputBytesPerImage <= OutputAloneAtMostBytes;
        _mOverV = tune.WinogradMOverV && !_sharedV && Math.Min(_blocksPerSet, _outBlocks) <= _groupInBlocks;

        // Each chunk streams its set's share of U once: small filters stay in L2 and the chunk's V and M should too;
        // a filter larger than L2 comes from L3 or memory once per chunk, so there the chunks grow (V and M live in L3).
        long ChunkBudget() => (long)_xi * _groupInBlocks * b * _outBlocks * b * sizeof(float) <= 768 * 1024 ? SmallFilterChunkBytes : LargeFilterChunkBytes;
        int tileBlocks = _tileBlocks, inBlocks = _groupInBlocks, outBlocks = _outBlocks;
        if (_fusedBlocks > 0)
        {
            int blocks = _fusedBlocks;
            _u = cache is null ? PackGroupMajor(weights.Floats, shape, transform, b, blocks, outBlocks)
                : cache.GetOrAdd(weights, Algorithm, GroupMajorVariant, shape, platform, () => PackGroupMajor(weights.Floats, shape, transform, b, blocks, outBlocks));
        }
        else if (cache is null) _u = PackFilter(weights.Floats, shape, transform, b, tileBlocks, inBlocks, outBlocks);
        else if (singleBlocks) _u = cache.GetOrAdd(weights, Algorithm, SingleBlocksVariant, shape, platform, () => PackFilter(weights.Floats, shape, transform, b, 1, inBlocks, outBlocks));
        else _u = cache.GetOrAdd(weights, Algorithm, shape, platform, () => PackFilter(weights.Floats, shape, transform, b, tileBlocks, inBlocks, outBlocks));
        _zeroBias = GC.AllocateArray<float>(_outBlocks * b, pinned: true);
    }

    /// <summary>
    /// Stride 1, dilation 1, 3×3, 2-D, on a tier with blocked kernels at its own block; one group, or groups of whole blocks
    /// of at least <see cref="MinGroupChannels"/> channels in and out (ResNeXt's groups of 16 and more; narrower groups run
    /// the diagonal kernel).
    /// </summary>
    public static bool Supports(in ConvShape shape, int block)
    {
        var w = shape.Window;
        bool groups = shape.Group == 1 || (shape.Group > 1 && shape.Channels % shape.Group == 0 && shape.OutChannels % shape.Group == 0
            && shape.ChannelsPerGroup >= MinGroupChannels && shape.ChannelsPerGroup % block == 0 && shape.OutChannelsPerGroup % block == 0);
        return block is 16 or 8 && groups && w.IsPlanar && w.KH == 3 && w.KW == 3 && w.SH == 1 && w.SW == 1 && w.DH == 1 && w.DW == 1;
    }

    /// <summary>
    /// The narrowest group Winograd takes (channels in, and out, per group): 16, one AVX-512 block. Groups of 8 on AVX2 (one
    /// ymm block) would qualify by the layout, unmeasured: they stay with the diagonal kernel.
    /// </summary>
    public const int MinGroupChannels = 16;

    /// <summary>
    /// g [M][C/group][KH][KW] → per ξ: U[ξ] = (G g Gᵀ)[ξ] packed [groups of R output blocks][Cp/b][b_in][r][b_out], zeros for
    /// padded channels; in a grouped layer Cp is one group's channels (<paramref name="inBlocks"/> its blocks): each output
    /// block's slice holds its own group's input channels only.
    /// </summary>
    private static float[] PackFilter(ReadOnlySpan<float> g, in ConvShape shape, WinogradMatrices t, int b, int tileBlocks, int inBlocks, int outBlocks)
    {
        int n = t.N, xiCount = n * n, cp = inBlocks * b, channels = shape.ChannelsPerGroup;
        long xiFloats = (long)cp * outBlocks * b;
        var u = GC.AllocateArray<float>(checked((int)(xiCount * xiFloats)), pinned: true);
        Span<double> tile = stackalloc double[xiCount];
        for (int m = 0; m < shape.OutChannels; m++)
        {
            int ob = m / b, oc = m % b, ob0 = ob / tileBlocks * tileBlocks, r = Math.Min(tileBlocks, outBlocks - ob0), j = ob - ob0;
            for (int c = 0; c < channels; c++)
            {
                t.TransformFilter(g.Slice((m * channels + c) * 9, 9), tile);
                long offset = (long)ob0 * cp * b + (((long)(c / b) * b + c % b) * r + j) * b + oc;
                for (int xi = 0; xi < xiCount; xi++) u[xi * xiFloats + offset] = (float)tile[xi];
            }
        }
        return u;
    }

    /// <summary>The packed-weights key of U with its output blocks one by one (the products with the tiles in the lanes).</summary>
    internal const string SingleBlocksVariant = "U by single output blocks";

    /// <summary>The packed-weights key of U group by group (<see cref="PackGroupMajor"/>).</summary>
    internal const string GroupMajorVariant = "U group by group";

    /// <summary>
    /// U of groups of <paramref name="blocks"/> blocks, group by group: [groups][ξ][blocks·b in][blocks][b out], each group's 16 ξ
    /// in one run (16 KB at F(2×2) for one block of 16, 64 KB for two) that the hardware streams in order, where the ξ-major
    /// form spreads a group over 16 runs, one per ξ.
    /// </summary>
    private static float[] PackGroupMajor(ReadOnlySpan<float> g, in ConvShape shape, WinogradMatrices t, int b, int blocks, int outBlocks)
    {
        float[] xiMajor = PackFilter(g, shape, t, b, blocks, blocks, outBlocks);
        int xiCount = t.N * t.N, slice = blocks * b * blocks * b, groups = outBlocks / blocks;
        var u = GC.AllocateArray<float>(xiMajor.Length, pinned: true);
        for (int group = 0; group < groups; group++)
            for (int xi = 0; xi < xiCount; xi++)
                Array.Copy(xiMajor, ((long)xi * groups + group) * slice, u, ((long)group * xiCount + xi) * slice, slice);
        return u;
    }

    /// <summary>Whether <paramref name="cache"/> holds either form of this transform's U for these weights (a plan can be made from it).</summary>
    internal static bool IsPacked(PackedWeightsCache cache, Tensor weights, WinogradMatrices transform, in ConvShape shape, CpuPlatform platform) =>
        cache.Contains(weights, AlgorithmOf(transform), shape, platform) || cache.Contains(weights, AlgorithmOf(transform), shape, platform, SingleBlocksVariant)
        || cache.Contains(weights, AlgorithmOf(transform), shape, platform, GroupMajorVariant);

    public override ConvAlgorithm Algorithm => AlgorithmOf(_t);

    /// <summary>The algorithm (and packed-weights key) of a transform.</summary>
    public static ConvAlgorithm AlgorithmOf(WinogradMatrices transform) => transform.M == 4 ? ConvAlgorithm.Winograd4x4 : ConvAlgorithm.Winograd2x2;

    public override bool HoldsPackedWeights => true;

    public override bool OutputMayBeResidual => true;

    public override string Description =>
        $"Winograd F({_m}×{_m},3×3) NCHW{_block}c, {_chunkTiles}-tile chunks × {_sets} output {(_grouped ? "group" : "set")}{(_sets == 1 ? "" : "s")}" + (_tileLanes ? ", tiles in the lanes" + (_lanesStaging ? " (staged)" : "") : "") + (_sharedV ? ", one shared input transform" : "") + (_fusedBlocks == 1 ? ", one-block groups in L1 batches" : _fusedBlocks == 2 ? ", two-block groups in batches" : "");

    /// <summary>
    /// Floats of one worker's V [ξ][Cp/b][T][b] (none where the sets share one) and M [ξ][set blocks][T][b] (or both in ξ + 1
    /// slices of V's size, <see cref="_mOverV"/>), its two transform scratch tiles, and the staging block of one input block's
    /// tiles in the lanes (<see cref="_lanesStaging"/>).
    /// </summary>
    private long WorkerFloats => _fusedBlocks > 0 ? GroupedWinogradBatches.ScratchFloats(_fusedBlocks)
        : (_mOverV ? (_xi + 1L) * _groupInBlocks : (long)_xi * ((_sharedV ? 0 : _groupInBlocks) + _blocksPerSet)) * TileStride * _block
        + 2L * _xi * _block + StagingFloats;

    /// <summary>The staging block [ξ][16 tiles][b] of one input channel block (<see cref="_lanesStaging"/>); 0 without it.</summary>
    private long StagingFloats => _lanesStaging ? (long)_xi * WinogradTileLanes.MaxTiles * _block : 0;

    /// <summary>The V the output sets share (<see cref="_sharedV"/>), ahead of the parts; 0 otherwise.</summary>
    private long SharedVBytes => _sharedV ? Workspace.Align((long)_xi * _inBlocks * TileStride * _block * sizeof(float)) : 0;

    /// <summary>One worker's part of the workspace, aligned.</summary>
    private long WorkerBytes => Workspace.Align(WorkerFloats * sizeof(float));

    /// <summary>The shared V (if any), then one part per thread; with a shared V a set's M takes the part of its number, and there are no more sets than threads.</summary>
    public override long WorkspaceBytes => SharedVBytes + Parallel.Threads * WorkerBytes;

    /// <summary>
    /// Where a task's V, M (and the floats from one ξ of M to the next) and two transform scratch tiles lie in its
    /// <paramref name="part"/>: with a shared V, M from the part's start; with M over V (<see cref="_mOverV"/>), M[ξ] in slice ξ
    /// and V[ξ] in slice ξ + 1, both a stride of V's slice; else V, then M. The scratch tiles follow.
    /// </summary>
    private void PartLayout(float* part, float* sharedV, out float* v, out float* m, out nint mXi, out float* scratch)
    {
        nint vXi = (nint)_groupInBlocks * TileStride * _block, setXi = (nint)_blocksPerSet * TileStride * _block;
        if (sharedV != null) { v = sharedV; m = part; mXi = setXi; scratch = m + _xi * mXi; }
        else if (_mOverV) { v = part + vXi; m = part; mXi = vXi; scratch = v + _xi * vXi; }
        else { v = part; m = part + _xi * vXi; mXi = setXi; scratch = m + _xi * mXi; }
    }

    /// <summary>A part's staging block (<see cref="StagingFloats"/>), after its two scratch tiles (which start at <paramref name="scratch"/>).</summary>
    private float* StagingAfter(float* scratch) => scratch + 2 * _xi * _block;

    private long BlockedInputLength => (long)Shape.Batch * _inBlocks * _block * Shape.Window.InSize;
    private long BlockedOutputLength => (long)Shape.Batch * _outBlocks * _block * Shape.Window.OutSize;

    /// <param name="x">Blocked input [N][Cp/b][InH][InW][b].</param>
    /// <param name="weight">Not read: the plan holds the transformed filter.</param>
    /// <param name="bias">[M], or empty for none.</param>
    /// <param name="residual">Blocked like y, read when the shape's epilogue has one (y may be the same buffer).</param>
    /// <param name="y">Blocked output [N][Mp/b][OutH][OutW][b], written in full (padded channels 0).</param>
    /// <param name="workspace">At least the plan's workspace bytes, 64-byte aligned, contents undefined.</param>
    public override void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual,
        Span<float> y, Workspace workspace)
    {
        if (x.Length < BlockedInputLength || y.Length < BlockedOutputLength || (!bias.IsEmpty && bias.Length < Shape.OutChannels)
            || (Shape.Epilogue.Residual && residual.Length < BlockedOutputLength))
            throw new ArgumentException($"Winograd convolution {Shape}: x {x.Length} (needs {BlockedInputLength}), bias {bias.Length}, residual {residual.Length}, " +
                $"y {y.Length} (needs {BlockedOutputLength}) elements.");
        if (workspace.Bytes < WorkspaceBytes) throw new ArgumentException($"{Description} needs {WorkspaceBytes} bytes of workspace; {workspace.Bytes} were given.");
        int tasks = _chunks * _sets;
        if (tasks == 0) return;
        int mp = _outBlocks * _block;
        Span<float> scratch = !BlockedBias.NeedsCopy(bias, mp) ? default : mp <= 4096 ? stackalloc float[mp] : new float[mp];
        ReadOnlySpan<float> b = BlockedBias.Select(bias, Shape.OutChannels, _zeroBias, scratch);
        fixed (float* px = x, pb = b, pr = residual, py = y, pu = _u, pz = _zeroBias)
        {
            byte* parts;
            long stride;
            float* sharedV = null;
            if (_sharedV)
            {
                // The shared V, then the parts packed after it (each set's M in the part of its number, the input transform's
                // scratch in the part of the worker's).
                sharedV = workspace.Floats(0, WorkspaceBytes / sizeof(float));
                parts = (byte*)sharedV + SharedVBytes;
                stride = WorkerBytes;
            }
            // Each worker's V and M in its own stripe of the whole workspace (Workspace.WorkerOffset), not packed at this layer's size.
            else parts = workspace.WorkerParts(Parallel.Threads, WorkerBytes, _workerStripes, out stride);
            var body = new Body(this, px, pu, pb, pz, Shape.Epilogue.Residual ? pr : null, py, (float*)parts, stride, sharedV);
            EpilogueDispatch.Run(Shape.Epilogue, new RunTasks(Parallel, tasks, body, _block == 16));
        }
    }

    /// <summary>The run's tasks with the layer's epilogue type (<see cref="EpilogueDispatch"/>) and the tier's vector width.</summary>
    private readonly struct RunTasks(ParallelRunner parallel, int tasks, Body body, bool avx512) : IEpilogueAction
    {
        public void Run<TEpilogue>() where TEpilogue : struct, IEpilogue
        {
            if (body.SharedV != null)
            {
                // Two loops: the input transform by channel blocks into the shared V, then the sets.
                int inBlocks = body.Plan._inBlocks;
                if (avx512) parallel.For(inBlocks, new SharedInputStage<Vec512>(body));
                else parallel.For(inBlocks, new SharedInputStage<Vec256>(body));
            }
            if (avx512) parallel.For(tasks, new Task<TEpilogue, Vec512>(body));
            else parallel.For(tasks, new Task<TEpilogue, Vec256>(body));
        }
    }

    /// <summary>The first loop with a shared V: input channel block <c>index</c> of every tile into it.</summary>
    private readonly struct SharedInputStage<TVec>(Body body) : IParallelBody where TVec : unmanaged, IVec<TVec>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int cb) => body.Plan.RunSharedInputStage<TVec>(cb, body);
    }

    /// <summary>
    /// Input channel block <paramref name="cb"/> of the chunk's tiles into the shared V, transposed for the lanes (a shared V is
    /// made for them only), with this worker's scratch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunSharedInputStage<TVec>(int cb, in Body body) where TVec : unmanaged, IVec<TVec>
    {
        int count = Math.Min(Shape.Batch * _tilesH * _tilesW, _chunkTiles);
        nint vXi = (nint)_inBlocks * TileStride * _block;
        PartLayout((float*)((byte*)body.Scratch + Parallel.CurrentWorker * body.ScratchStride), body.SharedV, out _, out _, out _, out float* scratch);
        InputTransformLanes<TVec>(body, body.SharedV, vXi, scratch, 0, count, cb, cb + 1);
    }

    /// <summary>A run's pointers; worker w's scratch starts at Scratch + w · ScratchStride bytes.</summary>
    private readonly struct Body(WinogradPlan plan, float* x, float* u, float* bias, float* zeroBias, float* residual, float* y, float* scratch, long scratchStride, float* sharedV)
    {
        public readonly WinogradPlan Plan = plan;
        public readonly float* X = x, U = u, Bias = bias, ZeroBias = zeroBias, Residual = residual, Y = y, Scratch = scratch;
        public readonly long ScratchStride = scratchStride;
        /// <summary>The V the output sets share (<see cref="_sharedV"/>), transformed by the first loop; null otherwise.</summary>
        public readonly float* SharedV = sharedV;
    }

    private readonly struct Task<TEpilogue, TVec>(Body body) : IParallelBody where TEpilogue : struct, IEpilogue where TVec : unmanaged, IVec<TVec>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int task) => body.Plan.RunTask<TEpilogue, TVec>(task, body);
    }

    /// <summary>
    /// One task: the batch's tiles [t0, t1) (tile t of image n is number n · tiles + t) through input transform, products
    /// and output transform, for one set of output blocks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunTask<TEpilogue, TVec>(int task, in Body body) where TEpilogue : struct, IEpilogue where TVec : unmanaged, IVec<TVec>
    {
        int b = _block, T = _chunkTiles, S = TileStride, tiles = _tilesH * _tilesW;
        // A grouped layer's tasks run group after group (each group's chunks in a row, its U slice in cache); others chunk-major.
        int set = _grouped ? task / _chunks : task % _sets, chunk = _grouped ? task % _chunks : task / _sets;
        int t0 = chunk * T, t1 = Math.Min(Shape.Batch * tiles, t0 + T), count = t1 - t0;
        int mb0 = set * _blocksPerSet, mb1 = Math.Min(_outBlocks, mb0 + _blocksPerSet);

        if (_fusedBlocks > 0)
        {
            RunFusedGroup<TEpilogue>(set, t0, t1, body);
            return;
        }
        nint vXi = (nint)_groupInBlocks * S * b;
        // The input blocks the set reads: all of them, or its group's (V holds those from its start).
        int cb0 = _grouped ? mb0 / _blocksPerSet * _groupInBlocks : 0;
        bool shared = body.SharedV != null;
        // With a shared V the set's M is in the set's part (whichever thread runs it), else V and M in the worker's.
        float* part = (float*)((byte*)body.Scratch + (shared ? set : Parallel.CurrentWorker) * body.ScratchStride);
        PartLayout(part, body.SharedV, out float* v, out float* mBuf, out nint mXi, out float* scratch);

        // 1. Input transform: V[ξ][cb][tile][b] (a shared V: done by the first loop, transposed for the lanes there too).
        if (!shared)
        {
            if (_tileLanes) InputTransformLanes<TVec>(body, v, vXi, scratch, t0, t1, 0, _inBlocks);
            else InputTransform<TVec>(body, v - (nint)cb0 * S * b, vXi, S * b, scratch, t0, t1, cb0, cb0 + _groupInBlocks);
        }

        // 2. Products: for each ξ, a pointwise blocked convolution of the chunk's tiles by U[ξ] into M[ξ][block][tile][b].
        if (_tileLanes) TileLaneProducts(body, v, vXi, mBuf, mXi, count, mb0, mb1);
        else TileProducts(body, v, vXi, mBuf, mXi, count, mb0, mb1);

        OutputTransform<TEpilogue, TVec>(body, mBuf, mXi, scratch, t0, t1, mb0, mb1);
    }

    /// <summary>
    /// The batch's tiles [t0, t1) of group <paramref name="group"/> (one or two blocks in and out) by
    /// <see cref="GroupedWinogradBatches"/>, image by image.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunFusedGroup<TEpilogue>(int group, int t0, int t1, in Body body) where TEpilogue : struct, IEpilogue
    {
        var w = Shape.Window;
        int b = _block, tiles = _tilesH * _tilesW, blocks = _fusedBlocks, block0 = group * blocks;
        long inPlane = (long)w.InH * w.InW * b, outPlane = (long)w.OutH * w.OutW * b;
        float* scratch = (float*)((byte*)body.Scratch + Parallel.CurrentWorker * body.ScratchStride);
        // U group by group (PackGroupMajor): the group's 16 ξ in one run.
        nint uXi = (nint)blocks * b * blocks * b;
        float* u = body.U + (long)group * _xi * uXi;
        for (int g = t0; g < t1;)
        {
            int n = g / tiles, end = Math.Min(t1, (n + 1) * tiles);
            long outOffset = ((long)n * _outBlocks + block0) * outPlane;
            float* x = body.X + ((long)n * _inBlocks + block0) * inPlane, y = body.Y + outOffset, bias = body.Bias + block0 * b;
            float* residual = body.Residual is null ? null : body.Residual + outOffset;
            GroupedWinogradBatches.Run<TEpilogue>(blocks, x, inPlane, w.InH, w.InW, w.PadH, w.PadW, u, uXi, bias, y, residual, outPlane, w.OutH, w.OutW,
                _tilesW, g - n * tiles, end - n * tiles, scratch);
            g = end;
        }
    }

    /// <summary>
    /// 1. Input transform of the batch's tiles [t0, t1), input channel blocks [cb0, cb1), into V[ξ][cb][tile − t0][b]: block cb
    /// at <paramref name="v"/> + cb · <paramref name="cbStride"/>, ξ at + ξ · <paramref name="vXi"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void InputTransform<TVec>(in Body body, float* v, nint vXi, nint cbStride, float* scratch, int t0, int t1, int cb0, int cb1) where TVec : unmanaged, IVec<TVec>
    {
        var w = Shape.Window;
        int b = _block, tiles = _tilesH * _tilesW;
        long inPlane = (long)w.InH * w.InW * b;
        for (int cb = cb0; cb < cb1; cb++)
            for (int g = t0; g < t1;)
            {
                // The chunk's tiles of image n: [g, end).
                int n = g / tiles, end = Math.Min(t1, (n + 1) * tiles);
                float* plane = body.X + ((long)n * _inBlocks + cb) * inPlane;
                for (; g < end; g++)
                {
                    int tile = g - n * tiles, th = tile / _tilesW, tw = tile % _tilesW;
                    WinogradTransforms<TVec>.Input(_m, plane, w.InH, w.InW, th * _m - w.PadH, tw * _m - w.PadW, scratch,
                        v + cb * cbStride + (nint)(g - t0) * b, vXi);
                }
            }
    }

    /// <summary>
    /// 2. Products by the tile kernels: for each ξ, a pointwise blocked convolution of the chunk's
    /// <paramref name="count"/> tiles by U[ξ] into M[ξ][block − mb0][tile][b], output blocks [mb0, mb1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TileProducts(in Body body, float* v, nint vXi, float* mBuf, nint mXi, int count, int mb0, int mb1)
    {
        int b = _block, T = _chunkTiles;
        var args = new BlockedDirectPlan.KernelArgs
        {
            InBlocks = _groupInBlocks, LastBlockChannels = b, InBlockStride = (nint)T * b, RowStep = 0, ColStep = 0, PixelStep = b, KH = 1, KW = 1,
            OutBlockStride = (nint)T * b,
        };
        bool avx512 = b == 16;
        // Register tiles of near-equal width (25 tiles: 5 × 5, not 4 × 6 + 1), as the direct kernel splits its rows; the same for every ξ.
        (int width, int wider) = WindowTaps.NearEqualTiles(count, _tilePixels);
        for (int xi = 0; xi < _xi; xi++)
        {
            float* vx = v + xi * vXi, mx = mBuf + xi * mXi;
            for (int ob = mb0; ob < mb1; ob += _tileBlocks)
            {
                int r = Math.Min(_tileBlocks, mb1 - ob);
                float* filter = body.U + SliceOf(xi, ob, mb1).Offset, mOut = mx + (nint)(ob - mb0) * T * b;
                // The slice after this one (the next group of the set, or the set's first group at the next ξ) comes
                // into cache while this one is multiplied (SlicePrefetch).
                (long nextOffset, long nextFloats) = NextSliceOf(xi, ob, mb0, mb1);
                var ahead = new SlicePrefetch(nextFloats == 0 ? null : (byte*)(body.U + nextOffset), nextFloats * sizeof(float),
                    (count + _tilePixels - 1) / _tilePixels, _groupInBlocks, 1, b, _tileBlocks);
                for (int p0 = 0, c = 0; p0 < count; c++)
                {
                    ahead.NextTile(ref args);
                    int p = width + (c < wider ? 1 : 0);
                    if (avx512) BlockedDirectPlan.Tile_Avx512<BiasEpilogue>(p, r, vx + (nint)p0 * b, filter, mOut + (nint)p0 * b, null, body.ZeroBias, &args, 1, 1);
                    else BlockedDirectPlan.Tile_Avx2<BiasEpilogue>(p, r, vx + (nint)p0 * b, filter, mOut + (nint)p0 * b, null, body.ZeroBias, &args, 1, 1);
                    p0 += p;
                }
            }
        }
    }

    /// <summary>
    /// 1. Input transform for the products with the tiles in the lanes: the batch's tiles [t0, t1) (at most 16), input channel
    /// blocks [cb0, cb1), into V[ξ][cb] as [channel][16 tiles]. With
    /// <see cref="_lanesStaging"/> each block's tiles go to the staging block after the scratch tiles, [ξ][tile][b] (16 KB at
    /// F(2×2), in L1), and are transposed from there into V; without it into V itself, transposed in place.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void InputTransformLanes<TVec>(in Body body, float* v, nint vXi, float* scratch, int t0, int t1, int cb0, int cb1) where TVec : unmanaged, IVec<TVec>
    {
        const int S = WinogradTileLanes.MaxTiles;
        int b = _block, count = t1 - t0;
        if (!_lanesStaging)
        {
            InputTransform<TVec>(body, v, vXi, S * b, scratch, t0, t1, cb0, cb1);
            TransposeTiles(v, vXi, count, cb0, cb1);
            return;
        }
        float* staging = StagingAfter(scratch);
        for (int cb = cb0; cb < cb1; cb++)
        {
            InputTransform<TVec>(body, staging, S * b, 0, scratch, t0, t1, cb, cb + 1);
            for (int xi = 0; xi < _xi; xi++) WinogradTileLanes.TransposeInto(staging + xi * S * b, count, v + xi * vXi + (nint)cb * S * b);
        }
    }

    /// <summary>
    /// V's [tile][b] blocks of input channel blocks [cb0, cb1) at every ξ transposed in place to [channel][16 tiles], for the
    /// products with the tiles in the lanes.
    /// </summary>
    private void TransposeTiles(float* v, nint vXi, int count, int cb0, int cb1)
    {
        for (int xi = 0; xi < _xi; xi++)
            for (int cb = cb0; cb < cb1; cb++) WinogradTileLanes.TransposeInPlace(v + xi * vXi + (nint)cb * WinogradTileLanes.MaxTiles * _block, count);
    }

    /// <summary>
    /// The products with the tiles in the lanes (<see cref="WinogradTileLanes"/>), over V already transposed
    /// to [channel][16 tiles] (<see cref="TransposeTiles"/>): each output block of the set at each ξ in one pass over its slice
    /// of U ([channel][16], one line per channel), the next block's lines asked for as it goes (the set's next block, or its
    /// first at the next ξ).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TileLaneProducts(in Body body, float* v, nint vXi, float* mBuf, nint mXi, int count, int mb0, int mb1)
    {
        const int S = WinogradTileLanes.MaxTiles;
        int b = _block;
        // U is packed one block per group here (_tileBlocks 1): a slice is one block's [channel][16], and the next slice
        // is the set's next block or its first at the next ξ.
        for (int xi = 0; xi < _xi; xi++)
            for (int ob = mb0; ob < mb1; ob++)
            {
                (long nextOffset, long nextFloats) = NextSliceOf(xi, ob, mb0, mb1);
                WinogradTileLanes.Products(v + xi * vXi, body.U + SliceOf(xi, ob, mb1).Offset, (nint)_inBlocks * b,
                    mBuf + xi * mXi + (nint)(ob - mb0) * S * b, count, nextFloats == 0 ? null : body.U + nextOffset);
            }
    }

    /// <summary>3. Output transform with the epilogue, into y[n][block][OutH][OutW][b], of the batch's tiles [t0, t1) and output blocks [mb0, mb1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OutputTransform<TEpilogue, TVec>(in Body body, float* mBuf, nint mXi, float* scratch, int t0, int t1, int mb0, int mb1)
        where TEpilogue : struct, IEpilogue where TVec : unmanaged, IVec<TVec>
    {
        var w = Shape.Window;
        int b = _block, S = TileStride, tiles = _tilesH * _tilesW;
        long outPlane = (long)w.OutH * w.OutW * b;
        for (int ob = mb0; ob < mb1; ob++)
        {
            float* mBlock = mBuf + (nint)(ob - mb0) * S * b, bias = body.Bias + ob * b;
            for (int g = t0; g < t1;)
            {
                int n = g / tiles, end = Math.Min(t1, (n + 1) * tiles);
                long planeOffset = ((long)n * _outBlocks + ob) * outPlane;
                float* y = body.Y + planeOffset, residual = body.Residual is null ? null : body.Residual + planeOffset;
                for (; g < end; g++)
                {
                    int tile = g - n * tiles, th = tile / _tilesW, tw = tile % _tilesW;
                    WinogradTransforms<TVec>.Output<TEpilogue>(_m, mBlock + (nint)(g - t0) * b, mXi, scratch, y, residual, bias, w.OutH, w.OutW, th * _m, tw * _m);
                }
            }
        }
    }

    /// <summary>The slice of U the products of ξ read for output blocks [ob, ob + R) of a set ending at mb1: its float offset and length.</summary>
    internal (long Offset, long Floats) SliceOf(int xi, int ob, int mb1)
    {
        long blockFloats = (long)_groupInBlocks * _block * _block;
        return (xi * blockFloats * _outBlocks + ob * blockFloats, Math.Min(_tileBlocks, mb1 - ob) * blockFloats);
    }

    /// <summary>
    /// The slice the products read after (ξ, ob) within the set [mb0, mb1): the set's next output group, or its first at the
    /// next ξ; (0, 0) after the last.
    /// </summary>
    internal (long Offset, long Floats) NextSliceOf(int xi, int ob, int mb0, int mb1) =>
        ob + _tileBlocks < mb1 ? SliceOf(xi, ob + _tileBlocks, mb1) : xi + 1 < _xi ? SliceOf(xi + 1, mb0, mb1) : (0, 0);

    /// <inheritdoc/>
    public override bool OutputAlone => _outputAlone;

    /// <summary>
    /// The outputs <see cref="BlockedTuning.GroupedOutputAlone"/> takes, per image: measured at ResNeXt's 14×14 planes (400 and
    /// 800 KB: 5–17 % faster each on 2 threads). ResNeXt-50's 7×7 layer4 (200 KB) ran level, and ResNeXt-101 32x8d's 28×28 layer2 (1.6 MB)
    /// −12, +8 and +9 %: there a thread's half is as large as its L2, and the buffer's own lines come cold from memory.
    /// </summary>
    internal const long OutputAloneAboveBytes = 256 << 10, OutputAloneAtMostBytes = 1 << 20;

    /// <summary>Whether the tasks write M over V (<see cref="_mOverV"/>): for tests.</summary>
    internal bool MOverV => _mOverV;

    /// <summary>For tests: ξ count, output blocks, blocks per register tile, output sets and blocks per set, and U's floats.</summary>
    internal (int Xi, int OutBlocks, int TileBlocks, int Sets, int BlocksPerSet, long UFloats) SliceLayout =>
        (_xi, _outBlocks, _tileBlocks, _sets, _blocksPerSet, _u.LongLength);
}
