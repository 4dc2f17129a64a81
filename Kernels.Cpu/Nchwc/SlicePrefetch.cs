using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>
/// How the register tiles over one filter slice bring the next slice into cache (NOTES "Prefetching the next filter
/// slice"). The first tile over a slice streams it from memory; the tiles after it read it from cache and would leave
/// memory idle, so they share out the next slice's cache lines, asking for a few per input block, or per kernel tap
/// (<see cref="BlockedDirectPlan.KernelArgs.Prefetch"/>, <see cref="BlockedTuning.FilterAsksPerTap"/>) so that the asks
/// spread over their multiply-adds. Used by
/// <see cref="BlockedDirectPlan"/> (the next pass, or the next task's group) and <see cref="Winograd.WinogradPlan"/>
/// (the set's next output group, or its first at the next ξ). A grouped layer's tiles also ask for the next task's input
/// plane, after its filter slice (the second region). The default asks for nothing. A tile's input asks for a later tile
/// or row (<see cref="BlockedDirectPlan.KernelArgs.InputAhead"/>) are not shares of one region but the same lines of every
/// input block's plane: <see cref="AskAcross"/>.
/// </summary>
internal unsafe struct SlicePrefetch
{
    /// <summary>
    /// The most cache lines a tile asks for per input block and tap: 24 (1.5 KB per 16 × 24 multiply-adds of a 6×4 tile
    /// of 16-channel blocks, about this core's share of memory), scaled by the tile's channels (AVX2's 6×2 tile of
    /// 8-channel blocks: 6). Measured in ResNet-50 (`layers`, 1 thread): with no limit layer4's F(2×2) layers lost
    /// 0.14 ms each (the asks outran memory and stalled the tile); 12 gained about half of what 16–24 did.
    /// </summary>
    public const int LinesPerBlockTap = 24;

    private const int Line = 64;

    private readonly byte* _next, _then;
    private readonly long _lines, _firstLines, _linesPerTile;
    /// <summary>A share in the second region: lines asked at each input block's start, then per tap (<see cref="BlockedDirectPlan.KernelArgs.PrefetchTapLines"/>).</summary>
    private readonly nint _thenBlockLines, _thenTapLines;
    /// <summary>
    /// A share in the slice: lines at each input block's start, then per tap where the slice goes per tap
    /// (<see cref="BlockedTuning.FilterAsksPerTap"/>); else all of it at the block's start.
    /// </summary>
    private readonly nint _sliceBlockLines, _sliceTapLines;
    private int _tile;

    /// <param name="next">The next slice's first byte; null for none.</param>
    /// <param name="bytes">The next slice's length.</param>
    /// <param name="tiles">Register tiles over this slice (with fewer than two, nothing is asked for).</param>
    /// <param name="inBlocks">Input blocks each of those tiles sums (its asks are spread over them).</param>
    /// <param name="taps">Kernel taps per input block.</param>
    /// <param name="block">Channels per block.</param>
    /// <param name="tileBlocks">Output blocks per register tile.</param>
    /// <param name="then">A second region asked for after the slice (null: none), whole: the input plane a grouped layer's
    /// next task reads (<see cref="BlockedDirectPlan"/>), tens to hundreds of KB, where the per-block limit above would
    /// leave most of it to the demand misses it is there to avoid.</param>
    /// <param name="thenBytes">The second region's length.</param>
    /// <param name="thenPerTap">Whether a tile asks for its share of the second region a few lines per tap (the remainder at
    /// each input block's start), not all at the block's start. One ask of a hundred lines and more (ResNeXt-101's
    /// layer2.0: 200 KB planes over 28 tiles) outnumbers the cache's outstanding misses: the tile then waited on memory
    /// before its first multiply-add.</param>
    /// <param name="slicePerTap">Whether a tile asks for its share of the slice a few lines per tap (the remainder at each input
    /// block's start), as <paramref name="thenPerTap"/> says for the second region, not all at the block's start: up to 24
    /// lines per tap at once, where a 3×3 tile had asked for up to 216 (or, beside a second region, uncapped: some 70 for a
    /// two-block group's 36 KB slice over a 7-wide row's few tiles), more than the misses a core keeps in flight
    /// (<see cref="BlockedTuning.FilterAsksPerTap"/>).</param>
    public SlicePrefetch(byte* next, long bytes, int tiles, int inBlocks, int taps, int block, int tileBlocks, byte* then = null, long thenBytes = 0, bool thenPerTap = false, bool slicePerTap = false)
    {
        bool second = then != null && thenBytes >= Line;
        if (tiles < 2 || (!second && (next == null || bytes < Line))) return;
        if (next == null || bytes < Line) { next = null; bytes = 0; } // the second region alone
        _next = next;
        _firstLines = bytes / Line;
        if (second) _then = then;
        _lines = _firstLines + (second ? thenBytes / Line : 0);
        _linesPerTile = (_lines + tiles - 2) / (tiles - 1);
        long perBlock = (_linesPerTile + inBlocks - 1) / inBlocks;
        var linesPerBlock = (nint)(second ? perBlock : Math.Min((long)LinesPerBlockTap * taps * block * tileBlocks / 64, perBlock));
        (_thenBlockLines, _thenTapLines) = Split(linesPerBlock, taps, thenPerTap);
        (_sliceBlockLines, _sliceTapLines) = Split(linesPerBlock, taps, slicePerTap);
    }

    /// <summary>A block's share as asked: all at the block's start, or per tap, the remainder at the block's start (one tap: per block either way).</summary>
    private static (nint Block, nint Tap) Split(nint lines, int taps, bool perTap) => perTap && taps > 1 ? (lines % taps, lines / taps) : (lines, 0);

    /// <summary>The next slice (null when nothing is asked for), its cache lines, and the second region's: for tests.</summary>
    public readonly byte* Next => _next;
    public readonly long Lines => _firstLines;
    public readonly long ThenLines => _lines - _firstLines;

    /// <summary>Sets the next register tile's ask in <paramref name="args"/>: none for a slice's first tile, then each tile's share.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void NextTile(ref BlockedDirectPlan.KernelArgs args) => TileAsk(_tile++, ref args);

    /// <summary>Sets register tile <paramref name="tile"/>'s ask (counted from 0 over this slice) in <paramref name="args"/>, whichever tile ran last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void TileAsk(int tile, ref BlockedDirectPlan.KernelArgs args)
    {
        long from = (tile - 1) * _linesPerTile;
        bool asks = (_next != null || _then != null) && from >= 0 && from < _lines;
        // A tile whose share starts in the slice and runs past it asks for the lines after the slice (the next groups'
        // filter): a hint, never a fault, and the next tile starts on the second region.
        bool inSlice = from < _firstLines;
        args.Prefetch = !asks ? 0 : inSlice ? (nint)(_next + from * Line) : (nint)(_then + (from - _firstLines) * Line);
        args.PrefetchLines = !asks ? 0 : inSlice ? _sliceBlockLines : _thenBlockLines;
        args.PrefetchTapLines = !asks ? 0 : inSlice ? _sliceTapLines : _thenTapLines;
    }

    /// <summary>
    /// What a tile does once per input block for <see cref="BlockedDirectPlan.KernelArgs.InputAhead"/>: asks for
    /// <paramref name="lines"/> cache lines from <paramref name="ahead"/> (nothing when null) and returns the same place in
    /// the next input block's plane, <paramref name="stride"/> bytes on.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* AskAcross(byte* ahead, nint lines, nint stride)
    {
        if (ahead == null || !Sse.IsSupported) return ahead;
        for (nint l = 0; l < lines; l++) Sse.Prefetch1(ahead + l * Line);
        return ahead + stride;
    }

    /// <summary>
    /// What a tile does once per input block (<see cref="BlockedDirectPlan.KernelArgs.PrefetchLines"/>), then once per tap
    /// (<see cref="BlockedDirectPlan.KernelArgs.PrefetchTapLines"/>): asks for <paramref name="lines"/> cache lines from
    /// <paramref name="ahead"/> (nothing when null) and returns where the next ask starts.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Ask(byte* ahead, nint lines) => AskAcross(ahead, lines, lines * Line);

    /// <summary>
    /// Asks for the one cache line at <paramref name="ahead"/> (nothing when null) and returns the line after it: a stream
    /// asked for a line per step of a loop (<see cref="Winograd.WinogradTileLanes"/>), without <see cref="AskAcross"/>'s
    /// inner loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* AskLine(byte* ahead)
    {
        if (ahead == null || !Sse.IsSupported) return ahead;
        Sse.Prefetch1(ahead);
        return ahead + Line;
    }
}
