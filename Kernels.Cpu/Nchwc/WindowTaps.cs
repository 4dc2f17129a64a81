using System.Runtime.CompilerServices;
using Cardinal.Graph.Ops;

namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>
/// Which taps of a window lie inside the input, the one rule every blocked kernel clamps by (direct, diagonal grouped,
/// NCHW stem, max pool): rows clamp their kernel rows once, interior columns need no clamp, border columns clamp theirs.
/// </summary>
internal static class WindowTaps
{
    /// <summary>Output columns [Lo, Hi) whose every tap lies inside the input row.</summary>
    public static (int Lo, int Hi) InteriorColumns(in Window3D w)
    {
        int lo = Math.Min(w.OutW, (w.PadW + w.SW - 1) / w.SW);
        int lastFull = w.InW - 1 + w.PadW - (w.KW - 1) * w.DW; // ow·SW must not pass this
        return (lo, lastFull < 0 ? lo : Math.Clamp(lastFull / w.SW + 1, lo, w.OutW));
    }

    /// <summary>
    /// A run of <paramref name="span"/> pixels in ⌈span/max⌉ register tiles of near-equal width: the first Wider tiles
    /// take Base + 1 pixels, the rest Base (7 → 4 + 3, not 6 + 1: a one-pixel tile has too few accumulators to hide the
    /// FMA latency).
    /// </summary>
    public static (int Base, int Wider) NearEqualTiles(int span, int max)
    {
        int tiles = span <= 0 ? 0 : (span + max - 1) / max;
        return tiles == 0 ? (0, 0) : (span / tiles, span % tiles);
    }

    /// <summary>The widest of <see cref="NearEqualTiles"/>' tiles over <paramref name="span"/> pixels (0 for none).</summary>
    public static int WidestTile(int span, int max)
    {
        (int tileBase, int wider) = NearEqualTiles(span, max);
        return tileBase + (wider > 0 ? 1 : 0);
    }

    /// <summary>The kernel taps k ∈ [Lo, Lo + Count) whose input position origin + k·dilation lies in [0, extent).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (int Lo, int Count) Inside(int origin, int dilation, int kernel, int extent)
    {
        int lo = origin >= 0 ? 0 : (-origin + dilation - 1) / dilation;
        int hi = origin > extent - 1 ? 0 : Math.Min(kernel, (extent - 1 - origin) / dilation + 1);
        return (lo, Math.Max(0, hi - lo));
    }
}
