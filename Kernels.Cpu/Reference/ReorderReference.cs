using Cardinal.Graph.Ops;

namespace Cardinal.Kernels.Cpu.Reference;

/// <summary>The plain twin of <see cref="Nchwc.Reorder"/>: one element at a time, straight from the layout's index formula.</summary>
internal static class ReorderReference
{
    /// <summary>y[n][c/b][s][c%b] = x[n][c][s] for c &lt; C, and 0 for C ≤ c &lt; ⌈C/b⌉·b.</summary>
    public static void ToBlocked(ReadOnlySpan<float> x, Span<float> y, int batch, int channels, int spatial, int block)
    {
        int padded = BlockedLayout.PaddedChannels(channels, block);
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < padded; c++)
                for (int s = 0; s < spatial; s++)
                    y[BlockedIndex(n, c, s, padded, spatial, block)] = c < channels ? x[(n * channels + c) * spatial + s] : 0f;
    }

    /// <summary>y[n][c][s] = x[n][c/b][s][c%b] for c &lt; C.</summary>
    public static void FromBlocked(ReadOnlySpan<float> x, Span<float> y, int batch, int channels, int paddedChannels, int spatial, int block)
    {
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                for (int s = 0; s < spatial; s++)
                    y[(n * channels + c) * spatial + s] = x[BlockedIndex(n, c, s, paddedChannels, spatial, block)];
    }

    private static int BlockedIndex(int n, int c, int s, int padded, int spatial, int block) =>
        ((n * (padded / block) + c / block) * spatial + s) * block + c % block;
}
