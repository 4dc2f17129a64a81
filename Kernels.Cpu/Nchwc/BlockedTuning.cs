namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>
/// The cache-sized choices of <see cref="BlockedDirectPlan"/>, measured on ResNet-50 (Engine.Bench layers; NOTES
/// "Passes over input channels"). None depends on the batch or the threads, so every run of a layer sums in the same
/// order. One follows the machine: the 1×1 passes' length, by the L1 data cache CPUID reports (<see cref="CpuCaches"/>,
/// read once), so a machine sums the same way on every run. Tests pass other values to reach every path on small shapes.
/// <para><b>Passes.</b> A task's tiles stream their output group's whole filter slice once per row; once the slice
/// outgrows the L2 cache (ResNet-50's layer4 3×3: 1.2 MB per group of 64 outputs, its 2048-channel 1×1s: 512 KB),
/// every row reads it from L3 or memory. In passes of about 128 input channels over all the task's rows, a pass's
/// slice stays in cache across the rows, and each pass adds its partial sums to y (the loop order of MLAS's NCHWc
/// kernels: filter set, input channels, rows). Layer4's 3×3s went 1.40–1.50 → 1.10–1.21 ms (exact mode, 1 thread),
/// the 1024 → 256 1×1 at 14×14 0.58 → 0.46 ms; slices of 128 KB and less gained nothing (7×7 planes lost 5–8 %).</para>
/// <para><b>Zero-padded copy.</b> A padded window's border columns run one pixel at a time, at a fraction of a tile's
/// rate. Copying the input into a zero-padded plane (in the workspace, once per run) makes every column interior:
/// worth it wherever the copy is small, or the border a large share of the row.</para>
/// <para><b>Input streams.</b> A tile reads every input block of its pass as its own stream of memory; the hardware
/// prefetchers follow a few dozen at most. ResNet-50's 512 → 128 1×1s at 28×28 (32 streams, a 128 KB slice) ran at
/// 31–37 % of the 2-thread peak in a model whenever the input had been written by the other core (the VM's "slow
/// mode", NOTES "Input streams"), and at 61 % in passes of 128 channels (8 streams), the loop order MLAS's pointwise
/// kernel always takes. So a layer with more input channels than this, and more than one row unit to reuse a pass's
/// filter over, is summed in passes too (7×7 planes flattened to one unit keep one pass: they lost 5 % in passes).
/// Measured first above 256 channels; the 256-channel 1×1s then gained too (alone, 1 thread: 256 → 64 91 → 96 % of
/// ORT's node, 256 → 1024 90 → 99 %; ResNet-50 at batch 8 269 → 262 ms), so the line is at 128.</para>
/// </summary>
/// <param name="PassesAboveBytes">A group's filter slice above this many bytes is summed in passes.</param>
/// <param name="PassesAboveChannels">A group reading more input channels than this, over more than one row unit, is summed in passes.</param>
/// <param name="PassChannels">Input channels per pass (rounded to whole blocks, passes of near-equal size).</param>
/// <param name="PadCopyBytes">A padded window whose one image's zero-padded input copy is at most this many bytes reads the copy whenever it has border columns (the stem's 3.4 MB copy for 2 of 112 columns is not worth it); above, only when border columns are more than an eighth of the row.</param>
/// <param name="PadCopyMinFlopsPerByte">The copy below PadCopyBytes is made only when the layer does at least this many FLOPs per copied byte (counted as the kernel does them, padded channels included): a strided grouped layer's copy had outweighed its work.</param>
/// <param name="SubsampleStrided">A strided 1×1 window whose output rows are not a whole number of register tiles reads a copy of the pixels it uses, run as one stride-1 row (NOTES "Strided 1×1s as one row").</param>
/// <param name="RowPairs">Units of one or two output blocks over narrow rows run two rows per register tile (NOTES "Two-row tiles").</param>
/// <param name="SplitFirstColumn">A window whose one border column is the first, missing only its first tap (ResNet's strided 3×3s), runs that column's tile in two calls instead of reading a zero-padded copy (NOTES "Ninth sitting").</param>
/// <param name="ColumnTiles">Over narrow rows (the border more than an eighth of the row) whose tasks hold several rows, and in grouped layers of one block, border columns run as column tiles down the rows instead of through the zero-padded copy or one pixel at a time (NOTES "Tenth sitting").</param>
/// <param name="WorkerStripes">Each worker's scratch (Winograd's V and M, the strided 1×1's subsampled copies) in its own stripe of the whole workspace, the same addresses in every layer (<see cref="Planning.Workspace.WorkerOffset"/>); false packs the workers' parts at each layer's own size (the path before; tests compare the two bit for bit).</param>
/// <param name="WideningRowsOuter">On more threads than images, a layer of one group that does not narrow its channels takes its rows outermost wherever its filter is less than this many times one image's input and at most <paramref name="WideningRowsOuterFilterBytes"/> (where the input outweighs the filter, every layer does); a plane that is one row splits into a segment per thread to make row ranges (NOTES "Thirteenth sitting"). 1 or less: only where the input outweighs the filter (the path before; tests compare the two bit for bit).</param>
/// <param name="WideningRowsOuterFilterBytes">The largest filter <paramref name="WideningRowsOuter"/> applies to: each further thread streams the whole filter once more, from memory (ResNeXt-101's 4 MB 1024 → 1024 1×1s lost 0.08–0.16 ms each so).</param>
/// <param name="SeparateSharedResidual">On more threads than images, a layer whose filter outweighs one image's input writes its output to a buffer of its own rather than over the residual's, whose lines both cores hold (<see cref="Conv.ConvPlan.OutputOverResidual"/>; NOTES "Fourteenth sitting"). false: over the residual wherever it dies (the path before).</param>
/// <param name="GroupInputAhead">A strided grouped layer's tasks bring the next group's input planes into cache while they compute (after the next group's filter slice, <see cref="SlicePrefetch"/>): each group's first rows had come from memory (NOTES "Fourteenth sitting"). false: the filter slice alone (the path before).</param>
/// <param name="InputAsksPerTap">Those asks for the next group's input go a few lines per kernel tap, where a tile had asked for its whole share (a hundred lines and more) at once at its input block's start and then waited on memory for it (NOTES "Sixteenth sitting"). false: per input block (the path before).</param>
/// <param name="NextPassInputAhead">On more threads than images, each thread's first task of a dense layer with its groups outermost and in passes asks, during each pass, for the next pass's input, half of which the other core wrote (NOTES "Sixteenth sitting"). false: nothing (the path before).</param>
/// <param name="FirstTaskInputAhead">On more threads than images, a pointwise layer over a plane flattened into one segment (ResNet's 14×14 and 7×7 1×1s) keeps its groups outermost (it no longer widens rows outermost), and each thread's first task asks for the next register tile's input while a tile computes, a few lines per input block (in passes: during the first pass): that task read the input half from the other core, tile by tile on demand (NOTES "Seventeenth sitting"). AVX-512 only. false: such layers widen as <paramref name="WideningRowsOuter"/> says and nothing is asked (the path before).</param>
/// <param name="NextRowInputAhead">A rows-outermost layer with a window of several taps (ResNet-50's layer2.0 3×3 s2) asks, in each output row's tasks, for the input rows the next output row reads first, shared out over the row's groups and register tiles, a few lines per input block: those rows had come from L3 on demand (NOTES "Seventeenth sitting"). AVX-512 only. false: nothing (the path before).</param>
/// <param name="WinogradTileLanes">A Winograd layer whose chunks hold at most 16 tiles (a 7×7 plane at batch 1) runs its products with the tiles in the vector lanes, each U value read once as a broadcast in one steady stream (<see cref="Winograd.WinogradTileLanes"/>; AVX-512; the same sums bit for bit; NOTES "Eighteenth sitting"). false: the tile kernels (the path before).</param>
/// <param name="WinogradSharedV">A Winograd layer whose one chunk of tiles in the lanes is split into output sets (a 7×7 plane at batch 1 on several threads: ResNet's layer4) transforms its input once, in a first loop split by input channel blocks, into one V the sets share, where each set's task had transformed every tile itself. false: the path before.</param>
/// <param name="GroupsFirstFilterRatio">A batch on one thread runs group by group over its images (each group's filter slice over every image while it is in cache) only where the filter is at least this many times one image's input; below, image by image (each image's input over every group while it is in cache). 0: group by group wherever there are several groups (the path before; NOTES "Twentieth sitting").</param>
/// <param name="RowPairsTwoBlocksMaxWidth">A stride-1 unit of two output blocks (groups of 32 channels) runs two rows per tile only over output rows at most this wide; over wider rows its rows run alone and its border columns in column tiles, where the pairs had read a zero-padded copy of the input. ResNeXt-101 32x8d's 22 stride-1 grouped layers at 14 × 14 (1 MiB copies) ran 0.02–0.04 ms (5–10 %) faster each on 1 and 2 threads; ResNeXt-50's layer4 at 7 × 7 keeps its pairs, which gain on 1 thread; strided layers keep theirs (NOTES "Twenty-second sitting"). int.MaxValue: every such unit pairs (the path before).</param>
/// <param name="RowPairsShareBroadcasts">A stride-1 two-row tile of one output block (ResNeXt's groups of 16 channels over rows of 14 or fewer) walks the input rows, so that each pixel's broadcast serves both output rows: row 1 at kernel row kh reads the row that row 0 reads at kh + 1 (NOTES "Twenty-first sitting"). Every sum keeps its order. false: each row loads its own (the path before).</param>
/// <param name="WinogradLanesStaging">With the tiles in the lanes, the input transform writes each input block's tiles to a small staging block [ξ][16 tiles][b] of the worker's and transposes from there into V, where it had written them into V itself, 32 KB apart per ξ (one set of L1 lines), and transposed them in place (NOTES "Twenty-fourth sitting"). The same values bit for bit. false: the path before.</param>
/// <param name="WinogradSharedVMinThreads">The fewest threads on which <paramref name="WinogradSharedV"/> applies. On 2 threads each set transforming the input itself (20–30 µs at ResNet-50's layer4 on 1 thread with <paramref name="WinogradLanesStaging"/>) ran level with or faster than the shared V's loop of its own and the sets' reads of the other core's half of V; on more threads the repeats grow with the threads while each set's share of the products shrinks (NOTES "Twenty-fourth sitting"). 2: from 2 threads (the path before).</param>
/// <param name="WinogradMOverV">A Winograd task with a V of its own writes each ξ's products M[ξ] over V[ξ − 1], which the products of ξ − 1 have just read for the last time, so that its V and M take (ξ + 1) slices of its part where they had taken 2ξ: ResNet-50's layer2 F(4×4) on 2 threads 921 → 480 KB per thread, under half of L2, and fewer lines that come cold from memory at each stage's first Winograd layer (NOTES "Twenty-fifth sitting"). The same values bit for bit. false: M after V (the path before).</param>
/// <param name="PointwisePassChannels">On AVX-512, a 1×1 window in passes (whose filter is less than <paramref name="PointwisePassMaxFilterRatio"/> times one image's input: every one by default) sums in passes of half its input channels, at least <paramref name="PassChannels"/> and at most this many: ResNet-50's 512 → 128 and 1024 → 256 in 2 passes where they took 4 and 8, its 2048 → 512s in 4 where they took 16, ResNeXt-101 32x8d's 1024 → 1024s in 2 where they took 8. Each pass adds its partial sums into y and reads them back; on the Zen 4 host (a 32 KB L1) the 32 KB filter slice of a 128-channel pass (4 output blocks of 16) fills L1 by itself, so the shorter passes bought nothing. `tools/ab-net.py` (`ab` in both label orders, netted against the 3×3s and the stem): those layers' medians 1.9–4.0 % faster on ResNet-50 at batch 1 and 8 on 1 and 2 threads (at batch 8 with <paramref name="ImageInputAhead"/>), 2.7 % on ResNeXt-101 and 6.3 % on ResNeXt-50 on 2 threads (whose other 1×1s moved −3.3 % in that run) (NOTES "Twenty-seventh sitting"). AVX2's 128-channel slices (2 output blocks of 8) are 8 KB and keep their passes. 0: passes of PassChannels (the path before). The default follows the L1 data cache (<see cref="PointwisePassChannelsFor"/>): 512 on a 32 KiB L1 (or an unknown one), 0 on 48 KiB and more, where the 128-channel slice fits L1 with room.</param>
/// <param name="PointwisePassMaxFilterRatio">The filter-to-input ratio below which <paramref name="PointwisePassChannels"/> applies; every 1×1 by default. 6 was the path before (NOTES "Twenty-seventh sitting"): ResNet-50's layer4 2048 → 512s and layer4.0 downsample (10 times an image's input) and ResNeXt's and Wide ResNet's layer4 1×1s (20–42 times) kept passes of 128, having lost 2–6 % at batch 8 on 1 thread in the longer passes, where their groups go first and each image's input came from L3 on demand. With those tasks asking for their input (<paramref name="GroupsFirstInputAhead"/>) the longer passes gained there too: `tools/ab-net.py`, those layers 1.8–6.6 % faster on ResNet-50 at batch 1 and 8 on 1 and 2 threads, and 1–6 % on ResNeXt-50, ResNeXt-101 32x8d and Wide ResNet-50-2 (NOTES "Twenty-eighth sitting").</param>
/// <param name="GroupsFirstInputAhead">A batch on one thread whose pointwise layer runs group by group over the images (<paramref name="GroupsFirstFilterRatio"/>) has every task ask for its image's input as <paramref name="ImageInputAhead"/> has each image's first task ask: by tile in the first pass, by plane for each next pass. Each image's input was last read by the group before, seven images' inputs ago at batch 8, and comes from L3 in 16–32 streams on demand (ResNet-50's layer4 512 → 2048s at batch 8 on 1 thread, in one pass: 1.5–2 % faster with the asks). Changes no sum. false: nothing asked (the path before).</param>
/// <param name="ImageInputAhead">On more images than threads, the first task of each image in a flattened pointwise layer of image-by-image tasks asks for its input ahead, as a thread's first task does on more threads than images (<paramref name="FirstTaskInputAhead"/>, <paramref name="NextPassInputAhead"/>): an image's input was written while the layer before ran the other images and comes from L3 or memory, and in <paramref name="PointwisePassChannels"/>'s passes of 16–32 input streams on demand (ResNet-50's layer3 1024 → 256s at batch 8, 1 thread: 8 % slower without the asks, 3–4 % faster with them; NOTES "Twenty-seventh sitting"). Layers that read a subsampled or zero-padded copy never ask (the strided layer4.0 downsample, which goes group by group too, gains from the longer passes alone). Changes no sum. false: nothing asked (the path before).</param>
/// <param name="SharedSubsample">On more threads than images, the strided 1×1's subsampled input (<paramref name="SubsampleStrided"/>) is one copy the threads make together in a first loop, each its range of input blocks, and every task reads it; each thread had copied every image whole for itself, into lines no layer had touched since the last run (ResNet-50's layer3.0 downsample: 160 µs of each thread's 1.1 ms; NOTES "Twenty-sixth sitting"). The same values bit for bit. false: a copy per thread (the path before).</param>
/// <param name="ClaimOutputLines">On more threads than images, in a layer whose filter outweighs one image's input (the layers <paramref name="SeparateSharedResidual"/> concerns: ResNet's layer3 and layer4), each task first reads every line of its output and writes it back unchanged, so that the lines are its core's, writable, before the tiles' stores reach them. The buffer a step writes often held a value that both threads read whole (a groups-outermost 1×1 reads all of its input), and a store to a line both cores hold waits for the other copy to go: about five times as long as a store to a line one core holds (`forloop`, its loops optimized, NOTES "Thirty-sixth sitting"; read as three times in the slow minutes of the twenty-ninth sitting, its loops then lambdas). `tools/ab-net.py`, ResNet-50 at batch 1 on 2 threads, four runs: where layer3's 256 → 1024 +Adds ran 0.51–0.60 ms they ran 2–6 % faster (19 of 20 readings in one run), where they ran 0.47–0.51 ms level (−1 to +1 %); the runs −0.30, −0.27, −0.07 and +0.00 ms net; ResNeXt-50 −0.61 ms net. Layer1's and layer2's 1×1s (the input outweighing the filter), whose lines were their own, ran 2.5–5 % slower claiming and do not claim (NOTES "Twenty-ninth sitting"). Those were a Zen 4's readings; the default follows the processor (<see cref="ClaimOutputLinesFor"/>): on, but off on AMD Zen 5 and later, where the claim measured slower. Changes no value. AVX-512 only. false: no dense layer claims (grouped layers keep <paramref name="ClaimGroupedOutputLines"/>).</param>
/// <param name="ClaimGroupedOutputLines">Whatever <paramref name="ClaimOutputLines"/> says, on more threads than images, a grouped layer's tasks claim their output lines too, whatever its filter weighs: each thread writes its own groups' channels, into a buffer whose lines the layer before wrote by another split (ResNeXt-50's layer3 grouped 3×3s write over the first half of the 1024-channel downsample's output, which the first thread wrote). `tools/ab-net.py` at batch 1 on 2 threads: ResNeXt-50's layer3.2–3.5 grouped 3×3s (groups of 16 channels at 14×14) 13–18 % faster in two runs of a slow stretch (−0.14 and −0.20 ms net) and 2–7 % in three runs of a temporary switch before it, its layer3.0–3.1 −4.7 to −10.8 % in the two; ResNeXt-101 32x8d's layer2 grouped 3×3s (16 channels at 28×28) 2–9 % (−0.15 ms net), ResNeXt-101 64x4d's 22 layer3.1–3.22 grouped 3×3s (16 channels at 14×14) 12.6–18.7 % in two runs (−1.02 ms net in the second) (NOTES "Thirtieth sitting"). The diagonal plans of 4- and 8-channel groups, claiming through a temporary switch, were 2–8 % slower at 56×56 and 1–14 % faster at 28×28 (ResNeXt-50, two runs): not claimed. Grouped layers whose filter outweighs the input (groups of 32 and more: layer4's, ResNeXt-101's layer3) claimed already. Changes no value. false: a grouped layer claims only where the filter outweighs its input (the path before).</param>
/// <param name="WinogradOneBlockGroups">Stride-1 3×3 grouped layers whose groups are one AVX-512 block in and out (ResNeXt's groups of 16 channels) run Winograd F(2×2) where they ran the direct kernel: one task per group of each chunk of tiles, transforming only its group's input and reading only its group's U, in batches of 10 tiles through all three stages in L1 (<see cref="Winograd.GroupedWinogradBatches"/>). Measured in NOTES "Thirty-fifth sitting". Only where Winograd is on (not the exact mode). false: the selection sends them to the direct kernel, and a Winograd plan made for them runs the general grouped path (the direct kernel's register tiles over each ξ), the loop's twin.</param>
/// <param name="WinogradTwoBlockGroups">The same for groups of two blocks in and out (32 channels on AVX-512): batches of 8 tiles × both output blocks (<see cref="Winograd.GroupedWinogradBatches"/>, <see cref="Winograd.GroupedWinogradTwoBlocks"/>). false: the direct kernel, and the general grouped path in a Winograd plan made for them.</param>
/// <param name="FilterAsksPerTap">In a window of more than one tap, a tile asks for its share of the next filter slice a few lines per kernel tap (the remainder at each input block's start), where it had asked for all of it at the block's start: up to 216 lines at once in a 3×3 tile of 4 blocks, and some 70 for a two-block group's 36 KB slice over the few tiles of a 7-wide strided row (beside the next group's input the shares are not capped per block), more than the misses a core keeps in flight. `tools/ab-net.py`, both label orders (NOTES "Thirty-seventh sitting"): on 2 threads ResNeXt-50's layer4.0 grouped 3×3 (32-channel groups) −4.7 % (a second, noisier run −0.6 %), ResNeXt-101 32x8d's layer3.0 and layer4.0 (32- and 64-channel groups) −4.8 and −7.5 %, ResNeXt-101 64x4d's layer4.0 −6.2 %, ResNet-50's layer3.0 and layer4.0 3×3 s2 −6.4 and −4.8 %; on 1 thread ResNeXt-101 32x8d's −4.3 and −12.9 %, ResNet-50's layer4.0 −3.7 and −6.0 % (two runs), its layer3.0 −3.4 and −1.4 %. Groups of one block (16 channels: a 9 KB slice beside their input planes) and ResNet-50's layer2.0 read level. Winograd's products (one tap) are untouched. Changes no value. false: per input block (the path before).</param>
/// <param name="GroupedOutputAlone">On more threads than images, a grouped layer run by <see cref="Winograd.GroupedWinogradBatches"/> writes its output into a buffer that no other value of the plan shares (<see cref="Conv.ConvPlan.OutputAlone"/>), where one image's output is over 256 KB and at most 1 MB (<see cref="Winograd.WinogradPlan.OutputAloneAtMostBytes"/>). Its tasks split the channels by group, and the buffer the executor would hand it had been written a few steps before by a layer split another way (ResNeXt-50's layer3: 5 µs tasks on 1 thread took 7 µs on 2, claim or no claim). A buffer of its own holds lines no other core wrote since the last run. `tools/ab-net.py` at batch 1 on 2 threads: ResNeXt-50's layer3.1–3.5 grouped 3×3s −9.7 to −17.0 % (10 rounds, all 20 readings lower), ResNeXt-101 32x8d's layer3.1–3.22 −9 to −16 % (−0.9 ms a run, two runs); on 1 thread, where it does not apply, such buffers had run 5–15 % slower, their lines cold (NOTES "Thirty-sixth sitting"). It costs one output's memory per such layer (ResNeXt-50 2 MB, ResNeXt-101 32x8d 17.6 MB). false: the pooled buffers (the path before).</param>
internal readonly record struct BlockedTuning(long PassesAboveBytes, int PassesAboveChannels, int PassChannels, long PadCopyBytes, double PadCopyMinFlopsPerByte, bool SubsampleStrided = true, bool RowPairs = true,
    bool SplitFirstColumn = true, bool ColumnTiles = true, bool WorkerStripes = true, double WideningRowsOuter = 8, long WideningRowsOuterFilterBytes = 3 << 20, bool SeparateSharedResidual = true, bool GroupInputAhead = true,
    bool InputAsksPerTap = true, bool NextPassInputAhead = true, bool FirstTaskInputAhead = true, bool NextRowInputAhead = true,
    bool WinogradTileLanes = true, bool WinogradSharedV = true, double GroupsFirstFilterRatio = 6, bool RowPairsShareBroadcasts = true, int RowPairsTwoBlocksMaxWidth = 8, bool WinogradLanesStaging = true, int WinogradSharedVMinThreads = 3,
    bool WinogradMOverV = true, bool SharedSubsample = true, int PointwisePassChannels = 512, double PointwisePassMaxFilterRatio = double.PositiveInfinity, bool ImageInputAhead = true, bool GroupsFirstInputAhead = true, bool ClaimOutputLines = true, bool ClaimGroupedOutputLines = true, bool WinogradOneBlockGroups = true, bool WinogradTwoBlockGroups = true, bool GroupedOutputAlone = true, bool FilterAsksPerTap = true)
{
    public static BlockedTuning Default { get; } = new BlockedTuning(192 * 1024, 128, 128, 2 << 20, 32)
        with { PointwisePassChannels = PointwisePassChannelsFor(CpuCaches.L1DataBytes), ClaimOutputLines = ClaimOutputLinesFor(CpuIdentity.IsAmdZen5OrLater) };

    /// <summary>
    /// Whether dense layers claim their output lines by default (<see cref="ClaimOutputLines"/>): measured on two AMD generations
    /// with opposite results, so it follows the generation. The Zen 4 host gained in its slow minutes (ResNet-50 on 2 threads
    /// −0.27 and −0.30 ms in two of five `ab-net` runs, level in three; NOTES "Twenty-ninth sitting"). The Zen 5 host loses:
    /// unclaimed, ResNet-50's layer3 256 → 1024 +Adds ran 3–10 % faster on 2 threads in both of its modes, and ResNeXt-50's
    /// layer3 1×1s 4–9 %, −0.56 ms a run (NOTES "Thirty-fourth sitting"). Other processors keep the claim (the path before).
    /// Grouped layers' claims (<see cref="ClaimGroupedOutputLines"/>) are their own rule and stay on: they gained on both.
    /// </summary>
    internal static bool ClaimOutputLinesFor(bool zen5OrLater) => !zen5OrLater;

    /// <summary>Dense layers claim their output lines whatever this machine (tests of the claim).</summary>
    public static BlockedTuning OutputLinesClaimed { get; } = Default with { ClaimOutputLines = true };

    /// <summary>
    /// The longer 1×1 passes (<see cref="PointwisePassChannels"/> 512) where the L1 data cache is 32 KiB or unknown; passes of
    /// <see cref="PassChannels"/> (0) where it holds a 128-channel pass's 32 KB filter slice with room to spare (48 KiB and
    /// more). Zen 4 (32 KiB) measured the longer passes 1.9–6.3 % faster on the 1×1s they change (NOTES "Twenty-seventh
    /// sitting"). Zen 5 (48 KiB) measured them slower: with passes of 128, ResNet-50's layer3 1024 → 256s ran 4–5 % faster
    /// on 1 thread and 9–13 % on 2, and ResNeXt-50's 1024 → 512s 7–9 % on 2 (NOTES "Thirty-fourth sitting").
    /// </summary>
    internal static int PointwisePassChannelsFor(int l1DataBytes) => l1DataBytes >= 48 * 1024 ? 0 : 512;

    /// <summary>The longer 1×1 passes whatever this machine's L1 (tests that count them).</summary>
    public static BlockedTuning LongPointwisePasses { get; } = Default with { PointwisePassChannels = 512 };

    /// <summary>Strided 1×1 windows walk their strided rows (the path before <see cref="SubsampleStrided"/>; tests compare the two bit for bit).</summary>
    public static BlockedTuning StridedRows { get; } = Default with { SubsampleStrided = false };

    /// <summary>Every row in its own tiles (the path before <see cref="RowPairs"/>; tests compare the two bit for bit).</summary>
    public static BlockedTuning SingleRows { get; } = Default with { RowPairs = false };

    /// <summary>Two-row tiles load each row's broadcasts themselves (the path before <see cref="RowPairsShareBroadcasts"/>; tests compare the two bit for bit).</summary>
    public static BlockedTuning RowPairsOwnBroadcasts { get; } = Default with { RowPairsShareBroadcasts = false };

    /// <summary>Stride-1 units of two blocks pair their rows at any width, over a zero-padded copy (the path before <see cref="RowPairsTwoBlocksMaxWidth"/>; tests compare the two bit for bit).</summary>
    public static BlockedTuning TwoBlockRowsPairedAtAnyWidth { get; } = Default with { RowPairsTwoBlocksMaxWidth = int.MaxValue };

    /// <summary>The first column in the padding handled as any border (the zero-padded copy or one pixel at a time: the path before <see cref="SplitFirstColumn"/>).</summary>
    public static BlockedTuning CopyFirstColumn { get; } = Default with { SplitFirstColumn = false };

    /// <summary>Border columns through the zero-padded copy or one pixel at a time (the paths before <see cref="ColumnTiles"/>; tests compare them bit for bit).</summary>
    public static BlockedTuning WithoutColumnTiles { get; } = Default with { ColumnTiles = false };

    /// <summary>The workers' scratch packed at each layer's own size (the path before <see cref="WorkerStripes"/>).</summary>
    public static BlockedTuning PackedScratch { get; } = Default with { WorkerStripes = false };

    /// <summary>Rows outermost only where one image's input outweighs the filter (the path before <see cref="WideningRowsOuter"/>).</summary>
    public static BlockedTuning RowsOuterByInput { get; } = Default with { WideningRowsOuter = 1 };

    /// <summary>No dense layer claims its output lines first (the path before <see cref="ClaimOutputLines"/>); grouped layers keep their rule.</summary>
    public static BlockedTuning OutputLinesUnclaimed { get; } = Default with { ClaimOutputLines = false };

    /// <summary>No layer claims its output lines, dense or grouped (tests compare the claims' answers with it bit for bit).</summary>
    public static BlockedTuning NoOutputLinesClaimed { get; } = Default with { ClaimOutputLines = false, ClaimGroupedOutputLines = false };

    /// <summary>
    /// Grouped layers on the direct kernel, and a grouped Winograd plan made anyway through the general path (the twin of
    /// <see cref="WinogradOneBlockGroups"/> and <see cref="WinogradTwoBlockGroups"/>; the path before both).
    /// </summary>
    public static BlockedTuning WinogradGroupsGeneral { get; } = Default with { WinogradOneBlockGroups = false, WinogradTwoBlockGroups = false };

    /// <summary>Grouped layers claim only where their filter outweighs the input (the path before <see cref="ClaimGroupedOutputLines"/>).</summary>
    public static BlockedTuning GroupedOutputLinesUnclaimed { get; } = Default with { ClaimGroupedOutputLines = false };

    /// <summary>The output over the residual's buffer wherever the residual dies (the path before <see cref="SeparateSharedResidual"/>).</summary>
    public static BlockedTuning ResidualAlwaysOverwritten { get; } = Default with { SeparateSharedResidual = false };

    /// <summary>A grouped layer's tasks prefetch the next group's filter slice alone (the path before <see cref="GroupInputAhead"/>).</summary>
    public static BlockedTuning FilterAheadOnly { get; } = Default with { GroupInputAhead = false };

    /// <summary>The next group's input asked for per input block, all of a tile's share at once (the path before <see cref="InputAsksPerTap"/>).</summary>
    public static BlockedTuning InputAsksPerBlock { get; } = Default with { InputAsksPerTap = false };

    /// <summary>The next filter slice asked for per input block (the path before <see cref="FilterAsksPerTap"/>).</summary>
    public static BlockedTuning FilterAsksPerBlock { get; } = Default with { FilterAsksPerTap = false };

    /// <summary>Flattened pointwise planes widen rows outermost and nothing asks for a first task's input (the path before <see cref="FirstTaskInputAhead"/>).</summary>
    public static BlockedTuning FirstTaskInputUnasked { get; } = Default with { FirstTaskInputAhead = false };

    /// <summary>Rows-outermost windows ask for nothing of the next row's input (the path before <see cref="NextRowInputAhead"/>).</summary>
    public static BlockedTuning NextRowInputUnasked { get; } = Default with { NextRowInputAhead = false };

    /// <summary>Winograd's products always through the tile kernels, pixels broadcast (the path before <see cref="WinogradTileLanes"/>).</summary>
    public static BlockedTuning WinogradTilesBroadcast { get; } = Default with { WinogradTileLanes = false };

    /// <summary>Each output set of a Winograd chunk in the lanes transforms the chunk's input itself (the path before <see cref="WinogradSharedV"/>).</summary>
    public static BlockedTuning WinogradSetsTransformInput { get; } = Default with { WinogradSharedV = false };

    /// <summary>Output sets share one input transform from 2 threads up (the path before <see cref="WinogradSharedVMinThreads"/>).</summary>
    public static BlockedTuning WinogradSharedVOnTwoThreads { get; } = Default with { WinogradSharedVMinThreads = 2 };

    /// <summary>The input transform in the lanes writes into V and transposes there (the path before <see cref="WinogradLanesStaging"/>).</summary>
    public static BlockedTuning WinogradLanesInPlace { get; } = Default with { WinogradLanesStaging = false };

    /// <summary>Each task's M after its V (the path before <see cref="WinogradMOverV"/>; tests compare the two bit for bit).</summary>
    public static BlockedTuning WinogradMApart { get; } = Default with { WinogradMOverV = false };

    /// <summary>Every layer's passes of <see cref="PassChannels"/> (the path before <see cref="PointwisePassChannels"/>).</summary>
    public static BlockedTuning PointwisePassesOfPassChannels { get; } = Default with { PointwisePassChannels = 0 };

    /// <summary>Only a 1×1 whose filter is less than 6 times one image's input in the longer passes (the path before the default <see cref="PointwisePassMaxFilterRatio"/>).</summary>
    public static BlockedTuning PointwisePassesBelowSixTimesTheInput { get; } = LongPointwisePasses with { PointwisePassMaxFilterRatio = 6 };

    /// <summary>Groups-first tasks ask for nothing of their images' input (the path before <see cref="GroupsFirstInputAhead"/>; tests compare the two bit for bit).</summary>
    public static BlockedTuning GroupsFirstInputUnasked { get; } = Default with { GroupsFirstInputAhead = false };

    /// <summary>Each image's first task asks for nothing (the path before <see cref="ImageInputAhead"/>; tests compare the two bit for bit).</summary>
    public static BlockedTuning ImageInputUnasked { get; } = Default with { ImageInputAhead = false };

    /// <summary>Each thread copies the strided 1×1's subsampled input for itself (the path before <see cref="SharedSubsample"/>; tests compare the two bit for bit).</summary>
    public static BlockedTuning SubsampleCopyPerThread { get; } = Default with { SharedSubsample = false };

    /// <summary>A batch on one thread group by group wherever there are several groups (the path before <see cref="GroupsFirstFilterRatio"/>).</summary>
    public static BlockedTuning GroupsFirstAlways { get; } = Default with { GroupsFirstFilterRatio = 0 };

    /// <summary>Every layer with more than one input block in passes of one block.</summary>
    public static BlockedTuning PassPerBlock { get; } = Default with { PassesAboveBytes = 0, PassesAboveChannels = 0, PassChannels = 1, PointwisePassChannels = 0 };

    /// <summary>Every padded window with a border column reads the zero-padded copy (the copy path, whatever the size or the work).</summary>
    public static BlockedTuning CopyAlways { get; } = Default with { PadCopyBytes = long.MaxValue, PadCopyMinFlopsPerByte = 0, SplitFirstColumn = false, ColumnTiles = false };

    /// <summary>Border columns one pixel at a time unless they are more than an eighth of the row (the single-pixel path).</summary>
    public static BlockedTuning BorderPixels { get; } = Default with { PadCopyBytes = 0, SplitFirstColumn = false, ColumnTiles = false };
}
