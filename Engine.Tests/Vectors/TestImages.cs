using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Cardinal.Tests.Vectors;

/// <summary>Small synthetic photos (seeded noise over a gradient, PNG) and one broken file, for the shard jobs.</summary>
internal static class TestImages
{
    public static List<string> Write(string folder, int count, int seed, bool withBroken = true, int size = 40)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        var files = new List<string>();
        for (int i = 0; i < count; i++)
        {
            using var image = new Image<Rgb24>(size + i % 7, size);
            for (int y = 0; y < image.Height; y++)
                for (int x = 0; x < image.Width; x++)
                    image[x, y] = new Rgb24((byte)(x * 5 + random.Next(40)), (byte)(y * 5 + random.Next(40)), (byte)random.Next(256));
            string path = Path.Combine(folder, $"img{i:D5}.png");
            image.SaveAsPng(path);
            files.Add(path);
        }
        if (withBroken)
        {
            string broken = Path.Combine(folder, $"img{count / 2:D5}-broken.jpg");
            File.WriteAllBytes(broken, [0xFF, 0xD8, 0xFF, 0x00, 0x01, 0x02]);
            files.Add(broken);
        }
        return files;
    }

    /// <summary>Every file of two folders, byte for byte: the same names, the same contents.</summary>
    public static void AssertSameFiles(string expected, string actual)
    {
        var a = Directory.EnumerateFiles(expected).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        var b = Directory.EnumerateFiles(actual).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        Assert.That(b, Is.EqualTo(a), "file names differ");
        foreach (string name in a)
            Assert.That(File.ReadAllBytes(Path.Combine(actual, name)), Is.EqualTo(File.ReadAllBytes(Path.Combine(expected, name))), $"{name} differs");
    }
}
