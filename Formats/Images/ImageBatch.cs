using Cardinal.Tensors;

namespace Cardinal.Formats.Images;

/// <summary>
/// Turns image files into NCHW input: each file is read, decoded and preprocessed on its own task and
/// written straight into its destination (no per-image buffers to copy). A file that fails leaves its
/// destination zeroed and its error in the result; the others are unaffected.
/// </summary>
public sealed class ImageBatch
{
    private ImageBatch(Tensor tensor, string?[] errors) { Tensor = tensor; Errors = errors; }

    /// <summary>[N, 3, CropHeight, CropWidth].</summary>
    public Tensor Tensor { get; }
    /// <summary>Per file: null when it loaded, else the reason (naming the file).</summary>
    public string?[] Errors { get; }

    /// <summary>Loads every file into its slice of one [N, 3, H, W] tensor.</summary>
    public static ImageBatch Load(IReadOnlyList<string> paths, PreprocessOptions options, IImageDecoder decoder, ImageLimits limits, int parallelism)
    {
        var tensor = Tensor.Create(ElementType.Float32, options.TensorShape(paths.Count));
        int size = 3 * options.CropWidth * options.CropHeight;
        float[] data = (float[])tensor.Data;
        var slices = Enumerable.Range(0, paths.Count).Select(i => data.AsMemory(i * size, size)).ToArray();
        return new ImageBatch(tensor, LoadInto(paths, slices, options, decoder, limits, parallelism));
    }

    /// <summary>Loads file i into destinations[i] (3·H·W floats each); returns the per-file errors.</summary>
    public static string?[] LoadInto(IReadOnlyList<string> paths, IReadOnlyList<Memory<float>> destinations, PreprocessOptions options,
        IImageDecoder decoder, ImageLimits limits, int parallelism)
    {
        if (destinations.Count != paths.Count) throw new ArgumentException("One destination per path is needed.");
        var errors = new string?[paths.Count];
        Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, i =>
        {
            try
            {
                RgbImage image = ImageFiles.Read(paths[i], decoder, limits);
                ImagePreprocessor.Apply(image, options, destinations[i].Span);
            }
            catch (CardinalException e)
            {
                destinations[i].Span.Clear();
                errors[i] = e.Message;
            }
        });
        return errors;
    }
}
