using Cardinal.Formats.Images;
using Cardinal.Formats.Npy;
using Cardinal.Tensors;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Images;

/// <summary>
/// Cardinal's imagenet preset against torchvision's transforms (PIL decode → Resize(256) → CenterCrop(224)
/// → ToTensor → Normalize) on real photos from Debian's python3-skimage. Lossless inputs (PNG) must match
/// within 1/255 per pixel (the resampler is Pillow's arithmetic, so in practice exactly). JPEGs differ by
/// decoder: ImageSharp and libjpeg-turbo round their IDCT and chroma upsampling differently, so for them
/// the difference is measured and bounded, not zero.
/// </summary>
[TestFixture]
public class PreprocessingTests
{
    public static string Folder => Path.Combine(References.Cache, "preprocessing", "current");

    private static readonly string[] Lossless = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png", "ihc.png", "camera.png", "logo.png", "palette_color.png"];
    private static readonly string[] Jpeg = ["rocket.jpg", "hubble_deep_field.jpg", "retina.jpg"];

    private static (Tensor Crop, Tensor Tensor, float[] Ours, RgbImage OursCrop) Load(string file)
    {
        string stem = Path.GetFileNameWithoutExtension(file);
        References.Require(Path.Combine(Folder, stem + ".tensor.npy"), References.RunTestScript);
        var decoder = new ImageSharpDecoder();
        RgbImage image = ImageFiles.Read(Path.Combine(Folder, file), decoder, decoder.Limits);
        var ours = new float[3 * 224 * 224];
        ImagePreprocessor.Apply(image, PreprocessPresets.ImageNet, ours);
        return (NpyFile.Read(Path.Combine(Folder, stem + ".crop.npy")), NpyFile.Read(Path.Combine(Folder, stem + ".tensor.npy")),
            ours, ImagePreprocessor.ResizeAndCrop(image, PreprocessPresets.ImageNet));
    }

    [Test]
    public void Apply_InScratch_EqualsResizeAndCrop_ForEverySizeInTurn()
    {
        // Apply resizes into per-thread scratch and reads the crop from it; the bytes must be ResizeAndCrop's, whatever
        // size came before on the thread (a smaller image after a larger one reuses a longer buffer).
        var random = new Random(7);
        var preset = PreprocessPresets.ImageNet;
        foreach (var (w, h) in new[] { (300, 200), (64, 48), (224, 224), (500, 100), (48, 64), (256, 300), (300, 200) })
        {
            var pixels = new byte[w * h * 3];
            random.NextBytes(pixels);
            var image = new RgbImage(w, h, pixels);
            var ours = new float[3 * 224 * 224];
            ImagePreprocessor.Apply(image, preset, ours);
            byte[] crop = ImagePreprocessor.ResizeAndCrop(image, preset).Pixels;
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 224 * 224; i++)
                {
                    float expected = (crop[i * 3 + c] * preset.Scale - preset.Mean[c]) * (1f / preset.Std[c]);
                    if (ours[c * 224 * 224 + i] != expected) Assert.Fail($"{w}×{h}: channel {c}, pixel {i}: {ours[c * 224 * 224 + i]} != {expected}");
                }
        }
    }

    [TestCaseSource(nameof(Lossless))]
    public void Lossless_MatchesTorchvisionWithinOneLevel(string file)
    {
        var (crop, tensor, ours, oursCrop) = Load(file);
        int maxLevels = 0, differing = 0;
        for (int i = 0; i < oursCrop.Pixels.Length; i++)
        {
            int d = Math.Abs(oursCrop.Pixels[i] - (int)crop.Floats[i]);
            maxLevels = Math.Max(maxLevels, d);
            if (d > 0) differing++;
        }
        // Tensor values are (level/255 − mean)/std: one level is 1/(255·std) ≈ 0.0175 at std 0.224.
        double maxTensorDiff = tensor.Floats.ToArray().Zip(ours).Max(p => Math.Abs(p.First - p.Second));
        TestContext.Progress.WriteLine($"preprocess {file}: max |Δ| {maxLevels} level(s), {differing} of {oursCrop.Pixels.Length} bytes differ; max tensor |Δ| {maxTensorDiff:G3}");
        Assert.That(maxLevels, Is.LessThanOrEqualTo(1), "more than 1/255 from torchvision");
        Assert.That(maxTensorDiff, Is.LessThanOrEqualTo(1.0 / 255 / 0.224 + 1e-5));
    }

    [TestCaseSource(nameof(Jpeg))]
    public void Jpeg_DecoderDifferencesStaySmall(string file)
    {
        var (crop, _, _, oursCrop) = Load(file);
        int maxLevels = 0; double sum = 0;
        for (int i = 0; i < oursCrop.Pixels.Length; i++)
        {
            int d = Math.Abs(oursCrop.Pixels[i] - (int)crop.Floats[i]);
            maxLevels = Math.Max(maxLevels, d);
            sum += d;
        }
        double mean = sum / oursCrop.Pixels.Length;
        TestContext.Progress.WriteLine($"preprocess {file} (JPEG, ImageSharp vs libjpeg-turbo decode): max |Δ| {maxLevels} levels, mean |Δ| {mean:F3} levels");
        Assert.That(mean, Is.LessThan(0.25), "mean difference should stay well below one level");
        Assert.That(maxLevels, Is.LessThanOrEqualTo(4), "decoder rounding, not a pipeline error");
    }

    [Test]
    public void CmykJpeg_ConvertsToRgbLikePil()
    {
        string jpeg = Path.Combine(Folder, "astronaut_cmyk.jpg");
        References.Require(jpeg, References.RunTestScript);
        var decoder = new ImageSharpDecoder();
        RgbImage image = ImageFiles.Read(jpeg, decoder, decoder.Limits);
        Tensor pil = NpyFile.Read(Path.Combine(Folder, "astronaut_cmyk.rgb.npy"));
        Assert.That(pil.Shape(), Is.EqualTo(new[] { image.Height, image.Width, 3 }));
        double sum = 0; int max = 0;
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            int d = Math.Abs(image.Pixels[i] - (int)pil.Floats[i]);
            sum += d; max = Math.Max(max, d);
        }
        TestContext.Progress.WriteLine($"CMYK JPEG vs PIL: max |Δ| {max} levels, mean |Δ| {sum / image.Pixels.Length:F3}");
        Assert.That(sum / image.Pixels.Length, Is.LessThan(2.0), "CMYK must decode to the same colours, up to rounding");
    }

    [TestCase(500, 375, 256, 341, 256)]
    [TestCase(375, 500, 256, 256, 341)]
    [TestCase(256, 256, 256, 256, 256)]
    [TestCase(1411, 1411, 224, 224, 224)]
    public void ResizedSize_FollowsTorchvision(int w, int h, int shorter, int ew, int eh) =>
        Assert.That(ImagePreprocessor.ResizedSize(w, h, shorter), Is.EqualTo((ew, eh)));

    [Test]
    public void Resample_Identity_ReturnsSamePixels()
    {
        var random = new Random(3);
        byte[] pixels = new byte[7 * 5 * 3];
        random.NextBytes(pixels);
        var image = new RgbImage(7, 5, pixels);
        Assert.That(BilinearResampler.Resize(image, 7, 5).Pixels, Is.EqualTo(pixels));
    }

    [Test]
    public void Resample_Upscale_ConstantImageStaysConstant()
    {
        var image = new RgbImage(3, 2, Enumerable.Repeat((byte)77, 18).ToArray());
        Assert.That(BilinearResampler.Resize(image, 10, 9).Pixels, Is.All.EqualTo((byte)77));
    }
}
