using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cardinal.Epilogues;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>
/// Direct convolution on the channel-blocked layout (<see cref="BlockedLayout"/>, block b = the platform's
/// <see cref="CpuPlatform.BlockSize"/>), as ONNX Runtime's MLAS NCHWc kernels: x is [N][Cp/b][InH][InW][b] and
/// y [N][Mp/b][OutH][OutW][b] (Cp, Mp the channel counts rounded up to b; padded channels zero in and out).
/// A register tile holds P output pixels along a row × R output channel blocks (AVX-512: 6 × 4 zmm, AVX2:
/// 6 × 2 ymm); for each input block, tap and input channel it broadcasts the P pixels' value and multiplies
/// R weight vectors, then stores through the epilogue (bias, residual, ReLU). Rows clamp their kernel-row
/// range to the input (no per-tap checks); columns whose taps all lie inside the row (the interior, found
/// once here) go in P-pixel tiles, the rest (borders, row tails) one pixel at a time with the column taps
/// clamped the same way. The stride only changes the input step. 2-D windows; no workspace. Groups (ResNeXt)
/// run when they align with the blocks (<see cref="Supports"/>): groups of whole blocks read only their own input
/// blocks, and groups narrower than a block (4 or 8 channels, as many in as out) run one output block per tile
/// against its one input block, with the weights block-diagonal inside it (b/group-width × the true work, still
/// dense FMAs on blocked data).
/// Twin: <see cref="Reference.ConvReference"/> between reorders.
/// </summary>
internal sealed unsafe partial class BlockedDirectPlan : ConvPlan
{
    /// <summary>
    /// Pixels per task segment when a pointwise plane runs as one row (a multiple of every tile's P): ResNet's 14×14
    /// planes are one segment, its 28×28 four and its 56×56 sixteen. Segments of 48 had cut them into 49-pixel tasks: on
    /// 2 threads in the VM's slow mode each task's short input streams, half of them written by the other core, left
    /// layer1's and layer3's 1×1s 0.06–0.10 ms slower each (ResNet-50 at 2 threads 20.5–20.9 → 19.8–20.5 ms; 1 thread,
    /// ResNeXt-50 and batch 8 unchanged; NOTES "Eighth sitting").
    /// </summary>
    private const int FlatSegment = 192;

    private readonly int _block, _tilePixels, _tileBlocks, _inBlocks, _outBlocks, _groups, _segmentsPerRow, _segmentWidth;
    /// <summary>A unit's output blocks and the input blocks each of them reads (all of them for one group).</summary>
    private readonly int _outBlocksPerUnit, _inBlocksPerUnit;
    /// <summary>The window the kernel walks: the shape's, or for a 1×1 stride-1 unpadded window the plane as one row.</summary>
    private readonly Window3D _w;
    /// <summary>Interior columns [lo, hi): every tap of every pixel in the input row.</summary>
    private readonly int _interiorLo, _interiorHi;
    /// <summary>The shape's own window when the kernel walks a zero-padded copy of the input (<see cref="_w"/> is then the copy's, unpadded).</summary>
    private readonly Window3D? _padded;
    /// <summary>
    /// The shape's own window when the kernel walks a copy of the pixels a strided 1×1 window reads ([N][Cp/b][OutH][OutW][b]);
    /// <see cref="_w"/> is then a stride-1 pointwise plane, run as one row of full tiles (<see cref="BlockedTuning.SubsampleStrided"/>).
    /// </summary>
    private readonly Window3D? _subsampled;
    /// <summary>
    /// Input blocks per pass, and passes (<see cref="PassBlocks"/>): 1 pass of every input block, or, when a group's
    /// filter slice outgrows the L2 cache, several passes over the task's rows, each summing a run of input blocks
    /// into y (that pass's filter then stays in L1 across the rows, as MLAS's loop over input blocks does).
    /// </summary>
    private readonly int _passBlocks, _passes;
    /// <summary>(row, segment) units per task: 1 with one pass; with passes, a range of rows (<see cref="UnitsPerTask"/>).</summary>
    private readonly int _unitsPerTask, _ranges;
    /// <summary>
    /// Tasks ordered (image, row range, group) rather than (image, group, row range): each thread then takes a band of
    /// rows of every output channel, and reads the rows the layer before wrote on the same thread. Taken where one
    /// image's input outweighs the filter and the layer has one group, and on more threads than images where such a layer
    /// does not narrow its channels and its filter is within <see cref="BlockedTuning.WideningRowsOuter"/> times its input and
    /// <see cref="BlockedTuning.WideningRowsOuterFilterBytes"/> (see the constructor).
    /// </summary>
    private readonly bool _rowsOuter;
    /// <summary>Whether each thread's first task asks for its tiles' input a tile ahead (<see cref="BlockedTuning.FirstTaskInputAhead"/>).</summary>
    private readonly bool _asksFirstTaskInput;
    /// <summary>Whether each row's tasks ask for the input rows the next output row reads first (<see cref="BlockedTuning.NextRowInputAhead"/>).</summary>
    private readonly bool _asksNextRowInput;
    /// <summary>Whether the tasks ask for the next group's input planes ahead (<see cref="NextGroupInputShare"/>).</summary>
    private readonly bool _asksNextGroupInput;
    /// <summary>Whether those asks spread over each input block's kernel taps (<see cref="BlockedTuning.InputAsksPerTap"/>).</summary>
    private readonly bool _inputAsksPerTap;
    /// <summary>Whether a tile's asks for the next filter slice go a few lines per kernel tap (<see cref="BlockedTuning.FilterAsksPerTap"/>).</summary>
    private readonly bool _filterAsksPerTap;
    /// <summary>
    /// Whether each thread's first task asks, during each pass, for the next pass's input (<see cref="NextPassInputShare"/>,
    /// <see cref="BlockedTuning.NextPassInputAhead"/>): a dense layer with its groups outermost, in passes, every task over
    /// the whole plane, on more threads than images, whose threads each read every channel, half of it written by the other core.
    /// </summary>
    private readonly bool _asksNextPassInput;
    /// <summary>
    /// Whether the first task of each image (its first group) asks for that image's input as a thread's first task does
    /// (<see cref="BlockedTuning.ImageInputAhead"/>): its tiles for the next tile's pixels in the first pass, each pass for the
    /// next pass's planes. A flattened pointwise layer of image-by-image tasks over whole planes, on more images than threads;
    /// with the groups first (<see cref="BlockedTuning.GroupsFirstInputAhead"/>), every task.
    /// </summary>
    private readonly bool _asksImageInput;
    /// <summary>
    /// Whether a task's last pass asks for nothing of the next task's filter slice, which is already in this thread's
    /// cache: a rows-outermost layer with a filter of at most <see cref="CachedFilterBytes"/> whose threads each sweep
    /// the output groups more than once (later row ranges read the slices the first one brought in).
    /// </summary>
    private readonly bool _filterCachedAcrossTasks;
    /// <summary>Whether y keeps a buffer of its own rather than the residual's (<see cref="BlockedTuning.SeparateSharedResidual"/>).</summary>
    private readonly bool _keepsOutputApart;
    /// <summary>Whether each task first claims its output lines (<see cref="BlockedTuning.ClaimOutputLines"/>).</summary>
    private readonly bool _claimsOutputLines;
    /// <summary>
    /// Whether the subsampled input is one copy that the threads make together before the tasks, each copying its range of
    /// input blocks, where each thread had made all of it for itself (<see cref="BlockedTuning.SharedSubsample"/>).
    /// </summary>
    private readonly bool _sharedCopy;
    /// <summary>
    /// Whether tasks run two output rows at once in two-row tiles (<see cref="TwoRowTile_Avx512"/>) of up to
    /// <see cref="_pairPixels"/> pixels per row: units of one or two output blocks over rows too narrow for a tile of 12
    /// accumulators (ResNeXt's groups of 16 and 32 channels at 14×14 and 7×7; <see cref="BlockedTuning.RowPairs"/>).
    /// </summary>
    private readonly bool _rowPairs;
    /// <summary>Whether stride-1 one-block two-row tiles load each broadcast once for both rows (<see cref="BlockedTuning.RowPairsShareBroadcasts"/>).</summary>
    private readonly bool _sharedBroadcasts;
    /// <summary>Whether each row's first tile, from column 0 (whose first tap lies in the padding), runs in two calls (<see cref="FirstColumnTile"/>).</summary>
    private readonly bool _splitFirst;
    /// <summary>
    /// Whether border columns run as column tiles, one tile over up to a tile's width of a task's rows that clamp their
    /// kernel rows alike (<see cref="ColumnTiles"/>), instead of one pixel at a time or through the zero-padded copy.
    /// </summary>
    private readonly bool _columnTiles;
    /// <summary>Whether rows still pair for the interior while the border columns run as column tiles (grouped layers of one block).</summary>
    private readonly bool _pairedColumns;
    private readonly int _pairPixels;
    /// <summary>A row pair's interior in near-equal two-row tiles (<see cref="WindowTaps.NearEqualTiles"/>), the same for every pair: found once here.</summary>
    private readonly (int Base, int Wider) _pairTiles;
    /// <summary>
    /// Tasks ordered (group, image, row range): a batch on one thread runs each output group's filter slice over every
    /// image while it is in cache, instead of streaming the whole filter once per image (ResNet-50 at batch 8, exact mode,
    /// 1 thread: layer4's 3×3s −0.43 ms each, the run −1.3 to −5.4 ms). Only where the filter is at least
    /// <see cref="BlockedTuning.GroupsFirstFilterRatio"/> times one image's input (layer4's 3×3s 12×, its 7×7 1×1s 10–40×):
    /// below, each image's input is what a group order would re-read from memory once per group, and image by image it
    /// stays in cache across the groups. ResNet-50 at batch 8, 1 thread (`ab`, both orders, labels both ways): its
    /// 1024 → 256 1×1s (1.25×), 256 → 1024s (5×) and layer4.0's 1024 → 512 (2.5×) now image by image, each 0.15–0.4 ms faster
    /// than the layers the order does not touch in the same runs; ResNeXt-101 32x8d's 1024 → 1024 1×1s (5×) 1.11 → 1.04 of
    /// ORT's nodes (NOTES "Twentieth sitting").
    /// Not on more threads: there each thread would write every image's share of channels, and the next layer read half
    /// its input from the other core (layer3's 1×1s at batch 8 on 2 threads +0.25 to +0.34 ms each).
    /// </summary>
    private readonly bool _groupsFirst;
    /// <summary>Whether each worker's subsampled copies lie in its stripe of the whole workspace (<see cref="BlockedTuning.WorkerStripes"/>).</summary>
    private readonly bool _workerStripes;

    /// <summary>Floats of the zero-padded input copy: [N][Cp/b][InH + pads][InW + pads][b].</summary>
    private long PaddedInputLength => _padded is null ? 0 : (long)Shape.Batch * _inBlocks * _w.InH * _w.InW * _block;

    /// <summary>Floats of one input block's plane of the subsampled input, [OutH·OutW][b] (0 without <see cref="_subsampled"/>).</summary>
    private long SubsampledPlaneFloats => _subsampled is null ? 0 : (long)_w.InSize * _block;

    /// <summary>Floats of one image's subsampled input, [Cp/b][OutH·OutW][b] (0 without <see cref="_subsampled"/>).</summary>
    private long SubsampledImageFloats => _inBlocks * SubsampledPlaneFloats;

    /// <summary>Bytes of the header before a worker's subsampled images: per image, nonzero once the worker has copied it in this run.</summary>
    private long SubsampleHeaderBytes => Workspace.Align((long)Shape.Batch * sizeof(long));

    /// <summary>One worker's share of the workspace for subsampled inputs: its header and a copy of every image it may need.</summary>
    private long WorkerSubsampleBytes => _subsampled is null ? 0 : SubsampleHeaderBytes + Workspace.Align(Shape.Batch * SubsampledImageFloats * sizeof(float));

    /// <summary>
    /// The weights per output group of R (the last group: the remaining r ≤ R) blocks:
    /// src [M][C][KH][KW] → dst [Mp/b / r][Cp/b][KH][KW][b_in][r][b_out], M and C zero-padded to Mp, Cp
    /// (group g starts at g·R blocks × Cp·KH·KW·b floats). Pinned: its address is stable for the plan's life.
    /// </summary>
    private readonly float[] _filter;
    /// <summary>[Mp]: the bias, zero for the padded channels and when there is none (the bias argument of Run, when given, is copied nowhere: see Run).</summary>
    private readonly float[] _zeroBias;

    /// <param name="cache">The backend's packed weights: every plan of the layer (each batch size) shares one packed filter.</param>
    /// <param name="shape">The logical shape (channels as the model has them).</param>
    /// <param name="weights">The constant filter, packed here.</param>
    /// <param name="platform">The tier's kernel table; its block size is the layout's.</param>
    /// <param name="parallel">The worker threads the plan runs on.</param>
    public BlockedDirectPlan(ConvShape shape, Tensor weights, CpuPlatform platform, ParallelRunner parallel, PackedWeightsCache? cache = null)
        : this(shape, weights, platform, parallel, cache, null)
    {
    }

    /// <param name="shape">The logical shape (channels as the model has them).</param>
    /// <param name="weights">[M][C/group][KH][KW], packed here once (or taken from <paramref name="cache"/>).</param>
    /// <param name="platform">The tier whose block size and register tiles run.</param>
    /// <param name="parallel">The backend's threads.</param>
    /// <param name="cache">The backend's packed weights, or null for a private copy.</param>
    /// <param name="tuningOrNull">When to sum input blocks in passes and read a zero-padded copy (tests reach every path on small shapes); null: <see cref="BlockedTuning.Default"/>.</param>
    internal BlockedDirectPlan(ConvShape shape, Tensor weights, CpuPlatform platform, ParallelRunner parallel, PackedWeightsCache? cache, BlockedTuning? tuningOrNull)
        : base(shape, platform, parallel)
    {
        BlockedTuning tuning = tuningOrNull ?? BlockedTuning.Default;
        _workerStripes = tuning.WorkerStripes;
        ArgumentNullException.ThrowIfNull(weights);
        if (!shape.Window.IsPlanar) throw new ArgumentException($"Blocked direct convolution takes 2-D windows; {shape} is not one.", nameof(shape));
        if (!Supports(shape, platform.BlockSize))
            throw new ArgumentException($"Blocked direct convolution takes groups aligned with the block {platform.BlockSize}; {shape} has {shape.Group} groups.", nameof(shape));
        if (weights.Length != shape.WeightLength) throw new ArgumentException($"Weights hold {weights.Length} values; {shape} needs {shape.WeightLength}.", nameof(weights));
        (_block, _tilePixels, _tileBlocks) = platform.Isa switch
        {
            CpuIsa.Avx512 when platform.BlockSize == 16 => (16, TilePixelsAvx512, TileBlocksAvx512),
            CpuIsa.Avx2 when platform.BlockSize == 8 => (8, TilePixelsAvx2, TileBlocksAvx2),
            _ => throw new ArgumentException($"{platform} has no blocked convolution kernels (block size {platform.BlockSize})."),
        };
        int b = _block;
        _inBlocks = BlockedLayout.PaddedChannels(shape.Channels, b) / b;
        _outBlocks = BlockedLayout.PaddedChannels(shape.OutChannels, b) / b;
        // The unit of independent work: one output group of whole blocks and its input blocks (dense: everything;
        // narrow groups: one block and the same block). A tile never spans two units.
        (_outBlocksPerUnit, _inBlocksPerUnit) = shape.Group == 1 ? (_outBlocks, _inBlocks)
            : shape.OutChannelsPerGroup % b == 0 ? (shape.OutChannelsPerGroup / b, shape.ChannelsPerGroup / b)
            : (1, 1);
        if (shape.Group > 1) _tileBlocks = LargestDivisorAtMost(_outBlocksPerUnit, _tileBlocks);
        // One-block units take a wider tile, to keep enough multiply-adds in flight (WideTilePixelsAvx512, WideTilePixelsAvx2).
        if (_tileBlocks == 1) _tilePixels = b == 16 ? WideTilePixelsAvx512 : WideTilePixelsAvx2;
        _groups = (_outBlocks + _tileBlocks - 1) / _tileBlocks;

        Window3D w = shape.Window;
        // One image's input and the whole filter, in bytes: which of them a thread should keep to itself decides both the
        // strided copy below and the task order (rows outermost).
        long inputBytes = (long)_inBlocks * b * w.InSize * sizeof(float);
        long filterBytes = (long)_outBlocks * b * _inBlocksPerUnit * b * w.KH * w.KW * sizeof(float);
        // Where y goes. Written over the residual's buffer (where the residual dies here), each store lands on a line the
        // residual's read just brought in. But on more threads than images, in a layer whose filter outweighs its input
        // (ResNet's layer3 and layer4), the residual is the block's input, which the block's first 1×1 (its output
        // channels shared out, every thread reading every input channel) had both threads read whole: its lines sit in
        // both cores' caches, and each store over one first takes it from the other core (in this VM's slow mode, across
        // its ~8 GB/s link). A buffer of its own holds no such lines. ResNet-50 on 2 threads, `ab` both orders with the
        // labels both ways round (NOTES "Fourteenth sitting"): layer3's five 256 → 1024 +Add 0.01–0.05 ms faster each (18 of
        // 20 readings), the run within the noise. Layer1's and layer2's (input outweighing the filter: the block's first
        // 1×1 has its rows outermost too, each thread reading its own) keep writing over the residual, as does every layer
        // with an image or more per thread, so the peak memory, which layer1's 3 MB values set, does not move.
        bool outputsSharedLines = parallel.Threads > shape.Batch && filterBytes >= inputBytes;
        _keepsOutputApart = tuning.SeparateSharedResidual && outputsSharedLines;
        // The same layers' tasks first make their output lines their own core's (BlockedTuning.ClaimOutputLines): the line
        // a tile's store finds in both cores waits for the other copy to go, about five times as long as a line one core holds
        // (`forloop`, its loops optimized: 30.8 against 6.0 µs a loop; NOTES "Thirty-sixth sitting"), and the tile's stores
        // come 24 at once at its end.
        // A grouped layer claims whatever its filter weighs (BlockedTuning.ClaimGroupedOutputLines): its groups go outermost,
        // each thread writing its own groups' channels, into a buffer the layer before wrote by another split (ResNeXt-50's
        // layer3 grouped output lies over the first half of the downsample's output, all written by the first thread).
        bool groupedClaims = tuning.ClaimGroupedOutputLines && shape.Group > 1 && parallel.Threads > shape.Batch;
        _claimsOutputLines = ((tuning.ClaimOutputLines && outputsSharedLines) || groupedClaims) && b == 16;
        // A strided 1×1 window reads one pixel in SH·SW: copied out by each thread for the images it works on, those
        // pixels make a stride-1 plane that runs as one long row of full register tiles, where the strided rows had cut a
        // 7-wide row into 4 + 3 pixels (ResNet-50's layer4.0 downsample, 1 thread: 1.04 → 0.87 ms). Only where a thread
        // copies the images it works on alone: on one thread, or with at least 4 images per thread in a layer whose
        // tasks go image by image (the filter outweighs an image's input). At batch 1 on 2 threads both threads copied
        // the same pixels, half of them written by the other core, and lost more than the tiles gained (layer2.0's
        // downsample 0.45 → 0.86 ms). The sums are the strided walk's, bit for bit (BlockedConvTests).
        // Where the filter outweighs the pixels copied (an image's input over SH·SW), every thread copies its images
        // whatever the batch: the tiles' gain grows with the filter, the copy's cost with the pixels. At batch 1 on 2
        // threads, two sessions alternating in one process (NOTES "Ninth sitting"): ResNet-50's layer3.0 downsample (2 MB
        // of filter, 400 KB copied) 0.56–0.58 → 0.53–0.54 ms and ResNeXt-50's the same, ResNet-18's layer4.0 (512 KB, 50 KB)
        // 0.053–0.058 → 0.043–0.047 and its layer3.0 (128 KB, 100 KB) −0.002; ResNet-50's layer2.0 (512 KB, 800 KB) lost
        // 0.03–0.08 ms when it copied. Layer4.0's (8 MB, 200 KB) had gained first (NOTES "Layer4.0's downsample on 2 threads").
        // On more threads than images the threads now share one copy, each copying its range of input blocks
        // (SharedSubsample): at half the cost each, every such layer copies. On a Zen 4, 2 threads, both label orders
        // (NOTES "Twenty-sixth sitting"): ResNet-50's layer2.0 0.03–0.07 ms faster, its layer3.0 0.05–0.06 (where each
        // thread had spent 160 µs of 1.1 ms on its own copy), ResNeXt-50's the same layers 0.08–0.13 and 0.01–0.11.
        bool copiesOwnImages = parallel.Threads == 1 || (shape.Batch >= 4 * parallel.Threads && filterBytes > inputBytes)
            || filterBytes * w.SH * w.SW >= inputBytes || (tuning.SharedSubsample && parallel.Threads > shape.Batch);
        if (tuning.SubsampleStrided && copiesOwnImages && w.KernelSize == 1 && w.SD == 1 && (w.SH > 1 || w.SW > 1) && w.OutW % _tilePixels != 0
            && (w.PadD | w.PadH | w.PadW | w.PadEndD | w.PadEndH | w.PadEndW) == 0)
        {
            _subsampled = w;
            w = w with { InH = w.OutH, InW = w.OutW, SH = 1, SW = 1 };
            // On more threads than images every thread works on every image, so each had copied the same pixels: the copy
            // is shared out instead (BlockedTuning.SharedSubsample).
            _sharedCopy = tuning.SharedSubsample && parallel.Threads > shape.Batch;
        }
        if (w.IsPointwise) w = w with { InH = 1, OutH = 1, InW = w.InH * w.InW, OutW = w.OutH * w.OutW };
        (_interiorLo, _interiorHi) = WindowTaps.InteriorColumns(w);
        // Border columns run one pixel at a time, at a fraction of a full tile's rate: narrow planes (ResNet's 7- and
        // 14-wide) lose a large share of their columns to them, and even one border column of a 28- or 56-wide row
        // costs more than copying the input. There the input is copied once per run into a zero-padded plane in the
        // workspace, and every column is interior (BlockedTuning.PadCopyBytes).
        int border = w.OutW - (_interiorHi - _interiorLo); // per image, so that no batch size changes the plan
        long copyBytes = (long)_inBlocks * (w.InH + w.PadH + w.PadEndH) * (w.InW + w.PadW + w.PadEndW) * b * sizeof(float);
        // The copy must also be small against the layer's work: ResNeXt's strided layer3.0 3×3 (groups of one block, 16
        // multiply-adds per input value) does 16 FLOPs per copied byte and took 0.33–0.35 ms with the copy, 0.22–0.24
        // without (ORT 0.21); ResNet's 3×3s do 250 and more.
        double flopsPerCopiedByte = 2.0 * w.OutH * w.OutW * _outBlocks * b * _inBlocksPerUnit * b * w.KH * w.KW / Math.Max(1, copyBytes);
        // Where the one border column is the first and misses only its first tap (a stride-2 window with one column of
        // padding over an even row: ResNet's strided 3×3s), no copy: the row's first tile runs its other taps for all its
        // pixels, then the first tap for all but column 0 (SplitFirstColumn). The copy had cost ResNet-50's layer2.0 3×3 s2
        // 0.02–0.10 ms of 1.14–1.19 alone; in the model (two sessions alternating, both orders) that layer went 1.21–1.25 →
        // 1.15 ms on 1 thread and 0.67–0.68 → 0.64 on 2, layer3.0's −0.01 to −0.03. Not where the first column is more than an
        // eighth of the row (layer4.0's 7-wide rows: the split first tile, 4 of 7 pixels, lost more than the copy cost),
        // nor for units that may run two rows per tile, whose border columns run in two-row tiles of their own.
        _splitFirst = tuning.SplitFirstColumn && !(b == 16 && _tileBlocks <= 2) && w.PadW > 0 && 8 * border <= w.OutW
            && _interiorLo == 1 && _interiorHi == w.OutW && WindowTaps.Inside(-w.PadW, w.DW, w.KW, w.InW) == (1, w.KW - 1);
        // Over narrow rows (the border more than an eighth of the row: ResNet's 7- and 14-wide planes) whose tasks hold
        // several rows, the border columns run as column tiles instead of the copy (ColumnTiles): the same column of up to
        // a tile's width of rows in one register tile, their output gathered into place through the epilogue. The copy
        // had its padding taps multiplied as zeros, cut a 7-wide strided row into tiles of 4 + 3 where the interior is one
        // tile of 6, and on 2 threads wrote its copy over workspace lines the other core held. Alone, 1 thread (`blockedconv
        // --versus`): ResNet-50's layer4.0 3×3 s2 1.25 → 1.10 ms, layer4's 3×3 1.21 → 1.11, layer3's 1.09 → 0.99; over
        // 28- and 56-wide rows they lost (1.06 → 1.17, 1.08 → 1.13: the border a small share, the gathering not), so the
        // line is the copy's own. In ResNet-50 (two sessions alternating): layer4.0's 3×3 s2 −0.04 to −0.10 ms on 1
        // thread, −0.06 to −0.11 on 2 (NOTES "Tenth sitting"). Each pixel sums the copy's products but its zero ones, in
        // the same order: the answers are the copy's bit for bit.
        // A grouped layer (one pass, tasks of one row) takes them in tasks of all an image's rows, which its many groups
        // still share out: ResNeXt-101's strided layer4.0 (2048 in groups of 64 or 32 channels, 14 → 7) 0.87–1.26 →
        // 0.65–1.04 ms on 1 thread, −0.08 to −0.11 on 2. Units that pair rows keep their own border path, but for the
        // strided grouped ones of two blocks (one border column): their interior is then one tile of 6 × 2. Strided grouped
        // layers of one block over wider rows (ResNeXt's layer3.0, 28 → 14, no copy: too little work per copied byte)
        // keep their pairs for the interior and run the border column in column tiles of up to 12 rows, where it had run
        // as two-row tiles one pixel wide (two sums in flight): −0.006 to −0.030 ms on 1 and 2 threads. The stride-1 ones over
        // 14-wide rows likewise, with no copy: their interior (12 columns) pairs as one 12 × 2 tile, their two border
        // columns run as column tiles; the copy had cost them on 2 threads what it cost layer4.0 above (ResNeXt-50's
        // layer3.1–3.5 −0.017 to −0.035 ms each on 2 threads, level on 1; ResNeXt-101 64x4d's 23 layer3 grouped layers
        // −0.34 to −0.36 ms in all on 2, −0.40 to −0.67 on 1).
        // Segments, passes and the rows a task holds: the zero-padded copy changes none of them (only InH and InW), so
        // they are found once, here, and decide between the copy and column tiles.
        // A plane that is one long row splits into segments, so that even one output group makes tasks for every thread.
        _segmentsPerRow = w.OutH == 1 ? Math.Max(1, (w.OutW + FlatSegment / 2) / FlatSegment) : 1;
        // Whether the layer has several row units, before any cut per thread: it decides the passes, hence the sums.
        bool manyUnits = w.OutH * _segmentsPerRow > 1 || _subsampled is { OutH: > 1 };
        // Which layers take their rows outermost on several threads (the order of the tasks, below): where one image's
        // input outweighs the filter, and where a layer that does not narrow its channels has a filter of less than
        // WideningRowsOuter times its input. ResNet-50's layer3 256 → 1024 +Add (1 MB of filter, 200 KB of input) then reads
        // the rows the Winograd layer before wrote on the same thread, and the rows of the residual it wrote itself a block
        // before, where with its groups outermost each thread read every channel, half of them from the other core; each
        // thread streams the whole filter instead of half. Two threads, both orders (`ab`, NOTES "Thirteenth sitting"):
        // ResNet-50's layer3.0 3×3 s2 (2.4 MB, 800 KB) −0.05 to −0.11 ms, its layer3 256 → 1024s −0.03 to 0.00 each, ResNeXt-50's
        // 512 → 1024s −0.01 to −0.03 each; the runs −0.16/+0.22 (ResNet-50), −0.24/−0.15 (ResNeXt-50), −0.37/−0.23 ms
        // (ResNet-101). The narrowing 1024 → 256 lost 0.01–0.03 ms per layer so (it reads 800 KB and writes 200 KB: its own
        // rows save less than the second filter stream costs; cut in segments with its groups still outermost it lost as
        // much), and the strided 1×1s' copies lost 0.005 ms split in segments: both keep their order. Not on one thread,
        // whose stream of tasks gains nothing from either order. Nor where the filter is over 3 MB: each thread streams
        // it whole, from memory, and ResNeXt-101 32x8d's layer3 1024 → 1024 1×1s (4 MB, 800 KB) lost 0.08–0.16 ms each (a
        // run +5.4/+6.4 ms), where ResNet-50's 2.4 MB strided 3×3 gained.
        // Only where there are fewer images than threads: with one or more images per thread, each thread's tasks are
        // whole images in either order (and batch 8 measured nothing of this).
        // A flattened pointwise plane (one row) no longer widens where its first tasks ask for their input instead
        // (FirstTaskInputAhead, below): with its groups outermost each thread streams half the filter.
        bool flatAsks = tuning.FirstTaskInputAhead && b == 16 && w.OutH == 1 && w.KH * w.KW == 1;
        bool widening = tuning.WideningRowsOuter > 1 && shape.Group == 1 && parallel.Threads > shape.Batch && _outBlocks >= _inBlocks && _subsampled is null
            && inputBytes * tuning.WideningRowsOuter > filterBytes && filterBytes <= tuning.WideningRowsOuterFilterBytes && !flatAsks;
        // A 14×14 or 7×7 pointwise plane is one segment: one unit of rows. A segment per thread, each its own range (below),
        // gives the rows' ranges.
        bool cutPerThread = widening && w.OutH == 1;
        if (cutPerThread) _segmentsPerRow = Math.Max(_segmentsPerRow, Math.Min(parallel.Threads, w.OutW / (2 * _tilePixels)));
        _segmentWidth = Math.Max(1, (w.OutW + _segmentsPerRow - 1) / _segmentsPerRow);
        // Rounding the width up can leave the last segments empty (50,176 pixels: 1,045 segments of 49 cover them in
        // 1,024); a segment that started past the row would clamp its range backwards.
        _segmentsPerRow = (w.OutW + _segmentWidth - 1) / _segmentWidth;
        int units = w.OutH * _segmentsPerRow;
        // Passes as the strided walk takes them (its rows are units), so that the copy sums every pixel in the same order.
        // A 1×1 sums in longer passes (BlockedTuning.PointwisePassChannels; PointwisePassMaxFilterRatio can keep layers whose
        // filter is many times their input out): shape only.
        // AVX-512 only: AVX2's 128-channel slice (2 output blocks of 8) is 8 KB, well inside L1, and was not measured.
        bool widePasses = b == 16 && w.KH * w.KW == 1 && filterBytes < tuning.PointwisePassMaxFilterRatio * inputBytes;
        (_passBlocks, _passes) = PassBlocks(_inBlocksPerUnit, (long)w.KH * w.KW * b * _tileBlocks * b * sizeof(float), b, manyUnits, tuning, widePasses);
        int rowsPerTask = _passes > 1
            ? UnitsPerTask(units, Shape.Batch * _groups, (long)_segmentWidth * _tileBlocks * b * sizeof(float), parallel.Threads, cutPerThread ? parallel.Threads : 1)
            : shape.Group > 1 ? units : 1;
        // Units that may run two rows per tile (below). Stride-1 units of two blocks over wide rows do not: in single rows
        // their border columns run as column tiles, where the pairs read a zero-padded copy (ResNeXt-101 32x8d's 14 × 14
        // layers: a 1 MiB copy per layer and 5–20 % slower; BlockedTuning.RowPairsTwoBlocksMaxWidth).
        bool pairUnits = b == 16 && tuning.RowPairs && _tileBlocks <= 2 && !(_tileBlocks == 2 && w.SW == 1 && w.OutW > tuning.RowPairsTwoBlocksMaxWidth);
        bool columnsPossible = tuning.ColumnTiles && !_splitFirst && border > 0 && w.OutH > 1 && rowsPerTask >= 2;
        _pairedColumns = columnsPossible && pairUnits && shape.Group > 1 && _tileBlocks == 1;
        _columnTiles = columnsPossible && (_pairedColumns
            || (8 * border > w.OutW && (!pairUnits || (shape.Group > 1 && _tileBlocks == 2 && border == 1))));
        if (!_splitFirst && !_columnTiles && (w.PadH | w.PadW | w.PadEndH | w.PadEndW) != 0 && border > 0
            && (8 * border > w.OutW || (copyBytes <= tuning.PadCopyBytes && flopsPerCopiedByte >= tuning.PadCopyMinFlopsPerByte)))
        {
            _padded = w;
            w = w with { InH = w.InH + w.PadH + w.PadEndH, InW = w.InW + w.PadW + w.PadEndW, PadH = 0, PadW = 0, PadEndH = 0, PadEndW = 0 };
            (_interiorLo, _interiorHi) = WindowTaps.InteriorColumns(w);
        }
        _w = w;

        // Two rows per tile where a row's widest tile holds fewer than 12 accumulators: 7 × 1 for a one-block unit over a
        // 14-wide row (ResNeXt-50's layer3 groups of 16 channels), 4 × 2 over a 7-wide row (layer4's groups of 32). Such
        // tiles left the FMA pipes' latency uncovered and loaded a weight vector per 7–8 multiply-adds (NOTES "Two-row
        // tiles"). AVX-512 only: AVX2's 16 ymm registers hold no wider tile than the row's own.
        int widest = WindowTaps.WidestTile(_interiorHi - _interiorLo, _tilePixels);
        _pairPixels = TwoRowPixelsAvx512(_tileBlocks);
        _rowPairs = (!_columnTiles || _pairedColumns) && pairUnits && w.OutH >= 2 && _segmentsPerRow == 1 && w.SW is 1 or 2
            && widest > 0 && (widest * _tileBlocks < 12 || (_pairedColumns && widest * _tileBlocks <= 12)); // 12 columns pair as one tile of 24 sums
        _sharedBroadcasts = _rowPairs && tuning.RowPairsShareBroadcasts && _tileBlocks == 1 && w.SW == 1 && w.SH == 1 && w.DH == 1;
        _pairTiles = _rowPairs ? WindowTaps.NearEqualTiles(_interiorHi - _interiorLo, _pairPixels) : default;
        // One pass runs a row per task (many groups make tasks enough), but for the column tiles, which run down the rows.
        _unitsPerTask = _passes > 1 || _columnTiles ? rowsPerTask : 1;
        if (_rowPairs) _unitsPerTask = Math.Min(units, (_unitsPerTask + 1) / 2 * 2); // whole pairs of rows per task
        _ranges = (units + _unitsPerTask - 1) / _unitsPerTask;
        // Which thread reads what the layer before wrote. Groups outermost, each thread streams only its own groups'
        // weights but reads every channel of the input, half of it written by the other thread; rows outermost, it
        // reads its own rows (the layer before, its stem, pool and Winograd tiles all split rows the same way) and
        // streams every group's weights. Where one image's input outweighs the filter (ResNet's layer1 and layer2,
        // where the activations are MBs and the weights KBs) rows go outermost (NOTES "Rows outermost where the
        // activations outweigh the weights"); layer3 and layer4 keep their groups outermost.
        // A grouped layer keeps its groups outermost whatever the sizes: each thread then reads only its own groups'
        // input channels, which the pointwise layer before (groups outermost in ResNeXt's layer3 and layer4) wrote on the
        // same thread, where rows outermost had each thread read its rows of every channel, half of them from the other
        // core. ResNeXt at 2 threads, both orders measured in one process (NOTES "Ninth sitting"): ResNeXt-50's
        // layer3 grouped 3×3s 0.16–0.19 → 0.13–0.15 ms each, ResNeXt-101 64x4d's 8.3 → 6.4–6.7 ms in all; 1 thread level.
        bool activationsOutweigh = _groups > 1 && _ranges > 1 && (inputBytes > filterBytes || widening);
        _rowsOuter = activationsOutweigh && shape.Group == 1;
        _groupsFirst = !activationsOutweigh && parallel.Threads == 1 && shape.Batch > 1 && _groups > 1 && filterBytes >= tuning.GroupsFirstFilterRatio * inputBytes;
        _asksNextGroupInput = tuning.GroupInputAhead && shape.Group > 1 && _passes == 1 && w.SH * w.SW * w.SD > 1;
        _inputAsksPerTap = tuning.InputAsksPerTap;
        _filterAsksPerTap = tuning.FilterAsksPerTap;
        // On 2 threads each thread's first task of such a layer reads its input's other half from the other core: ResNet-50's
        // 1024 → 256s' first tasks ran 153–160 µs where later ones, finding it in cache, ran 122–124 (NOTES "Fifteenth
        // sitting"); with the asks, 126–128 against 121–123. Rows-outermost layers read rows their own thread wrote: asked
        // for, they lost 0.03–0.11 ms each (NOTES "Sixteenth sitting").
        // Each thread's first task reads every input channel of the image, half of it written by the other core: a dense
        // layer with its groups outermost, every task over the whole plane (its own input, no copy), more threads than images.
        bool firstTaskReadsShared = parallel.Threads > shape.Batch && shape.Group == 1 && !_rowsOuter && _ranges == 1 && (_subsampled is null || _sharedCopy) && _padded is null;
        _asksNextPassInput = tuning.NextPassInputAhead && firstTaskReadsShared && _passes > 1;
        // A thread whose share of the tasks sweeps the groups only once (a row range per thread: ResNet-50's layer3
        // 256 → 1024s on 2 threads) reads every slice for the first time, from memory, however small the filter: with the
        // next group's slice not asked for, each of those tasks ran 18.0–19.2 µs where the 1-thread plan's tasks of twice
        // the pixels ran 30.2 µs; asked for, 15.8–17.9 (NOTES "Fifteenth sitting").
        _filterCachedAcrossTasks = _rowsOuter && filterBytes <= CachedFilterBytes && Tasks > (long)parallel.Threads * _groups;
        // The same first read in a pointwise layer over a flattened plane with its groups outermost: ResNet-50's layer3
        // 256 → 1024s and layer4 512 → 2048s on 2 threads. Each thread's first task read the input tile by tile on demand,
        // half of it from the other core: 57–67 µs where later tasks ran 31.5 (the 256 → 1024; its rows outermost had each
        // thread stream the whole 1 MB filter, 17–24 µs a task of half the pixels where 15.9 was the share). Now each tile
        // of that task asks for the next tile's pixels in every input block as it sums the blocks; in passes, during the
        // first pass (NextPassInputAhead asks for the later passes' input). Later tasks find the input in cache and ask
        // nothing (NOTES "Seventeenth sitting").
        // A rows-outermost window reads each input row first in one output row's tasks and finds it in cache in the next
        // KH − 1: ResNet-50's layer2.0 3×3 s2 (1.6 MB of input, from L3 on 1 thread) took 1.22–1.34 ms in the model where
        // alone and warm it takes 1.09 (ORT's node 1.10 alone, 1.15–1.19 in its model). Each row's tasks now ask for the
        // rows the next output row reads first, shared out over the row's groups and their tiles (NOTES "Seventeenth
        // sitting"). Pointwise rows-outermost planes (contiguous segments the hardware prefetchers follow) lost
        // 0.002–0.010 ms each so and do not ask.
        _asksNextRowInput = tuning.NextRowInputAhead && b == 16 && w.KH * w.KW > 1 && w.OutH > 1 && _segmentsPerRow == 1 && _rowsOuter && !_rowPairs
            && _padded is null && _subsampled is null && !_columnTiles;
        _asksFirstTaskInput = flatAsks && firstTaskReadsShared;
        // On more images than threads each image's input was written while the layer before ran the others: its first task asks.
        // Groups first (a batch on one thread), every task is its image's first for its group, and each asks
        // (BlockedTuning.GroupsFirstInputAhead): the image's input was last read a group ago, the batch's other images since.
        _asksImageInput = tuning.ImageInputAhead && b == 16 && w.OutH == 1 && w.KH * w.KW == 1 && shape.Batch > parallel.Threads && shape.Group == 1
            && !_rowsOuter && (!_groupsFirst || tuning.GroupsFirstInputAhead) && _ranges == 1 && _subsampled is null && _padded is null;

        int tileBlocks = _tileBlocks, outPerUnit = _outBlocksPerUnit, inPerUnit = _inBlocksPerUnit;
        _filter = cache is null ? PackFilter(weights.Floats, shape, b, tileBlocks, outPerUnit, inPerUnit)
            : cache.GetOrAdd(weights, ConvAlgorithm.BlockedDirect, shape, platform, () => PackFilter(weights.Floats, shape, b, tileBlocks, outPerUnit, inPerUnit));
        _zeroBias = GC.AllocateArray<float>(_outBlocks * b, pinned: true);
    }

    /// <summary>
    /// Whether the kernel runs this grouping at block <paramref name="block"/>: one group; groups of whole blocks
    /// in and out; or groups narrower than a block with as many channels in as out, a whole number per block.
    /// </summary>
    public static bool Supports(in ConvShape shape, int block) =>
        shape.Window.IsPlanar && SupportsGrouping(shape.Channels, shape.OutChannels, shape.Group, block);

    /// <summary>
    /// The grouping half of <see cref="Supports"/>. Narrow groups must fill at least a quarter of a block (ResNeXt's 4
    /// and 8 channels at 16): the block-diagonal weights do b/width × the true work, and a depthwise layer at 16×
    /// belongs to a kernel of its own.
    /// </summary>
    public static bool SupportsGrouping(int channels, int outChannels, int group, int block)
    {
        if (block <= 0 || group < 1) return false;
        if (group == 1) return true;
        int c = channels / group, m = outChannels / group;
        return (c % block == 0 && m % block == 0) || (c == m && block % c == 0 && 4 * c >= block);
    }

    /// <summary>
    /// Input blocks per pass, and passes: all blocks in one pass while a group's filter slice (inBlocks ×
    /// <paramref name="blockBytes"/>) is at most <see cref="BlockedTuning.PassesAboveBytes"/> and, when the layer has
    /// <paramref name="manyUnits"/> (more than one row unit), its input channels at most
    /// <see cref="BlockedTuning.PassesAboveChannels"/>; else near-equal passes of about <see cref="BlockedTuning.PassChannels"/>
    /// input channels, or with <paramref name="widePasses"/> (an AVX-512 1×1 within <see cref="BlockedTuning.PointwisePassMaxFilterRatio"/>)
    /// of half its input channels within [PassChannels, <see cref="BlockedTuning.PointwisePassChannels"/>]. Never depends on the batch or the
    /// threads, so every run of a layer sums in the same order.
    /// </summary>
    internal static (int PassBlocks, int Passes) PassBlocks(int inBlocks, long blockBytes, int block, bool manyUnits, BlockedTuning tuning, bool widePasses = false)
    {
        bool manyStreams = manyUnits && (long)inBlocks * block > tuning.PassesAboveChannels;
        if (inBlocks <= 1 || (inBlocks * blockBytes <= tuning.PassesAboveBytes && !manyStreams)) return (inBlocks, 1);
        int channels = tuning.PassChannels;
        if (widePasses && tuning.PointwisePassChannels > channels) channels = Math.Clamp(inBlocks * block / 2, channels, tuning.PointwisePassChannels);
        int per = Math.Clamp(channels / block, 1, inBlocks);
        int passes = (inBlocks + per - 1) / per;
        return ((inBlocks + passes - 1) / passes, passes);
    }

    /// <summary>
    /// Row units per task when the layer runs in passes: as many as keep the task's partial sums (unitBytes each)
    /// within 64 KiB, but at least 4 tasks per thread over the run's (image, group) pairs, and at least
    /// <paramref name="minRanges"/> ranges (a plane cut in a segment per thread: each segment its own range, however
    /// many groups there are).
    /// </summary>
    private static int UnitsPerTask(int units, int pairs, long unitBytes, int threads, int minRanges)
    {
        int byBytes = (int)Math.Clamp(64 * 1024 / Math.Max(1, unitBytes), 1, units);
        int ranges = Math.Max(Math.Max((units + byBytes - 1) / byBytes, Math.Min(units, (4 * threads + pairs - 1) / pairs)), Math.Min(units, minRanges));
        return (units + ranges - 1) / ranges;
    }

    private static int LargestDivisorAtMost(int n, int limit)
    {
        for (int d = Math.Min(n, limit); d > 1; d--) if (n % d == 0) return d;
        return 1;
    }

    /// <summary>
    /// src [M][C/G][KH][KW] → per output group of r blocks [inPerUnit][KH][KW][b_in][r][b_out], reading only the input
    /// blocks of the output group's unit (<see cref="_inBlocksPerUnit"/>); a weight whose input channel is not in its
    /// output channel's group (the block-diagonal case) and padded channels are 0.
    /// </summary>
    private static float[] PackFilter(ReadOnlySpan<float> src, in ConvShape shape, int b, int tileBlocks, int outPerUnit, int inPerUnit)
    {
        int mBlocks = BlockedLayout.PaddedChannels(shape.OutChannels, b) / b;
        int taps = shape.Window.KH * shape.Window.KW, cPerGroup = shape.ChannelsPerGroup, mPerGroup = shape.OutChannelsPerGroup;
        long blockFloats = (long)inPerUnit * taps * b * b;
        var dst = GC.AllocateArray<float>(checked((int)(mBlocks * blockFloats)), pinned: true);
        for (int ob0 = 0; ob0 < mBlocks; ob0 += tileBlocks)
        {
            int r = Math.Min(tileBlocks, mBlocks - ob0), inStart = ob0 / outPerUnit * inPerUnit;
            long group = ob0 * blockFloats;
            for (int j = 0; j < r; j++)
                for (int oc = 0; oc < b; oc++)
                {
                    int m = (ob0 + j) * b + oc;
                    if (m >= shape.OutChannels) continue;
                    int first = m / mPerGroup * cPerGroup; // the group's first input channel
                    for (int cb = 0; cb < inPerUnit; cb++)
                        for (int ic = 0; ic < b; ic++)
                        {
                            int c = (inStart + cb) * b + ic - first;
                            if (c < 0 || c >= cPerGroup) continue;
                            for (int t = 0; t < taps; t++)
                                dst[group + ((((long)cb * taps + t) * b + ic) * r + j) * b + oc] = src[(m * cPerGroup + c) * taps + t];
                        }
                }
        }
        return dst;
    }

    public override ConvAlgorithm Algorithm => ConvAlgorithm.BlockedDirect;

    /// <summary>The register tile this layer runs (groups narrow it to a divisor of their blocks).</summary>
    public override string Description => $"blocked direct NCHW{_block}c, {_tilePixels}×{_tileBlocks} pixels×blocks"
        + (_rowPairs ? $", two rows per tile (up to {_pairPixels}×2×{_tileBlocks})" : "") + (_columnTiles ? ", border columns in column tiles" : "");

    public override bool HoldsPackedWeights => true;

    public override bool OutputMayBeResidual => true;

    protected override bool KeepsOutputApart => _keepsOutputApart;

    public override long WorkspaceBytes => Workspace.Align(PaddedInputLength * sizeof(float))
        + (_sharedCopy ? Workspace.Align(Shape.Batch * SubsampledImageFloats * sizeof(float)) : Parallel.Threads * WorkerSubsampleBytes);

    /// <summary>Channels per block (16 on AVX-512, 8 on AVX2).</summary>
    public int Block => _block;

    /// <summary>Floats in the blocked input [N][Cp/b][InH][InW][b].</summary>
    public long BlockedInputLength => (long)Shape.Batch * _inBlocks * _block * Shape.Window.InSize;

    /// <summary>Floats in the blocked output (and residual) [N][Mp/b][OutH][OutW][b].</summary>
    public long BlockedOutputLength => (long)Shape.Batch * _outBlocks * _block * Shape.Window.OutSize;

    /// <summary>Passes over runs of input blocks (1: every block in one pass).</summary>
    internal int Passes => _passes;

    /// <summary>Whether tasks go group by group over the images (<see cref="_groupsFirst"/>).</summary>
    internal bool GroupsFirst => _groupsFirst;

    /// <summary>Whether the kernel walks a copy of the pixels a strided 1×1 window reads, each thread's own or one they share (<see cref="SharesSubsampledCopy"/>; <see cref="BlockedTuning.SubsampleStrided"/>).</summary>
    internal bool Subsamples => _subsampled is not null;
    /// <summary>Whether the threads make one subsampled copy together (<see cref="_sharedCopy"/>): for tests.</summary>
    internal bool SharesSubsampledCopy => _sharedCopy;

    /// <summary>Whether each row's tasks ask for the next row's first-read input (<see cref="_asksNextRowInput"/>): for tests.</summary>
    internal bool AsksNextRowInput => _asksNextRowInput;

    /// <summary>Whether each thread's first task asks for the next tile's input (<see cref="_asksFirstTaskInput"/>): for tests.</summary>
    internal bool AsksFirstTaskInput => _asksFirstTaskInput;

    /// <summary>Whether tasks go row range by row range over the groups (<see cref="_rowsOuter"/>).</summary>
    internal bool RowsOuter => _rowsOuter;

    /// <summary>Whether the two-row tiles walk the input rows, one broadcast for both output rows (tests).</summary>
    internal bool SharedBroadcasts => _sharedBroadcasts;

    /// <summary>Segments a row is cut into (a pointwise plane is one row).</summary>
    internal int SegmentsPerRow => _segmentsPerRow;

    /// <summary>Whether tasks run two output rows per register tile (<see cref="BlockedTuning.RowPairs"/>).</summary>
    internal bool RowPairs => _rowPairs;

    /// <summary>The widest two-row tile a row pair runs (pixels per row; 0 without row pairs): for tests.</summary>
    internal int WidestPairTile => _rowPairs ? WindowTaps.WidestTile(_interiorHi - _interiorLo, _pairPixels) : 0;

    /// <summary>Whether each row's first tile runs in two calls, its first column's first tap in the padding (<see cref="BlockedTuning.SplitFirstColumn"/>).</summary>
    internal bool SplitsFirstColumn => _splitFirst;

    /// <summary>Whether border columns run as column tiles (<see cref="_columnTiles"/>).</summary>
    internal bool RunsColumnTiles => _columnTiles;

    /// <summary>Whether the plan reads a zero-padded copy of its input.</summary>
    internal bool CopiesPadded => _padded is not null;

    /// <summary>Output columns of a row outside the interior (one pixel at a time, or one pixel wide in two-row tiles): for tests.</summary>
    internal int BorderColumns => _w.OutW - (_interiorHi - _interiorLo);

    /// <summary>Tasks of one run: (image, output group of R blocks, range of (row, segment) units).</summary>
    private int Tasks => Shape.Batch * _groups * _ranges;

    /// <summary>For tests: the run's tasks, and each one's image, output group and range of units.</summary>
    internal int TaskCount => Tasks;
    internal int TileBlocks => _tileBlocks;
    internal (int N, int Group, int Range) TaskOf(int task) => Decode(task);

    /// <param name="x">Blocked input [N][Cp/b][InH][InW][b].</param>
    /// <param name="weight">Not read: the plan holds its packed copy.</param>
    /// <param name="bias">[M] (the logical channels), or empty for none.</param>
    /// <param name="residual">Blocked like y (padded lanes zero), read when the shape's epilogue has one.</param>
    /// <param name="y">Blocked output [N][Mp/b][OutH][OutW][b], written in full (padded channels 0).</param>
    /// <param name="workspace">At least the plan's workspace bytes, 64-byte aligned, contents undefined.</param>
    public override void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual,
        Span<float> y, Workspace workspace)
    {
        if (x.Length < BlockedInputLength || y.Length < BlockedOutputLength || (!bias.IsEmpty && bias.Length < Shape.OutChannels)
            || (Shape.Epilogue.Residual && residual.Length < BlockedOutputLength))
            throw new ArgumentException($"Blocked convolution {Shape}: x {x.Length} (needs {BlockedInputLength}), bias {bias.Length}, residual {residual.Length}, " +
                $"y {y.Length} (needs {BlockedOutputLength}) elements.");
        if (Tasks == 0) return;
        // The bias as the kernels read it, [Mp] with zero padding: the caller's [M] bias is copied into a stack
        // buffer per run when M is not a multiple of b (the padded lanes must stay 0), else read in place.
        int mp = _outBlocks * _block;
        Span<float> scratch = !BlockedBias.NeedsCopy(bias, mp) ? default : mp <= 4096 ? stackalloc float[mp] : new float[mp];
        ReadOnlySpan<float> b = BlockedBias.Select(bias, Shape.OutChannels, _zeroBias, scratch);
        fixed (float* px = x, pb = b, pz = _zeroBias, pr = residual, py = y, pf = _filter)
        {
            float* input = px;
            if (WorkspaceBytes > 0 && workspace.Bytes < WorkspaceBytes)
                throw new ArgumentException($"{Description} needs {WorkspaceBytes} bytes of workspace; {workspace.Bytes} were given.");
            if (_padded is { } original)
            {
                input = workspace.Floats(0, PaddedInputLength);
                PadInput(px, input, original);
            }
            byte* copies = null;
            long copyStride = 0;
            if (_sharedCopy)
            {
                // At the workspace's start, as the per-thread copies are: a strided window with a copy has no padding, so
                // no zero-padded copy comes first.
                float* shared = workspace.Floats(0, Shape.Batch * SubsampledImageFloats);
                Parallel.For(Shape.Batch * _inBlocks, new SubsamplePlane(px, shared, _subsampled!.Value, _block, SubsampledPlaneFloats));
                input = shared;
            }
            else if (_subsampled is not null)
            {
                // Each worker's copies in its own stripe of the whole workspace (Workspace.WorkerOffset), where every layer's
                // scratch of that worker lies.
                copies = workspace.WorkerParts(Parallel.Threads, WorkerSubsampleBytes, _workerStripes, out copyStride);
                // No image is copied yet: the workspace holds whatever the step before left in it.
                for (int t = 0; t < Parallel.Threads; t++) new Span<long>(copies + t * copyStride, Shape.Batch).Clear();
            }
            var body = new Body(this, input, pf, pb, pz, Shape.Epilogue.Residual ? pr : null, py, copies, copyStride);
            EpilogueDispatch.Run(Shape.Epilogue, new RunTasks(Parallel, Tasks, body));
        }
    }

    /// <summary>
    /// x [N][Cp/b][InH][InW][b] → the zero-padded copy [N][Cp/b][InH + pads][InW + pads][b] the kernel walks, one plane
    /// per parallel index (one thread copying while the other waited had cost the 2-thread runs its whole length). Only
    /// the border is zeroed (the workspace holds other steps' data between runs); the rest is the copied rows.
    /// </summary>
    private void PadInput(float* x, float* padded, in Window3D original) =>
        Parallel.For(Shape.Batch * _inBlocks, new PadPlane(x, padded, original, _w, _block));

    /// <summary>One (image, channel block) plane of <see cref="PadInput"/>.</summary>
    private readonly struct PadPlane(float* x, float* padded, Window3D original, Window3D copy, int b) : IParallelBody
    {
        public void Invoke(int p)
        {
            int rowFloats = original.InW * b, paddedRow = copy.InW * b;
            int left = original.PadW * b, right = paddedRow - left - rowFloats;
            float* plane = padded + (long)p * copy.InH * paddedRow;
            new Span<float>(plane, original.PadH * paddedRow).Clear();
            new Span<float>(plane + (long)(original.PadH + original.InH) * paddedRow, (copy.InH - original.PadH - original.InH) * paddedRow).Clear();
            for (int ih = 0; ih < original.InH; ih++)
            {
                float* row = plane + (long)(ih + original.PadH) * paddedRow;
                new Span<float>(row, left).Clear();
                new ReadOnlySpan<float>(x + ((long)p * original.InH + ih) * rowFloats, rowFloats).CopyTo(new Span<float>(row + left, rowFloats));
                new Span<float>(row + left + rowFloats, right).Clear();
            }
        }
    }

    /// <summary>
    /// One (image, input block) plane of the shared subsampled copy (<see cref="_sharedCopy"/>): each thread copies its own
    /// range of planes, so that the copy costs each of two threads half of what a copy per thread did.
    /// </summary>
    private readonly struct SubsamplePlane(float* x, float* copy, Window3D original, int b, long planeFloats) : IParallelBody
    {
        public void Invoke(int p) => CopySubsampled(x + p * (long)original.InH * original.InW * b, copy + p * planeFloats, original, b);
    }

    /// <summary>The pixels a strided 1×1 window reads in one input block's plane, in order, as a stride-1 plane at <paramref name="dst"/>.</summary>
    private static void CopySubsampled(float* plane, float* dst, in Window3D original, int b)
    {
        for (int oh = 0; oh < original.OutH; oh++)
        {
            float* row = plane + (long)oh * original.SH * original.InW * b;
            // One vector per pixel: a span copy of 64 bytes per pixel (a call to memmove each) had cost this layer's
            // 200 KB copy 0.1 ms on each of 2 threads, a fifth of the layer.
            if (b == 16)
                for (int ow = 0; ow < original.OutW; ow++, dst += 16)
                    Vector512.Store(Vector512.Load(row + (long)ow * original.SW * 16), dst);
            else
                for (int ow = 0; ow < original.OutW; ow++, dst += b)
                    Vector256.Store(Vector256.Load(row + (long)ow * original.SW * b), dst);
        }
    }

    /// <summary>
    /// Image n's subsampled input (from <paramref name="body"/>'s X, the caller's input) as this thread's copy, made at its first
    /// task of the image in this run: on one thread, and where each thread's tasks are whole images, a thread reads only the
    /// copies it made. (On more threads than images the threads share one copy instead, <see cref="_sharedCopy"/>.) Returns
    /// the base of the thread's images, laid out as the input's ([N][Cp/b][OutH·OutW][b]).
    /// </summary>
    private float* SubsampledInput(int n, in Body body)
    {
        Window3D original = _subsampled!.Value;
        byte* region = body.Copies + Parallel.CurrentWorker * body.CopyStride;
        long* copied = (long*)region;
        float* images = (float*)(region + SubsampleHeaderBytes);
        if (copied[n] != 0) return images;
        int b = _block;
        long inPlane = (long)original.InH * original.InW * b;
        float* dst = images + n * SubsampledImageFloats;
        for (int cb = 0; cb < _inBlocks; cb++)
            CopySubsampled(body.X + ((long)n * _inBlocks + cb) * inPlane, dst + cb * SubsampledPlaneFloats, original, b);
        copied[n] = 1;
        return images;
    }

    /// <summary>Strides (in floats) and counts the kernels read; one per task, on its stack.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct KernelArgs
    {
        public nint InBlocks, LastBlockChannels, InBlockStride, RowStep, ColStep, PixelStep, KH, KW, OutBlockStride;
        /// <summary>Two-row tiles only: the input offset from one output row's pixel to the next row's, and the output's.</summary>
        public nint NextRowIn, NextRowOut;
        /// <summary>
        /// Two-row tiles only: nonzero where a stride-1 one-block tile may walk the input rows, one broadcast for both output
        /// rows (<see cref="BlockedTuning.RowPairsShareBroadcasts"/>); it does so where <see cref="NextRowIn"/> is one kernel
        /// row (<see cref="RowStep"/>).
        /// </summary>
        public nint SharedBroadcasts;
        /// <summary>
        /// Weights a later tile will stream, to bring into cache while this one computes: <see cref="PrefetchLines"/> cache
        /// lines from here per input block (0: none; see <see cref="SlicePrefetch"/>), then <see cref="PrefetchTapLines"/> per
        /// kernel tap of the block. The tile's own results do not depend on it.
        /// </summary>
        public nint Prefetch, PrefetchLines, PrefetchTapLines;
        /// <summary>
        /// Input a later tile reads, to bring into cache while this one computes: <see cref="InputAheadLines"/> cache lines
        /// from here in each input block's plane (0: none; <see cref="SlicePrefetch.AskAcross"/>), the same pixels of every
        /// block the tile sums (<see cref="BlockedDirectPlan.NextTileInput"/>).
        /// </summary>
        public nint InputAhead, InputAheadLines;
    }

    /// <summary>
    /// A run's pointers; Copies: the workspace's per-thread subsampled inputs, worker w's at Copies + w · CopyStride bytes,
    /// or null (<see cref="SubsampledInput"/>).
    /// </summary>
    private readonly struct Body(BlockedDirectPlan plan, float* x, float* filter, float* bias, float* zeroBias, float* residual, float* y, byte* copies = null, long copyStride = 0)
    {
        public readonly BlockedDirectPlan Plan = plan;
        public readonly float* X = x, Filter = filter, Bias = bias, ZeroBias = zeroBias, Residual = residual, Y = y;
        public readonly byte* Copies = copies;
        public readonly long CopyStride = copyStride;

        public Body WithInput(float* input) => new(Plan, input, Filter, Bias, ZeroBias, Residual, Y, Copies, CopyStride);
    }

    private readonly struct Task<TEpilogue>(Body body) : IParallelBody where TEpilogue : struct, IEpilogue
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int task) => body.Plan.RunTask<TEpilogue>(task, body);
    }

    /// <summary>The run's tasks with the layer's epilogue type (<see cref="EpilogueDispatch"/>).</summary>
    private readonly struct RunTasks(ParallelRunner parallel, int tasks, Body body) : IEpilogueAction
    {
        public void Run<TEpilogue>() where TEpilogue : struct, IEpilogue => parallel.For(tasks, new Task<TEpilogue>(body));
    }

    /// <summary>
    /// One task: the (row, segment) units of one range, for one image and one group of up to R output blocks. In one
    /// pass the units run in turn through the layer's epilogue; in passes over runs of input blocks, the first
    /// adds bias (and residual) to its partial sums, the middle ones add theirs to y, the last adds its own and
    /// applies the ReLU (y is read back as the "residual" of the pass, so the kernels need no accumulate mode).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunTask<TEpilogue>(int task, in Body body) where TEpilogue : struct, IEpilogue
    {
        (int n, int group, int range) = Decode(task);
        if (body.Copies is null) RunTaskOn<TEpilogue>(task, n, group, range, body);
        else RunTaskOn<TEpilogue>(task, n, group, range, body.WithInput(SubsampledInput(n, body)));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunTaskOn<TEpilogue>(int task, int n, int group, int range, in Body body) where TEpilogue : struct, IEpilogue
    {
        (int u0, int u1) = UnitsOf(range);
        if (_claimsOutputLines) ClaimOutputLines(n, group, u0, u1, body);
        (bool asksNextPasses, bool asksInput) = InputAsksOf(task, group);
        if (_passes == 1)
        {
            var ahead = PrefetchFor(body.Filter, task, group, 0, u1 - u0, body.X);
            RunUnits<TEpilogue>(n, group, u0, u1, 0, _inBlocksPerUnit, body.Bias, body.Residual, body, ref ahead, asksInput);
            return;
        }
        for (int c = 0; c < _passes; c++)
        {
            int cb0 = c * _passBlocks, count = Math.Min(_passBlocks, _inBlocksPerUnit - cb0);
            var ahead = PrefetchFor(body.Filter, task, group, c, u1 - u0, asksNextPasses ? body.X : null);
            if (c == 0)
            {
                if (TEpilogue.ReadsResidual) RunUnits<BiasResidualEpilogue>(n, group, u0, u1, cb0, count, body.Bias, body.Residual, body, ref ahead, asksInput);
                else RunUnits<BiasEpilogue>(n, group, u0, u1, cb0, count, body.Bias, null, body, ref ahead, asksInput);
            }
            else if (c < _passes - 1 || !Shape.Epilogue.Relu) RunUnits<BiasResidualEpilogue>(n, group, u0, u1, cb0, count, body.ZeroBias, body.Y, body, ref ahead);
            else RunUnits<BiasResidualReluEpilogue>(n, group, u0, u1, cb0, count, body.ZeroBias, body.Y, body, ref ahead);
        }
    }

    /// <summary>
    /// Every output line of the task's units (its output group's blocks, the units' pixels), read and written back
    /// unchanged before the task computes (<see cref="BlockedTuning.ClaimOutputLines"/>): each line becomes this core's,
    /// writable, in one run of stores, before the tiles' stores reach it. No other task writes these lines, and a line
    /// that holds the residual or a pass's partial sums keeps its value.
    /// </summary>
    private void ClaimOutputLines(int n, int group, int u0, int u1, in Body body)
    {
        int b = _block, ob0 = group * _tileBlocks, r = Math.Min(_tileBlocks, _outBlocks - ob0);
        long outPlane = (long)_w.OutH * _w.OutW * b;
        (long first, long end) = PixelsOfUnits(u0, u1);
        for (int j = 0; j < r; j++)
        {
            float* plane = body.Y + ((long)n * _outBlocks + ob0 + j) * outPlane;
            // One float per 64-byte line (a pixel of 16 channels is one line).
            for (long f = first * b; f < end * b; f += 16)
            {
                float v = Volatile.Read(ref plane[f]);
                Volatile.Write(ref plane[f], v);
            }
        }
    }

    /// <summary>
    /// The pixels of units [u0, u1) in an output plane, as one range [First, End) of the plane's pixels: units are rows, or
    /// segments of a row, in order, so a task's units are one run of pixels.
    /// </summary>
    private (long First, long End) PixelsOfUnits(int u0, int u1)
    {
        int rowA = u0 / _segmentsPerRow, segA = u0 % _segmentsPerRow, rowB = (u1 - 1) / _segmentsPerRow, segB = (u1 - 1) % _segmentsPerRow;
        return ((long)rowA * _w.OutW + (long)segA * _segmentWidth, (long)rowB * _w.OutW + Math.Min(_w.OutW, (segB + 1) * _segmentWidth));
    }

    /// <summary>For tests: task <paramref name="task"/>'s image, output group and the pixels of the plane its units cover (what it claims).</summary>
    internal (int N, int Group, long First, long End) UnitPixelsOf(int task)
    {
        (int n, int group, int range) = Decode(task);
        (int u0, int u1) = UnitsOf(range);
        (long first, long end) = PixelsOfUnits(u0, u1);
        return (n, group, first, end);
    }

    /// <summary>The units [U0, U1) of range <paramref name="range"/> (the last range may hold fewer).</summary>
    private (int U0, int U1) UnitsOf(int range)
    {
        int u0 = range * _unitsPerTask;
        return (u0, Math.Min(_w.OutH * _segmentsPerRow, u0 + _unitsPerTask));
    }

    /// <summary>
    /// Whether a task asks for input ahead, the one rule for every place that asks: NextPasses, for each next pass's planes
    /// (<see cref="NextPassInputShare"/>); Tiles, by tile in its first pass. The task that opens a thread's range
    /// (<see cref="_asksNextPassInput"/>, <see cref="_asksFirstTaskInput"/>), and on more images than threads each image's
    /// first task (<see cref="_asksImageInput"/>; with the groups first, every task), which asks both ways.
    /// </summary>
    private (bool NextPasses, bool Tiles) InputAsksOf(int task, int group)
    {
        bool imageFirst = _asksImageInput && (group == 0 || _groupsFirst);
        bool threadFirst = (_asksFirstTaskInput || _asksNextPassInput) && Parallel.StartsRange(task, Tasks);
        return ((_asksNextPassInput && threadFirst) || imageFirst, (_asksFirstTaskInput && threadFirst) || imageFirst);
    }

    /// <summary>For tests: whether each task first claims its output lines (<see cref="BlockedTuning.ClaimOutputLines"/>).</summary>
    internal bool ClaimsOutputLines => _claimsOutputLines;

    /// <summary>For tests: which tasks ask by tile in their first pass (<see cref="InputAsksOf"/>).</summary>
    internal bool AsksTileInput(int task) => InputAsksOf(task, Decode(task).Group).Tiles;

    /// <summary>
    /// A task's image, output group and range of units: tasks are ordered image, range, group when rows go outermost;
    /// group, image, range when groups go first (<see cref="_groupsFirst"/>); else image, group, range.
    /// </summary>
    private (int N, int Group, int Range) Decode(int task) => _rowsOuter
        ? (task / _groups / _ranges, task % _groups, task / _groups % _ranges)
        : _groupsFirst ? (task / _ranges % Shape.Batch, task / _ranges / Shape.Batch, task % _ranges)
        : (task / _ranges / _groups, task / _ranges % _groups, task % _ranges);

    /// <summary>
    /// A filter this small stays in L2 across the rows of a rows-outermost layer (NOTES "Rows outermost"), so the next
    /// task's slice is already there: asking for it again cost ResNet-50's layer2.0 3×3 (590 KB) 0.08 ms. Only once a
    /// thread has swept the groups, though (<see cref="_filterCachedAcrossTasks"/>).
    /// </summary>
    private const long CachedFilterBytes = 1 << 20;

    /// <summary>
    /// What the tiles of pass <paramref name="pass"/> of a task, over <paramref name="units"/> units, prefetch: the task's
    /// next pass, or after its last the first pass of the next task's group when that group is another one (the next
    /// task is usually this thread's own next). The tile count is the interior's (border pixels run alone and ask for nothing).
    /// </summary>
    private SlicePrefetch PrefetchFor(float* filter, int task, int group, int pass, int units, float* x = null)
    {
        int tiles = TilesOf(units);
        int blocks = Math.Min(_passBlocks, _inBlocksPerUnit - pass * _passBlocks);
        (long inputAt, long inputBytes) = x == null ? (0, 0) : _passes == 1 ? NextGroupInputShare(task) : NextPassInputShare(task, pass);
        byte* input = inputBytes > 0 ? (byte*)x + inputAt : null;
        int nextGroup = group, nextPass = pass + 1;
        if (nextPass == _passes)
        {
            if (task + 1 >= Tasks || _filterCachedAcrossTasks || (nextGroup = Decode(task + 1).Group) == group)
                return new SlicePrefetch(null, 0, tiles, blocks, _w.KH * _w.KW, _block, _tileBlocks, input, inputBytes, _inputAsksPerTap);
            nextPass = 0;
        }
        (long offset, long bytes) = SliceOf(nextGroup, nextPass);
        return new SlicePrefetch((byte*)filter + offset, bytes, tiles, blocks, _w.KH * _w.KW, _block, _tileBlocks, input, inputBytes, _inputAsksPerTap, _filterAsksPerTap);
    }

    /// <summary>The register tiles a task over <paramref name="units"/> units runs (in row pairs where the plan pairs them; border pixels and column tiles ask for nothing).</summary>
    private int TilesOf(int units) => _rowPairs
        ? (units + 1) / 2 * Math.Max(1, (_interiorHi - _interiorLo + _pairPixels - 1) / _pairPixels)
        : units * Math.Max(1, (_segmentWidth + _tilePixels - 1) / _tilePixels);

    /// <summary>
    /// The pixels of a unit's next register tile, which the tile of <paramref name="p"/> pixels at column
    /// <paramref name="ow"/> asks for (<see cref="_asksFirstTaskInput"/>): from its end, the next tile's width (tiles of
    /// <paramref name="tileBase"/> pixels, one more for the <paramref name="wider"/> still to come), none past the interior's
    /// end <paramref name="hi"/>. Pointwise planes only: a pixel's input is its one column, in every input block.
    /// </summary>
    internal static (int From, int Pixels) NextTileInput(int ow, int p, int hi, int tileBase, int wider)
    {
        int from = ow + p;
        return from >= hi ? (from, 0) : (from, Math.Min(hi - from, tileBase + (wider > 0 ? 1 : 0)));
    }

    /// <summary>
    /// <see cref="NextTileInput"/> as the tile asks for it in a pointwise row of <paramref name="block"/>-channel blocks
    /// (16: a pixel of a block is one cache line): the byte offset of the next tile's first pixel from the row's start
    /// in each block's plane, and its cache lines; (0, 0) for none.
    /// </summary>
    internal static (long Offset, long Lines) NextTileAsk(int ow, int p, int hi, int tileBase, int wider, int block)
    {
        (int from, int pixels) = NextTileInput(ow, p, hi, tileBase, wider);
        return pixels == 0 ? (0, 0) : ((long)from * block * sizeof(float), (long)pixels * block * sizeof(float) / 64);
    }

    /// <summary>
    /// What output row <paramref name="oh"/>'s task for <paramref name="group"/> asks for (<see cref="_asksNextRowInput"/>),
    /// in bytes from the start of each input block's plane: its share, by the row's groups, of the input rows output row
    /// oh + 1 reads and row oh does not (SH rows of a stride-SH window, clamped to the plane); (0, 0) for none (the last
    /// row, or a plan that does not ask).
    /// </summary>
    internal (long Offset, long Bytes) NextRowInputShare(int oh, int group)
    {
        Window3D w = _w;
        if (!_asksNextRowInput || oh + 1 >= w.OutH) return (0, 0);
        int thisLast = oh * w.SH - w.PadH + (w.KH - 1) * w.DH, nextFirst = (oh + 1) * w.SH - w.PadH;
        int r0 = Math.Max(0, Math.Max(thisLast + 1, nextFirst)), r1 = Math.Min(w.InH - 1, nextFirst + (w.KH - 1) * w.DH);
        if (r1 < r0) return (0, 0);
        long rowLines = (long)w.InW * _block * sizeof(float) / 64, lines = (r1 - r0 + 1) * rowLines;
        long g0 = lines * group / _groups, g1 = lines * (group + 1) / _groups;
        return ((r0 * rowLines + g0) * 64, (g1 - g0) * 64);
    }

    /// <summary>
    /// Register tile <paramref name="tile"/> of <paramref name="tiles"/>'s part of a share of <paramref name="bytes"/> (whole
    /// cache lines) that a row's tiles ask for in turn: its byte offset in the share and its cache lines.
    /// </summary>
    internal static (long Offset, long Lines) TileShare(long bytes, int tile, int tiles)
    {
        long lines = bytes / 64, from = lines * tile / tiles, to = lines * (tile + 1) / tiles;
        return (from * 64, to - from);
    }

    /// <summary>
    /// What a strided grouped layer's task asks for of the input the next group reads (<see cref="BlockedTuning.GroupInputAhead"/>):
    /// the group's tasks share out the next group's input planes (its blocks, one contiguous run in NCHWc), each its own
    /// part in order; (0, 0) for none (a layer of one group, in passes, stride 1, the last group). A stride-2 window reads
    /// four input pixels per output pixel, and each group's first rows had come from memory at the group's start;
    /// stride-1 grouped layers, reading as much as they write, lost 0.005–0.03 ms each to the asks.
    /// </summary>
    internal (long Offset, long Bytes) NextGroupInputShare(int task)
    {
        if (!_asksNextGroupInput) return (0, 0);
        int next = (task / _ranges + 1) * _ranges; // tasks come in runs of _ranges of one (image, group)
        if (next >= Tasks) return (0, 0);
        (int n, int group, _) = Decode(next);
        (int thisN, int thisGroup, _) = Decode(task);
        int inStart = FirstInputBlock(group);
        // Several output groups of one wide conv group (AVX2's 8-channel blocks) read the same planes: already in cache.
        if (n == thisN && inStart == FirstInputBlock(thisGroup)) return (0, 0);
        long start = ((long)n * _inBlocks + inStart) * InputPlaneBytes, length = _inBlocksPerUnit * InputPlaneBytes;
        int range = task % _ranges;
        long from = length * range / _ranges / 64 * 64, to = length * (range + 1) / _ranges / 64 * 64;
        return (start + from, to - from);
    }

    /// <summary>
    /// The input a task asks for during pass <paramref name="pass"/> (byte offset in x and length): the next pass's input
    /// planes of its image where <see cref="InputAsksOf"/> says the task asks for them; else none.
    /// </summary>
    internal (long Offset, long Bytes) NextPassInputShare(int task, int pass)
    {
        (int n, int group, _) = Decode(task);
        if (pass + 1 >= _passes || !InputAsksOf(task, group).NextPasses) return (0, 0);
        int next = (pass + 1) * _passBlocks, count = Math.Min(_passBlocks, _inBlocksPerUnit - next);
        return (((long)n * _inBlocks + next) * InputPlaneBytes, count * InputPlaneBytes);
    }

    /// <summary>One input block's plane of one image, in bytes (the zero-padded copy's where the plan reads that).</summary>
    private long InputPlaneBytes => (long)_w.InH * _w.InW * _block * sizeof(float);

    /// <summary>The first input block output group <paramref name="group"/> reads (its conv group's first, for a grouped layer; 0 for one group).</summary>
    private int FirstInputBlock(int group) => group * _tileBlocks / _outBlocksPerUnit * _inBlocksPerUnit;

    /// <summary>The byte offset and length of one group's pass in the packed filter: what that pass's tiles read.</summary>
    internal (long Offset, long Bytes) SliceOf(int group, int pass)
    {
        int taps = _w.KH * _w.KW, b = _block;
        int r = Math.Min(_tileBlocks, _outBlocks - group * _tileBlocks), cb0 = pass * _passBlocks, count = Math.Min(_passBlocks, _inBlocksPerUnit - cb0);
        return (((long)group * _tileBlocks * _inBlocksPerUnit * taps * b * b + (long)cb0 * taps * b * r * b) * sizeof(float), (long)count * taps * b * r * b * sizeof(float));
    }

    /// <summary>For tests: every (task, pass)'s ask (byte offset in the packed filter and cache lines; none: 0 lines), with the task's group.</summary>
    internal List<(int Task, int Group, int Pass, long Offset, long Lines)> PrefetchAsks() =>
        EachAsk((task, group, pass, filter, ask) => (task, group, pass, ask.Next == null ? 0 : ask.Next - (byte*)filter, ask.Lines));

    /// <summary>
    /// For tests: each (task, pass)'s filter ask as its second register tile gets it (the first asks nothing): the lines at each
    /// input block's start and per kernel tap (<see cref="BlockedTuning.FilterAsksPerTap"/>); nothing asked: (0, 0).
    /// </summary>
    internal List<(nint BlockLines, nint TapLines)> SecondTileAsks() => EachAsk((_, _, _, _, ask) =>
    {
        var args = new KernelArgs();
        ask.TileAsk(1, ref args);
        return (args.PrefetchLines, args.PrefetchTapLines);
    });

    /// <summary>What <paramref name="read"/> makes of every (task, pass)'s <see cref="PrefetchFor"/>, given the task, its group, the pass and the packed filter's address.</summary>
    private List<T> EachAsk<T>(Func<int, int, int, nint, SlicePrefetch, T> read)
    {
        var asks = new List<T>();
        fixed (float* filter = _filter)
            for (int task = 0; task < Tasks; task++)
            {
                (_, int group, int range) = Decode(task);
                (int u0, int u1) = UnitsOf(range);
                for (int pass = 0; pass < _passes; pass++) asks.Add(read(task, group, pass, (nint)filter, PrefetchFor(filter, task, group, pass, u1 - u0)));
            }
        return asks;
    }

    /// <summary>Bytes of the packed filter.</summary>
    internal long FilterBytes => (long)_filter.Length * sizeof(float);

    /// <summary>Units [u0, u1) in turn: in pairs of rows where the plan takes them (<see cref="_rowPairs"/>), else one at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunUnits<TEpilogue>(int n, int group, int u0, int u1, int cb0, int count, float* biasBase, float* residualBase, in Body body, ref SlicePrefetch ahead, bool asksInput = false) where TEpilogue : struct, IEpilogue
    {
        for (int u = u0; u < u1;)
        {
            if (_rowPairs && u + 1 < u1 && RunRowPair<TEpilogue>(n, group, u, cb0, count, biasBase, residualBase, body, ref ahead))
            {
                u += 2;
                continue;
            }
            RunUnit<TEpilogue>(n, group, u, cb0, count, biasBase, residualBase, body, ref ahead, asksInput);
            u++;
        }
        if (_columnTiles) ColumnTiles<TEpilogue>(n, group, u0, u1, cb0, count, biasBase, residualBase, body);
    }

    /// <summary>
    /// The border columns of rows [oh0, oh1) (<see cref="_columnTiles"/>; the rows' units skipped them): for each border
    /// column, runs of up to a tile's width of rows that clamp their kernel rows alike, each run one register tile whose
    /// "pixels" are the column's pixels in those rows (the input stepping a row of the plane per pixel). The tile stores
    /// its sums into a scratch tile, and each sum goes to its row through the layer's epilogue, as a row's own tile
    /// would store it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ColumnTiles<TEpilogue>(int n, int group, int oh0, int oh1, int cb0, int count, float* biasBase, float* residualBase, in Body body) where TEpilogue : struct, IEpilogue
    {
        Window3D w = _w;
        int b = _block;
        long outPlane = (long)w.OutH * w.OutW * b;
        float* sums = stackalloc float[ColumnTileFloats];
        var args = ArgsFor(cb0, count);
        args.PixelStep = (nint)w.SH * w.InW * b; // the next pixel of a tile: the same column, the next output row
        for (int side = 0; side < 2; side++)
            for (int ow = side == 0 ? 0 : _interiorHi, end = side == 0 ? _interiorLo : w.OutW; ow < end; ow++)
                for (int oh = oh0; oh < oh1;)
                {
                    int ih0 = oh * w.SH - w.PadH;
                    (int khLo, int khCount) = WindowTaps.Inside(ih0, w.DH, w.KH, w.InH);
                    int k = 1;
                    while (oh + k < oh1 && k < _tilePixels && WindowTaps.Inside(ih0 + k * w.SH, w.DH, w.KH, w.InH) == (khLo, khCount)) k++;
                    RowSetup at = RowOf(n, group, oh, ih0, khLo, cb0, body, biasBase);
                    int r = at.Blocks;
                    (nint xAt, nint filterAt, int kwCount) = BorderTaps(ow, r);
                    args.OutBlockStride = (nint)k * b; // the scratch tile: [block][pixel][b]
                    TileOf<BiasEpilogue>(k, r, at.XRow + xAt, at.Filter + filterAt, sums, null, body.ZeroBias, &args, khCount, kwCount);
                    for (int j = 0; j < r; j++)
                        for (int p = 0; p < k; p++)
                        {
                            long o = at.YRow + j * outPlane + (long)p * w.OutW * b + (long)ow * b;
                            float* sum = sums + (j * k + p) * b, bias = at.Bias + j * b;
                            if (b == 16)
                                Vector512.Store(TEpilogue.Apply(Vector512.Load(sum), Vector512.Load(bias),
                                    TEpilogue.ReadsResidual ? Vector512.Load(residualBase + o) : default), body.Y + o);
                            else
                                Vector256.Store(TEpilogue.Apply(Vector256.Load(sum), Vector256.Load(bias),
                                    TEpilogue.ReadsResidual ? Vector256.Load(residualBase + o) : default), body.Y + o);
                        }
                    oh += k;
                }
    }

    /// <summary>Floats of <see cref="ColumnTiles"/>' scratch tile: the widest tile (12 pixels of one block, or 6 of 4) × 16.</summary>
    private const int ColumnTileFloats = 12 * 4 * 16;

    /// <summary>
    /// Output rows oh and oh + 1 (units of one segment each), as <see cref="RunUnit"/> runs each: the interior columns in
    /// two-row tiles, each border column in a two-row tile one pixel wide. False, with nothing done, where the two rows
    /// clamp their kernel rows differently (the top and bottom rows of a padded plane): those run one row at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool RunRowPair<TEpilogue>(int n, int group, int oh, int cb0, int count, float* biasBase, float* residualBase, in Body body, ref SlicePrefetch ahead) where TEpilogue : struct, IEpilogue
    {
        Window3D w = _w;
        int ih0 = oh * w.SH - w.PadH;
        (int khLo, int khCount) = WindowTaps.Inside(ih0, w.DH, w.KH, w.InH);
        if (WindowTaps.Inside(ih0 + w.SH, w.DH, w.KH, w.InH) != (khLo, khCount)) return false;
        var args = ArgsFor(cb0, count);
        args.NextRowIn = (nint)w.SH * w.InW * _block;
        args.NextRowOut = (nint)w.OutW * _block;
        args.SharedBroadcasts = _sharedBroadcasts ? 1 : 0;
        RowSetup at = RowOf(n, group, oh, ih0, khLo, cb0, body, biasBase);
        float* xRow = at.XRow, filter = at.Filter, bias = at.Bias;
        long yRow = at.YRow;
        int r = at.Blocks;
        int b = _block;
        (int tileBase, int wider) = _pairTiles;
        for (int ow = _interiorLo; ow < _interiorHi;)
        {
            int p = tileBase + (wider-- > 0 ? 1 : 0);
            ahead.NextTile(ref args);
            TwoRowTile_Avx512<TEpilogue>(w.SW, p, r, xRow + (long)(ow * w.SW - w.PadW) * b, filter, body.Y + yRow + (long)ow * b,
                residualBase is null ? null : residualBase + yRow + (long)ow * b, bias, &args, khCount, w.KW);
            ow += p;
        }
        // Border columns, both rows at once: a two-row tile one pixel wide (the column clamps its taps alike in both rows),
        // two sums in flight and one call where each row's pixel alone had one of each (ResNeXt-50's layer3.0, 1 thread:
        // 0.24–0.29 → 0.22–0.25 ms).
        args.Prefetch = 0;
        if (_columnTiles) return true; // the task's column tiles run them (ColumnTiles)
        for (int side = 0; side < 2; side++)
            for (int ow = side == 0 ? 0 : _interiorHi, end = side == 0 ? _interiorLo : w.OutW; ow < end; ow++)
            {
                (nint xAt, nint filterAt, int kwCount) = BorderTaps(ow, r);
                TwoRowTile_Avx512<TEpilogue>(w.SW, 1, r, xRow + xAt, filter + filterAt, body.Y + yRow + (long)ow * b,
                    residualBase is null ? null : residualBase + yRow + (long)ow * b, bias, &args, khCount, kwCount);
            }
        return true;
    }

    /// <summary>
    /// The output pixels of one row segment (unit u = row · segments + segment), for one image and one group of up to
    /// R output blocks, summing input blocks [cb0, cb0 + count) of the group's unit, stored through TEpilogue with
    /// the given bias [Mp] and residual (laid out as y; null when not read).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunUnit<TEpilogue>(int n, int group, int u, int cb0, int count, float* biasBase, float* residualBase, in Body body, ref SlicePrefetch ahead, bool asksInput = false) where TEpilogue : struct, IEpilogue
    {
        Window3D w = _w;
        int b = _block;
        int segment = u % _segmentsPerRow, oh = u / _segmentsPerRow;
        int ow0 = segment * _segmentWidth, ow1 = Math.Min(w.OutW, ow0 + _segmentWidth);
        var args = ArgsFor(cb0, count);
        // Kernel rows whose input row exists: ih = ih0 + kh·DH ∈ [0, InH).
        int ih0 = oh * w.SH - w.PadH;
        (int khLo, int khCount) = WindowTaps.Inside(ih0, w.DH, w.KH, w.InH);
        RowSetup at = RowOf(n, group, oh, ih0, khLo, cb0, body, biasBase);
        float* xRow = at.XRow, filter = at.Filter, bias = at.Bias;
        long yRow = at.YRow;
        int r = at.Blocks;
        // The interior part of the segment (with the first column, where its tile splits: FirstColumnTile) goes in
        // ⌈width/P⌉ tiles of near-equal width (7 → 4 + 3, not 6 + 1: a one-pixel tile has too few accumulators to hide
        // the FMA latency), the rest one pixel at a time.
        int lo = Math.Clamp(_splitFirst ? 0 : _interiorLo, ow0, ow1), hi = Math.Clamp(_interiorHi, lo, ow1);
        (int tileBase, int wider) = WindowTaps.NearEqualTiles(hi - lo, _tilePixels);
        // The next row's first-read input rows, this group's share (in every input block of the pass), over the row's tiles.
        (long askFrom, long askBytes) = _asksNextRowInput ? NextRowInputShare(oh, group) : (0, 0);
        byte* rowAsk = askBytes == 0 ? null : (byte*)body.X + ((long)n * _inBlocks + FirstInputBlock(group) + cb0) * InputPlaneBytes + askFrom;
        int rowTiles = (hi - lo + _tilePixels - 1) / _tilePixels, tileIndex = 0;
        for (int ow = ow0; ow < ow1;)
        {
            float* y = body.Y + yRow + (long)ow * b;
            float* residual = residualBase is null ? null : residualBase + yRow + (long)ow * b;
            if (ow >= lo && ow < hi)
            {
                int p = tileBase + (wider-- > 0 ? 1 : 0);
                float* xt = xRow + (long)(ow * w.SW - w.PadW) * b;
                ahead.NextTile(ref args);
                if (rowAsk != null)
                {
                    (long shareAt, long lines) = TileShare(askBytes, tileIndex++, rowTiles);
                    args.InputAhead = (nint)(rowAsk + shareAt);
                    args.InputAheadLines = (nint)lines;
                }
                if (asksInput)
                {
                    (long tileAt, long lines) = NextTileAsk(ow, p, hi, tileBase, wider, b);
                    args.InputAhead = lines == 0 ? 0 : (nint)((byte*)xRow + tileAt);
                    args.InputAheadLines = (nint)lines;
                }
                if (_splitFirst && ow == 0) FirstColumnTile<TEpilogue>(p, r, xRow, filter, y, residual, bias, body.ZeroBias + group * _tileBlocks * b, &args, khCount);
                else TileOf<TEpilogue>(p, r, xt, filter, y, residual, bias, &args, khCount, w.KW);
                ow += p;
                continue;
            }
            args.Prefetch = 0;
            args.InputAhead = 0;
            if (_columnTiles) { ow++; continue; } // the task's column tiles run them (ColumnTiles)
            BorderPixel<TEpilogue>(ow, xRow, filter, body.Y + yRow, residualBase is null ? null : residualBase + yRow, bias, r, khCount, &args);
            ow++;
        }
    }

    /// <summary>
    /// A row's first tile of p pixels from column 0, whose first tap lies in the padding (<see cref="_splitFirst"/>): the
    /// other taps for all p pixels, stored through the epilogue without its ReLU; then the first tap for pixels 1 … p − 1,
    /// added to what was stored (y read back as the residual, zero bias); then the ReLU, pixel 0's by hand. Each output
    /// sums the same products as through the zero-padded copy, in another order (taps 1 … KW − 1, then tap 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FirstColumnTile<TEpilogue>(int p, int r, float* xRow, float* filter, float* y, float* residual, float* bias, float* zeroBias, KernelArgs* args, int khCount)
        where TEpilogue : struct, IEpilogue
    {
        int b = _block;
        (nint xAt, nint filterAt, int kwCount) = BorderTaps(0, r);
        bool relu = typeof(TEpilogue) == typeof(BiasReluEpilogue) || typeof(TEpilogue) == typeof(BiasResidualReluEpilogue);
        if (typeof(TEpilogue) == typeof(BiasReluEpilogue)) TileOf<BiasEpilogue>(p, r, xRow + xAt, filter + filterAt, y, residual, bias, args, khCount, kwCount);
        else if (typeof(TEpilogue) == typeof(BiasResidualReluEpilogue)) TileOf<BiasResidualEpilogue>(p, r, xRow + xAt, filter + filterAt, y, residual, bias, args, khCount, kwCount);
        else TileOf<TEpilogue>(p, r, xRow + xAt, filter + filterAt, y, residual, bias, args, khCount, kwCount);
        args->Prefetch = 0;
        args->InputAhead = 0;
        if (p > 1)
        {
            // Pixel 1's first tap: input column SW − PadW (≥ 0: the window's second column is interior).
            float* x1 = xRow + (nint)(_w.SW - _w.PadW) * b;
            if (relu) TileOf<BiasResidualReluEpilogue>(p - 1, r, x1, filter, y + b, y + b, zeroBias, args, khCount, 1);
            else TileOf<BiasResidualEpilogue>(p - 1, r, x1, filter, y + b, y + b, zeroBias, args, khCount, 1);
        }
        if (!relu) return;
        nint outBlock = args->OutBlockStride;
        for (int j = 0; j < r; j++)
        {
            float* v = y + j * outBlock;
            if (b == 16) Vector512.Store(Relu.Of(Vector512.Load(v)), v);
            else Vector256.Store(Relu.Of(Vector256.Load(v)), v);
        }
    }

    /// <summary>One register tile on the plan's tier (every one-row tile goes through here: interior, border pixel, split first column).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TileOf<TEpilogue>(int p, int r, float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, int khCount, int kwCount)
        where TEpilogue : struct, IEpilogue
    {
        if (_block == 16) Tile_Avx512<TEpilogue>(p, r, x, w, y, residual, bias, args, khCount, kwCount);
        else Tile_Avx2<TEpilogue>(p, r, x, w, y, residual, bias, args, khCount, kwCount);
    }

    /// <summary>The kernel arguments of a unit summing input blocks [cb0, cb0 + count) of its group's unit.</summary>
    private KernelArgs ArgsFor(int cb0, int count)
    {
        Window3D w = _w;
        int b = _block;
        long inPlane = (long)w.InH * w.InW * b, outPlane = (long)w.OutH * w.OutW * b;
        return new KernelArgs
        {
            InBlocks = count,
            // A partial last block (the stem's 3 of 16) reads only its real channels; grouped units read whole blocks (zeros past C).
            LastBlockChannels = Shape.Group == 1 && cb0 + count == _inBlocksPerUnit ? Shape.Channels - (_inBlocks - 1) * b : b, InBlockStride = (nint)inPlane,
            RowStep = (nint)w.DH * w.InW * b, ColStep = (nint)w.DW * b,
            PixelStep = (nint)w.SW * b, KH = w.KH, KW = w.KW, OutBlockStride = (nint)outPlane,
        };
    }

    /// <summary>
    /// Output row oh of image n and group: its first clamped input row (column 0), the filter from kernel row khLo of
    /// input block cb0, the row's offset in y, its bias, and the group's output blocks.
    /// </summary>
    private RowSetup RowOf(int n, int group, int oh, int ih0, int khLo, int cb0, in Body body, float* biasBase)
    {
        Window3D w = _w;
        int b = _block;
        int ob0 = group * _tileBlocks, r = Math.Min(_tileBlocks, _outBlocks - ob0);
        long inPlane = (long)w.InH * w.InW * b, outPlane = (long)w.OutH * w.OutW * b;
        int inStart = FirstInputBlock(group) + cb0;
        float* xRow = body.X + ((long)n * _inBlocks + inStart) * inPlane + (long)(ih0 + khLo * w.DH) * w.InW * b;
        long tapFloats = (long)r * b * b;
        float* filter = body.Filter + (long)ob0 * _inBlocksPerUnit * w.KH * w.KW * b * b + ((long)cb0 * w.KH + khLo) * w.KW * tapFloats;
        long yRow = ((long)n * _outBlocks + ob0) * outPlane + (long)oh * w.OutW * b;
        return new RowSetup(xRow, filter, yRow, biasBase + ob0 * b, r);
    }

    /// <summary>What <see cref="RowOf"/> finds for one output row.</summary>
    private readonly struct RowSetup(float* xRow, float* filter, long yRow, float* bias, int blocks)
    {
        public readonly float* XRow = xRow, Filter = filter, Bias = bias;
        public readonly long YRow = yRow;
        public readonly int Blocks = blocks;
    }

    /// <summary>
    /// Output pixel ow of a row (y and residual at the row's first pixel, xRow at its first clamped input row, column 0)
    /// alone, its kernel columns clamped (<see cref="BorderTaps"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void BorderPixel<TEpilogue>(int ow, float* xRow, float* filter, float* yRow, float* residualRow, float* bias, int r, int khCount, KernelArgs* args)
        where TEpilogue : struct, IEpilogue
    {
        (nint xAt, nint filterAt, int kwCount) = BorderTaps(ow, r);
        float* xp = xRow + xAt, fp = filter + filterAt;
        float* y = yRow + (long)ow * _block, residual = residualRow is null ? null : residualRow + (long)ow * _block;
        TileOf<TEpilogue>(1, r, xp, fp, y, residual, bias, args, khCount, kwCount);
    }

    /// <summary>
    /// A border column ow of a group of r output blocks: the kernel columns whose input column exists, iw = iw0 + kw·DW ∈
    /// [0, InW) — the offsets (in floats) of its first input pixel from the row's column 0 and of its first tap from the
    /// row's filter, and how many columns it takes. One rule for one-row and two-row border pixels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (nint XAt, nint FilterAt, int KwCount) BorderTaps(int ow, int r)
    {
        Window3D w = _w;
        int b = _block, iw0 = ow * w.SW - w.PadW;
        (int kwLo, int kwCount) = WindowTaps.Inside(iw0, w.DW, w.KW, w.InW);
        return ((nint)(iw0 + kwLo * w.DW) * b, (nint)kwLo * r * b * b, kwCount);
    }
}
