namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>
/// The bias [Mp] the blocked kernels read (the direct kernel and Winograd's output transform): the caller's [M] bias
/// in place when it already covers the padded channels, a copy with the padded lanes zero when it does not (they must
/// stay 0 in y), and the plan's zeros when there is none.
/// </summary>
internal static class BlockedBias
{
    /// <summary>Whether <paramref name="bias"/> needs a padded copy of <paramref name="mp"/> floats (the caller's scratch, on its stack).</summary>
    public static bool NeedsCopy(ReadOnlySpan<float> bias, int mp) => !bias.IsEmpty && bias.Length < mp;

    /// <param name="bias">The caller's [M] bias, or empty for none.</param>
    /// <param name="outChannels">M.</param>
    /// <param name="zeroBias">The plan's [Mp] zeros.</param>
    /// <param name="scratch">Empty, or <c>mp</c> floats when <see cref="NeedsCopy"/> said so.</param>
    public static ReadOnlySpan<float> Select(ReadOnlySpan<float> bias, int outChannels, float[] zeroBias, Span<float> scratch)
    {
        if (bias.IsEmpty) return zeroBias;
        if (scratch.IsEmpty) return bias;
        bias[..outChannels].CopyTo(scratch);
        scratch[outChannels..].Clear();
        return scratch;
    }
}
