namespace Cardinal.Kernels.Cpu;

/// <summary>
/// How the CPU backend runs a batch's first layers a few images at a time (<see cref="Passes.DepthFirstPrefix"/>):
/// at most <paramref name="ImagesPerPart"/> images per part, through the last layer whose batch-sized activations
/// (run-time inputs and outputs) take more than <paramref name="BatchBytesAbove"/> bytes, and never through a layer
/// whose part takes more than <paramref name="PartBytesAtMost"/>. With <paramref name="SideBySide"/>, a backend of
/// several threads runs the parts side by side, each thread its own images on one thread per kernel, when there are
/// at least as many parts as threads. Measured on ResNet-50 at batch 8 (Engine.Bench/NOTES.md, "Depth first",
/// "Images side by side").
/// </summary>
internal readonly record struct DepthFirstTuning(int ImagesPerPart, long BatchBytesAbove, long PartBytesAtMost, bool SideBySide = true)
{
    public static DepthFirstTuning Default { get; } = new(1, 16L << 20, 8L << 20);

    /// <summary>Reads "off" (null) or "IMAGES:BATCH_MB:PART_MB[:serial]" (the benchmarks' --depth-first; serial: parts one after another).</summary>
    public static DepthFirstTuning? Parse(string text)
    {
        if (text == "off") return null;
        string[] parts = text.Split(':');
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (parts.Length is not (3 or 4) || !int.TryParse(parts[0], out int images) || images < 1
            || !double.TryParse(parts[1], invariant, out double batchMb) || !double.TryParse(parts[2], invariant, out double partMb)
            || (parts.Length == 4 && parts[3] != "serial"))
            throw new ArgumentException($"--depth-first takes off or IMAGES:BATCH_MB:PART_MB[:serial], not '{text}'.");
        return new DepthFirstTuning(images, (long)(batchMb * (1 << 20)), (long)(partMb * (1 << 20)), SideBySide: parts.Length == 3);
    }
}
