namespace Cardinal.Graph.Ops;

/// <summary>
/// BatchNormalization (inference) as a per-channel scale and shift, y = x·scale + shift, computed in one place
/// for the graph pass that folds it into a convolution (<c>FoldBatchNormIntoConv</c>), the CPU kernel and the
/// GPU kernel, which run it when it is not folded.
/// </summary>
/// <remarks>
/// scale = γ/√(var + ε) and shift = (b − mean)·scale + β (b: a convolution's bias, 0 for a plain BatchNorm) are
/// computed in double and rounded to float once, so the folded weights and the unfolded kernels see the same
/// per-channel numbers: the closest floats to the exact values. The pass multiplies the weights by the
/// unrounded double <see cref="Scale"/>, so W' = W·scale is also rounded once.
/// </remarks>
internal static class BatchNormFolding
{
    /// <summary>γ/√(var + ε), in double (not rounded).</summary>
    public static double Scale(float gamma, float variance, float epsilon) => gamma / Math.Sqrt((double)variance + epsilon);

    /// <summary>(b − mean)·scale + β rounded once to float; <paramref name="convBias"/> is 0 without a convolution bias.</summary>
    public static float Shift(double scale, float beta, float mean, float convBias = 0f) => (float)((convBias - (double)mean) * scale + beta);

    /// <summary>Every channel's float scale and shift (lengths: the channel count), for a kernel that applies y = x·scale + shift.</summary>
    public static void ScaleShift(ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance,
        float epsilon, Span<float> scale, Span<float> shift)
    {
        int channels = scale.Length;
        if (shift.Length != channels || gamma.Length < channels || beta.Length < channels || mean.Length < channels || variance.Length < channels)
            throw new ArgumentException($"BatchNorm parameters shorter than its {channels} channels.");
        for (int c = 0; c < channels; c++)
        {
            double s = Scale(gamma[c], variance[c], epsilon);
            scale[c] = (float)s;
            shift[c] = Shift(s, beta[c], mean[c]);
        }
    }
}
