namespace Cardinal.Graph.Ops;

internal enum AutoPad { NotSet, SameUpper, SameLower, Valid }

/// <summary>
/// The attributes shared by Conv and the pools (kernel, strides, dilations, pads, auto_pad), as declared.
/// <see cref="Resolve"/> turns them into concrete per-axis pads and output sizes for given input sizes.
/// </summary>
internal sealed record WindowAttributes(
    int[]? KernelShape, int[]? Strides, int[]? Dilations, int[]? Pads, AutoPad AutoPad, bool CeilMode = false)
{
    public WindowGeometry Resolve(Node node, ReadOnlySpan<int> input, ReadOnlySpan<int> kernel)
    {
        int rank = input.Length;
        Check(node, Strides, rank, "strides");
        Check(node, Dilations, rank, "dilations");
        if (Pads is not null && Pads.Length != 2 * rank)
            throw new InvalidModelException($"{node.Describe()}: pads has {Pads.Length} values, expected {2 * rank}.");
        var g = new WindowGeometry(rank);
        for (int i = 0; i < rank; i++)
        {
            int k = kernel[i], s = Strides?[i] ?? 1, d = Dilations?[i] ?? 1, n = input[i];
            if (k < 1 || s < 1 || d < 1)
                throw new InvalidModelException($"{node.Describe()}: kernel, stride and dilation must be positive (axis {i}: {k}, {s}, {d}).");
            int effective = (k - 1) * d + 1;
            int begin, end, output;
            switch (AutoPad)
            {
                case AutoPad.SameUpper:
                case AutoPad.SameLower:
                    output = (n + s - 1) / s;
                    int total = Math.Max(0, (output - 1) * s + effective - n);
                    int small = total / 2;
                    (begin, end) = AutoPad == AutoPad.SameUpper ? (small, total - small) : (total - small, small);
                    break;
                case AutoPad.Valid:
                    begin = end = 0;
                    output = n >= effective ? (n - effective) / s + 1 : 0;
                    break;
                default:
                    begin = Pads?[i] ?? 0;
                    end = Pads?[i + rank] ?? 0;
                    if (begin < 0 || end < 0) throw new InvalidModelException($"{node.Describe()}: negative pads are not allowed.");
                    long span = (long)n + begin + end - effective;
                    if (span < 0) { output = 0; break; }
                    output = (int)(CeilMode ? (span + s - 1) / s : span / s) + 1;
                    // With ceil_mode the last window must start inside the input or its leading pad.
                    if (CeilMode && (long)(output - 1) * s >= n + begin) output--;
                    break;
            }
            if (output < 1)
                throw new InvalidModelException($"{node.Describe()}: input size {n} on spatial axis {i} is smaller than the window ({effective}) plus padding.");
            g.Input[i] = n; g.Output[i] = output; g.Kernel[i] = k; g.Stride[i] = s; g.Dilation[i] = d;
            g.PadBegin[i] = begin; g.PadEnd[i] = end;
        }
        return g;
    }

    private static void Check(Node node, int[]? values, int rank, string name)
    {
        if (values is not null && values.Length != rank)
            throw new InvalidModelException($"{node.Describe()}: {name} has {values.Length} values for {rank} spatial axes.");
    }

    public string Describe() =>
        $"kernel={Fmt(KernelShape)} strides={Fmt(Strides)} pads={Fmt(Pads)} dilations={Fmt(Dilations)}" +
        (AutoPad != AutoPad.NotSet ? $" auto_pad={AutoPad}" : "") + (CeilMode ? " ceil_mode" : "");

    private static string Fmt(int[]? v) => v is null ? "default" : string.Join("x", v);
}

/// <summary>Resolved window geometry over 1–3 spatial axes: sizes, kernel, strides, dilations and pads per axis.</summary>
internal sealed class WindowGeometry(int rank)
{
    public int Rank { get; } = rank;
    public int[] Input { get; } = new int[rank];
    public int[] Output { get; } = new int[rank];
    public int[] Kernel { get; } = new int[rank];
    public int[] Stride { get; } = new int[rank];
    public int[] Dilation { get; } = new int[rank];
    public int[] PadBegin { get; } = new int[rank];
    public int[] PadEnd { get; } = new int[rank];
}
