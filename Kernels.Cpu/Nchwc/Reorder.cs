using System.Runtime.CompilerServices;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>
/// Reorders between NCHW and the channel-blocked layout (<see cref="BlockedLayout"/>):
/// <c>// NCHW [N][C][S] ↔ blocked [N][Cp/b][S][b], Cp = ⌈C/b⌉·b, channels C…Cp−1 zero</c>, S the spatial
/// size (D·H·W). One parallel unit is one (image, channel block, run of <see cref="Run"/> pixels), so that the
/// network's input (3 channels: one block) still splits across the threads; within it the spatial axis goes in
/// tiles of <see cref="Tile"/> pixels, so the b strided rows a tile touches stay in L1 (a tile of 16 lanes is
/// 4 KiB). A tile of a partly padded block is cleared with one vector fill before its real lanes are copied.
/// </summary>
internal static class Reorder
{
    /// <summary>Pixels per tile: 64 × 16 lanes × 4 bytes = 4 KiB of blocked data.</summary>
    private const int Tile = 64;

    /// <summary>Pixels per parallel unit (64 tiles): a 224×224 plane makes 13 units.</summary>
    private const int Run = 64 * Tile;

    private static int Runs(int spatial) => (spatial + Run - 1) / Run;

    /// <summary>NCHW → blocked. Writes every element of the blocked value, the padded lanes as zero.</summary>
    /// <param name="x">[N][C][S]</param>
    /// <param name="y">[N][Cp/b][S][b]</param>
    /// <param name="batch">N.</param>
    /// <param name="channels">C, the logical channels.</param>
    /// <param name="spatial">S, the plane's size.</param>
    /// <param name="block">b, the channel block.</param>
    /// <param name="parallel">The worker threads.</param>
    public static unsafe void ToBlocked(ReadOnlySpan<float> x, Span<float> y, int batch, int channels, int spatial, int block, ParallelRunner parallel)
    {
        int padded = Check(x.Length, y.Length, batch, channels, spatial, block, toBlocked: true);
        if (batch == 0 || spatial == 0 || padded == 0) return;
        fixed (float* px = x, py = y)
            parallel.For(batch * (padded / block) * Runs(spatial), new ToBlockedBody(px, py, channels, spatial, block));
    }

    /// <summary>Blocked → NCHW: the first <paramref name="channels"/> channels; the padded lanes are not read.</summary>
    /// <param name="x">[N][Cp/b][S][b]</param>
    /// <param name="y">[N][C][S]</param>
    /// <param name="batch">N.</param>
    /// <param name="channels">C, the logical channels to read back.</param>
    /// <param name="paddedChannels">Cp, the blocked value's channels (a multiple of the block).</param>
    /// <param name="spatial">S, the plane's size.</param>
    /// <param name="block">b, the channel block.</param>
    /// <param name="parallel">The worker threads.</param>
    public static unsafe void FromBlocked(ReadOnlySpan<float> x, Span<float> y, int batch, int channels, int paddedChannels, int spatial, int block, ParallelRunner parallel)
    {
        Check(y.Length, x.Length, batch, channels, spatial, block, toBlocked: false, paddedChannels);
        int blocks = (channels + block - 1) / block; // blocks holding real channels; wholly padded ones are skipped
        if (batch == 0 || spatial == 0 || blocks == 0) return;
        fixed (float* px = x, py = y)
            parallel.For(batch * blocks * Runs(spatial), new FromBlockedBody(px, py, channels, paddedChannels / block, blocks, spatial, block));
    }

    private static int Check(int plainLength, int blockedLength, int batch, int channels, int spatial, int block, bool toBlocked, int paddedChannels = -1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(channels);
        ArgumentOutOfRangeException.ThrowIfNegative(spatial);
        int padded = toBlocked ? BlockedLayout.PaddedChannels(channels, block) : paddedChannels;
        if (padded % block != 0 || padded < channels)
            throw new ArgumentException($"{padded} blocked channels must be a multiple of the block {block} and hold {channels}.");
        if (plainLength < (long)batch * channels * spatial || blockedLength < (long)batch * padded * spatial)
            throw new ArgumentException($"buffers of {plainLength} (NCHW) and {blockedLength} (blocked) floats are too small for [{batch}, {channels}→{padded}, {spatial}].");
        return padded;
    }

    private readonly unsafe struct ToBlockedBody(float* x, float* y, int channels, int spatial, int block) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int unit)
        {
            int blocks = (channels + block - 1) / block, runs = Runs(spatial);
            int run = unit % runs; unit /= runs;
            int n = unit / blocks, cb = unit % blocks, c0 = cb * block;
            int lanes = Math.Min(block, channels - c0);
            float* src = x + ((long)n * channels + c0) * spatial;
            float* dst = y + (long)unit * spatial * block;
            for (int s0 = run * Run, s1 = Math.Min(spatial, s0 + Run); s0 < s1; s0 += Tile)
            {
                int length = Math.Min(Tile, spatial - s0);
                float* tile = dst + (long)s0 * block;
                if (lanes < block) new Span<float>(tile, length * block).Clear();
                // Each channel's row is read contiguously and written at stride b into the tile.
                for (int i = 0; i < lanes; i++)
                {
                    float* row = src + (long)i * spatial + s0;
                    for (int t = 0; t < length; t++) tile[t * block + i] = row[t];
                }
            }
        }
    }

    private readonly unsafe struct FromBlockedBody(float* x, float* y, int channels, int paddedBlocks, int blocks, int spatial, int block) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int unit)
        {
            int runs = Runs(spatial);
            int run = unit % runs; unit /= runs;
            int n = unit / blocks, cb = unit % blocks, c0 = cb * block;
            int lanes = Math.Min(block, channels - c0);
            float* src = x + ((long)n * paddedBlocks + cb) * spatial * block;
            float* dst = y + ((long)n * channels + c0) * spatial;
            for (int s0 = run * Run, s1 = Math.Min(spatial, s0 + Run); s0 < s1; s0 += Tile)
            {
                int length = Math.Min(Tile, spatial - s0);
                float* tile = src + (long)s0 * block;
                for (int i = 0; i < lanes; i++)
                {
                    float* row = dst + (long)i * spatial + s0;
                    for (int t = 0; t < length; t++) row[t] = tile[t * block + i];
                }
            }
        }
    }
}
