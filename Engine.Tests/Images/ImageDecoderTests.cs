using System.IO.Compression;
using Cardinal.Formats.Images;
using Cardinal.Tests.TestUtilities;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Cardinal.Tests.Images;

/// <summary>Broken, hostile and unusual images: each gets an <see cref="ImageDecodeException"/> naming the file, or decodes right.</summary>
[TestFixture]
public class ImageDecoderTests
{
    private readonly ImageSharpDecoder _decoder = new();

    private static byte[] Encode<TPixel>(Image<TPixel> image, bool png = true) where TPixel : unmanaged, IPixel<TPixel>
    {
        var s = new MemoryStream();
        if (png) image.SaveAsPng(s); else image.SaveAsJpeg(s, new JpegEncoder { Quality = 95 });
        return s.ToArray();
    }

    private static Image<Rgb24> Gradient(int w, int h)
    {
        var image = new Image<Rgb24>(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) image[x, y] = new Rgb24((byte)(x * 255 / Math.Max(1, w - 1)), (byte)(y * 255 / Math.Max(1, h - 1)), 128);
        return image;
    }

    [Test]
    public void ZeroBytes_Refused() =>
        Assert.That(() => _decoder.Decode([], "empty.png"), Throws.TypeOf<ImageDecodeException>().With.Message.Contains("empty.png").And.Message.Contains("empty"));

    [Test]
    public void RandomBytes_Refused()
    {
        var random = new Random(5);
        for (int i = 0; i < 50; i++)
        {
            byte[] bytes = new byte[random.Next(1, 5000)];
            random.NextBytes(bytes);
            Assert.That(() => _decoder.Decode(bytes, "noise.jpg"), Throws.TypeOf<ImageDecodeException>().With.Message.Contains("noise.jpg"));
        }
    }

    [Test]
    public void TruncatedJpeg_Reported()
    {
        byte[] jpeg = Encode(Gradient(64, 48), png: false);
        foreach (int keep in new[] { jpeg.Length / 2, jpeg.Length - 2, 200 })
            Assert.That(() => _decoder.Decode(jpeg[..keep], "cut.jpg"), Throws.TypeOf<ImageDecodeException>().With.Message.Contains("cut.jpg"), $"kept {keep}");
    }

    [Test]
    public void SkimageTruncatedJpeg_Reported()
    {
        string path = "/usr/lib/python3/dist-packages/skimage/data/truncated.jpg";
        References.Require(path, References.RunTestScript);
        Assert.That(() => ImageFiles.Read(path, _decoder, _decoder.Limits), Throws.TypeOf<ImageDecodeException>().With.Message.Contains("truncated"));
    }

    [Test]
    public void TruncatedPng_Reported()
    {
        byte[] png = Encode(Gradient(64, 48));
        Assert.That(() => _decoder.Decode(png[..(png.Length - 12)], "cut.png"), Throws.TypeOf<ImageDecodeException>().With.Message.Contains("cut.png"));
    }

    [Test]
    public void HugeDeclaredSize_RefusedFromHeader()
    {
        byte[] png = PngHeaderOnly(100_000, 100_000);
        long before = GC.GetTotalAllocatedBytes();
        Assert.That(() => _decoder.Decode(png, "huge.png"), Throws.TypeOf<ImageDecodeException>().With.Message.Contains("100000×100000"));
        Assert.That(GC.GetTotalAllocatedBytes() - before, Is.LessThan(64 << 20));
    }

    [Test]
    public void WrongExtension_ContentDecides()
    {
        string dir = Directory.CreateTempSubdirectory("cardinal-img-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "really-a-png.jpg"), Encode(Gradient(8, 8)));
            File.WriteAllText(Path.Combine(dir, "text.png"), "this is not an image");
            Assert.That(ImageFiles.Read(Path.Combine(dir, "really-a-png.jpg"), _decoder, _decoder.Limits).Width, Is.EqualTo(8));
            Assert.That(() => ImageFiles.Read(Path.Combine(dir, "text.png"), _decoder, _decoder.Limits),
                Throws.TypeOf<ImageDecodeException>().With.Message.Contains("text.png"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void Gif_DisabledByDefault_EnabledDecodesFirstFrame()
    {
        var s = new MemoryStream();
        using (var gif = Gradient(10, 6)) gif.SaveAsGif(s);
        Assert.That(() => _decoder.Decode(s.ToArray(), "anim.gif"), Throws.TypeOf<ImageDecodeException>().With.Message.Contains("enabled format"));
        RgbImage image = new ImageSharpDecoder(new ImageLimits { EnableGif = true }).Decode(s.ToArray(), "anim.gif");
        Assert.That((image.Width, image.Height), Is.EqualTo((10, 6)));
    }

    [Test]
    public void ExifOrientation_Applied()
    {
        using var image = Gradient(40, 20);
        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6); // rotate 90° clockwise to view
        RgbImage decoded = _decoder.Decode(Encode(image, png: false), "rotated.jpg");
        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((20, 40)));
    }

    [Test]
    public void SixteenBitAndGrey_BecomeRgb()
    {
        using var wide = new Image<Rgb48>(4, 2);
        wide[1, 0] = new Rgb48(65535, 0, 32896);
        RgbImage d = _decoder.Decode(Encode(wide), "deep.png");
        Assert.That(d.Pixels[3..6], Is.EqualTo(new byte[] { 255, 0, 128 }));
        using var grey = new Image<L8>(3, 3);
        grey[2, 2] = new L8(200);
        RgbImage g = _decoder.Decode(Encode(grey), "grey.png");
        Assert.That(g.Pixels[^3..], Is.EqualTo(new byte[] { 200, 200, 200 }));
    }

    [Test]
    public void PixelLimit_Configurable()
    {
        var strict = new ImageSharpDecoder(new ImageLimits { MaxPixels = 100 });
        Assert.That(() => strict.Decode(Encode(Gradient(11, 10)), "big.png"), Throws.TypeOf<ImageDecodeException>().With.Message.Contains("limit"));
    }

    /// <summary>A PNG signature and IHDR chunk (with a correct CRC) declaring width×height, and nothing else.</summary>
    private static byte[] PngHeaderOnly(int width, int height)
    {
        var ihdr = new List<byte>("IHDR"u8.ToArray());
        ihdr.AddRange(BigEndian(width)); ihdr.AddRange(BigEndian(height));
        ihdr.AddRange(new byte[] { 8, 2, 0, 0, 0 }); // 8-bit RGB
        var bytes = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        bytes.AddRange(BigEndian(13));
        bytes.AddRange(ihdr);
        bytes.AddRange(BigEndian((int)Crc32(ihdr.ToArray())));
        var idat = new List<byte>("IDAT"u8.ToArray());
        var z = new MemoryStream();
        using (var zlib = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true)) zlib.Write(new byte[64]);
        idat.AddRange(z.ToArray());
        bytes.AddRange(BigEndian(idat.Count - 4));
        bytes.AddRange(idat);
        bytes.AddRange(BigEndian((int)Crc32(idat.ToArray())));
        byte[] iend = "IEND"u8.ToArray();
        bytes.AddRange(BigEndian(0)); bytes.AddRange(iend); bytes.AddRange(BigEndian((int)Crc32(iend)));
        return bytes.ToArray();
    }

    private static byte[] BigEndian(int v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
