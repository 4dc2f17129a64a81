using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Cardinal.Kernels.Cpu.Nchwc;

namespace Cardinal.Kernels.Cpu.Winograd;

/// <summary>
/// Winograd's products with the tiles in the vector lanes (AVX-512, a chunk of at most 16 tiles: a 7×7 plane's 16 F(2×2)
/// tiles at batch 1). The usual products broadcast each tile's value against 4 blocks of U: each 131 KB slice of layer4's
/// U (512 channels × 64 outputs) is read by three register tiles (6 + 5 + 5 tiles), the first from memory in a burst the
/// other two leave idle, and at batch 1 that stream did not overlap the multiply-adds (NOTES "Eighteenth sitting"). Here
/// one pass of 16 accumulators (16 output channels, tiles in the lanes) reads each U value once, as a broadcast, in one
/// steady stream of one 64-byte line per input channel, and asks for the next block's lines one per channel (U packed
/// one output block per group: reading one block of a group of 4, a line in four, had lost 0.3–0.7 ms a layer).
/// The sums are the direct kernel's: per output, one fused multiply-add per input channel in channel order from zero,
/// then + 0 (the zero bias): the answers are bit for bit those of the tile kernels (a test holds them to it), so a
/// batch whose chunks are wider still answers as a single image does.
/// </summary>
internal static unsafe class WinogradTileLanes
{
    /// <summary>Tiles per chunk this path takes: one vector of lanes.</summary>
    public const int MaxTiles = 16;

    /// <summary>
    /// The fewest tiles a chunk must have for this path: each multiply-add covers 16 lanes whatever the chunk's tiles, and
    /// F(4×4)'s 4 tiles of a 7×7 plane ran 2.13 ms here against 1.37–1.62 through the tile kernels (`winograd --cold`).
    /// </summary>
    public const int MinTiles = 12;

    /// <summary>Whether the machine runs the path (the transposes are AVX-512F shuffles).</summary>
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>
    /// Transposes one 16 × 16 block in place: row i, lane j moves to row j, lane i. Rows from <paramref name="rows"/> on are
    /// read as zeros (the tiles a chunk does not have), and every row is written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TransposeInPlace(float* block, int rows) => TransposeInto(block, rows, block);

    /// <summary>
    /// Row i, lane j of the 16 × 16 block at <paramref name="source"/> to row j, lane i at <paramref name="destination"/> (the
    /// same block, or one apart from it). Rows from <paramref name="rows"/> on are read as zeros, and every row is written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TransposeInto(float* source, int rows, float* destination)
    {
        Vector512<float> r0 = Row(source, 0, rows), r1 = Row(source, 1, rows), r2 = Row(source, 2, rows), r3 = Row(source, 3, rows);
        Vector512<float> r4 = Row(source, 4, rows), r5 = Row(source, 5, rows), r6 = Row(source, 6, rows), r7 = Row(source, 7, rows);
        Vector512<float> r8 = Row(source, 8, rows), r9 = Row(source, 9, rows), r10 = Row(source, 10, rows), r11 = Row(source, 11, rows);
        Vector512<float> r12 = Row(source, 12, rows), r13 = Row(source, 13, rows), r14 = Row(source, 14, rows), r15 = Row(source, 15, rows);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, ref r8, ref r9, ref r10, ref r11, ref r12, ref r13, ref r14, ref r15);
        float* d = destination;
        Vector512.Store(r0, d); Vector512.Store(r1, d + 16); Vector512.Store(r2, d + 32); Vector512.Store(r3, d + 48);
        Vector512.Store(r4, d + 64); Vector512.Store(r5, d + 80); Vector512.Store(r6, d + 96); Vector512.Store(r7, d + 112);
        Vector512.Store(r8, d + 128); Vector512.Store(r9, d + 144); Vector512.Store(r10, d + 160); Vector512.Store(r11, d + 176);
        Vector512.Store(r12, d + 192); Vector512.Store(r13, d + 208); Vector512.Store(r14, d + 224); Vector512.Store(r15, d + 240);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row(float* block, int i, int rows) => i < rows ? Vector512.Load(block + i * 16) : Vector512<float>.Zero;

    /// <summary>
    /// 16 × 16 in registers: 32-bit unpacks pair the rows, 64-bit unpacks make 4 × 4 blocks within each 128-bit lane, and two
    /// rounds of 128-bit lane shuffles transpose the 4 × 4 grid of those blocks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose(ref Vector512<float> r0, ref Vector512<float> r1, ref Vector512<float> r2, ref Vector512<float> r3,
        ref Vector512<float> r4, ref Vector512<float> r5, ref Vector512<float> r6, ref Vector512<float> r7,
        ref Vector512<float> r8, ref Vector512<float> r9, ref Vector512<float> r10, ref Vector512<float> r11,
        ref Vector512<float> r12, ref Vector512<float> r13, ref Vector512<float> r14, ref Vector512<float> r15)
    {
        // Rows 4m..4m+3 → b[4m + q]: in 128-bit lane L, column 4L + q of those four rows.
        Quad(r0, r1, r2, r3, out var b0, out var b1, out var b2, out var b3);
        Quad(r4, r5, r6, r7, out var b4, out var b5, out var b6, out var b7);
        Quad(r8, r9, r10, r11, out var b8, out var b9, out var b10, out var b11);
        Quad(r12, r13, r14, r15, out var b12, out var b13, out var b14, out var b15);
        // Column 4L + q is lane L of b[q], b[4 + q], b[8 + q], b[12 + q].
        Lanes(b0, b4, b8, b12, out r0, out r4, out r8, out r12);
        Lanes(b1, b5, b9, b13, out r1, out r5, out r9, out r13);
        Lanes(b2, b6, b10, b14, out r2, out r6, out r10, out r14);
        Lanes(b3, b7, b11, b15, out r3, out r7, out r11, out r15);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quad(Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3,
        out Vector512<float> c0, out Vector512<float> c1, out Vector512<float> c2, out Vector512<float> c3)
    {
        Vector512<double> a0 = Avx512F.UnpackLow(r0, r1).AsDouble(), a1 = Avx512F.UnpackHigh(r0, r1).AsDouble();
        Vector512<double> a2 = Avx512F.UnpackLow(r2, r3).AsDouble(), a3 = Avx512F.UnpackHigh(r2, r3).AsDouble();
        c0 = Avx512F.UnpackLow(a0, a2).AsSingle();
        c1 = Avx512F.UnpackHigh(a0, a2).AsSingle();
        c2 = Avx512F.UnpackLow(a1, a3).AsSingle();
        c3 = Avx512F.UnpackHigh(a1, a3).AsSingle();
    }

    /// <summary>out[L] = lane L of q0, q1, q2, q3 (a 4 × 4 transpose of 128-bit lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Lanes(Vector512<float> q0, Vector512<float> q1, Vector512<float> q2, Vector512<float> q3,
        out Vector512<float> l0, out Vector512<float> l1, out Vector512<float> l2, out Vector512<float> l3)
    {
        Vector512<float> even01 = Avx512F.Shuffle4x128(q0, q1, 0x88), odd01 = Avx512F.Shuffle4x128(q0, q1, 0xDD);
        Vector512<float> even23 = Avx512F.Shuffle4x128(q2, q3, 0x88), odd23 = Avx512F.Shuffle4x128(q2, q3, 0xDD);
        l0 = Avx512F.Shuffle4x128(even01, even23, 0x88);
        l2 = Avx512F.Shuffle4x128(even01, even23, 0xDD);
        l1 = Avx512F.Shuffle4x128(odd01, odd23, 0x88);
        l3 = Avx512F.Shuffle4x128(odd01, odd23, 0xDD);
    }

    /// <summary>
    /// One output block's products at one ξ: M[t][j] = Σ_c V[c][t] · U[c][j] for the chunk's tiles t &lt; <paramref name="tiles"/>
    /// and the block's 16 outputs j.
    /// </summary>
    /// <param name="v">V with the tiles in the lanes: [channels][16 tiles] (tiles past the chunk's zero).</param>
    /// <param name="u">U's slice for the block: [channels][16 outputs], one cache line per channel.</param>
    /// <param name="channels">Input channels (padded to the block).</param>
    /// <param name="m">M for the block: [tile][16 outputs], the tiles' rows 16 floats apart; rows ≥ <paramref name="tiles"/> untouched.</param>
    /// <param name="tiles">The chunk's tiles.</param>
    /// <param name="next">The next slice the products read (as long as this one), asked for one line per channel; null: none.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Products(float* v, float* u, nint channels, float* m, int tiles, float* next)
    {
        Vector512<float> a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15;
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = a8 = a9 = a10 = a11 = a12 = a13 = a14 = a15 = Vector512<float>.Zero;
        byte* ahead = (byte*)next;
        for (nint c = 0; c < channels; c++, v += 16, u += 16)
        {
            ahead = SlicePrefetch.AskLine(ahead);
            Vector512<float> x = Vector512.Load(v);
            a0 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[0]), a0);
            a1 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[1]), a1);
            a2 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[2]), a2);
            a3 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[3]), a3);
            a4 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[4]), a4);
            a5 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[5]), a5);
            a6 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[6]), a6);
            a7 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[7]), a7);
            a8 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[8]), a8);
            a9 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[9]), a9);
            a10 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[10]), a10);
            a11 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[11]), a11);
            a12 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[12]), a12);
            a13 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[13]), a13);
            a14 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[14]), a14);
            a15 = Vector512.FusedMultiplyAdd(x, Vector512.Create(u[15]), a15);
        }
        // Rows were outputs with the tiles in the lanes; after the transpose row t is tile t's 16 outputs. + 0: the tile
        // kernels' zero bias (−0 becomes +0 there too).
        Transpose(ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, ref a8, ref a9, ref a10, ref a11, ref a12, ref a13, ref a14, ref a15);
        Vector512<float> zero = Vector512<float>.Zero;
        Store(m, 0, tiles, a0 + zero); Store(m, 1, tiles, a1 + zero); Store(m, 2, tiles, a2 + zero); Store(m, 3, tiles, a3 + zero);
        Store(m, 4, tiles, a4 + zero); Store(m, 5, tiles, a5 + zero); Store(m, 6, tiles, a6 + zero); Store(m, 7, tiles, a7 + zero);
        Store(m, 8, tiles, a8 + zero); Store(m, 9, tiles, a9 + zero); Store(m, 10, tiles, a10 + zero); Store(m, 11, tiles, a11 + zero);
        Store(m, 12, tiles, a12 + zero); Store(m, 13, tiles, a13 + zero); Store(m, 14, tiles, a14 + zero); Store(m, 15, tiles, a15 + zero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* m, int t, int tiles, Vector512<float> row)
    {
        if (t < tiles) Vector512.Store(row, m + t * 16);
    }
}
