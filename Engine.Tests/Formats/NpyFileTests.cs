using System.Text;
using Cardinal.Formats.Npy;
using Cardinal.Tensors;

namespace Cardinal.Tests.Formats;

[TestFixture]
public class NpyFileTests
{
    private static byte[] Npy(byte major, string header, int dataBytes)
    {
        var s = new MemoryStream();
        s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0]);
        byte[] h = Encoding.UTF8.GetBytes(header);
        if (major == 1) s.Write(BitConverter.GetBytes((ushort)h.Length)); else s.Write(BitConverter.GetBytes((uint)h.Length));
        s.Write(h);
        s.Write(new byte[dataBytes]);
        return s.ToArray();
    }

    private static Tensor Read(byte[] bytes) => NpyFile.Read(new MemoryStream(bytes), "test.npy");

    [TestCase((byte)1), TestCase((byte)2), TestCase((byte)3)]
    public void Read_EachFormatVersion_ReadsShape(byte major)
    {
        Tensor t = Read(Npy(major, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", 24));
        Assert.That(t.Shape(), Is.EqualTo(new[] { 2, 3 }));
    }

    [Test]
    public void WriteToPath_FailingHalfway_LeavesNoFileAndNoTemporary()
    {
        var folder = Directory.CreateTempSubdirectory("cardinal-npy-");
        try
        {
            string path = Path.Combine(folder.FullName, "out.npy");
            // Int8 has no .npy writer: the error comes after the file was opened for writing.
            Assert.Throws<NpyFormatException>(() => NpyFile.Write(path, Tensor.Create(ElementType.Int8, [4])));
            Assert.That(Directory.EnumerateFileSystemEntries(folder.FullName), Is.Empty, "no half-written file under the final name, no temporary");
            NpyFile.Write(path, Tensor.FromArray(new float[] { 1, 2, 3 }, 3));
            Assert.That(NpyFile.Read(path).Floats.ToArray(), Is.EqualTo(new float[] { 1, 2, 3 }));
            Assert.That(Directory.EnumerateFileSystemEntries(folder.FullName), Has.Exactly(1).Items);
        }
        finally { folder.Delete(recursive: true); }
    }

    [Test]
    public void WriteThenRead_RoundTrips()
    {
        var t = Tensor.FromArray(new float[] { 1.5f, -2, 3, float.NaN, 5, 6 }, 3, 1, 2);
        var s = new MemoryStream();
        NpyFile.Write(s, t);
        Assert.That(s.Length % 64, Is.EqualTo(24 % 64), "header padded to 64 bytes");
        Tensor back = Read(s.ToArray());
        Assert.That(back.Shape(), Is.EqualTo(t.Shape()));
        Assert.That(back.Floats.ToArray(), Is.EqualTo(t.Floats.ToArray()));
    }

    [Test]
    public void WriteThenRead_Scalar_RoundTrips()
    {
        var s = new MemoryStream();
        NpyFile.Write(s, Tensor.Scalar(4f));
        Assert.That(Read(s.ToArray()).Floats[0], Is.EqualTo(4f));
    }

    [TestCase("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8, "'>f4'")]
    [TestCase("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16, "'<f8'")]
    [TestCase("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16, "Fortran")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", 8, "needs 16")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 12, "needs 8")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000, 1000000), }", 0, "too large")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 0, "not a non-negative")]
    [TestCase("{'descr': '<f4', 'shape': (2,), }", 8, "lacks")]
    [TestCase("not a dict", 0, "not a dict")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", 8, "unexpected header key")]
    public void Read_BadHeader_ThrowsNpyFormatException(string header, int dataBytes, string expected)
    {
        Assert.That(() => Read(Npy(1, header + "\n", dataBytes)), Throws.TypeOf<NpyFormatException>().With.Message.Contains(expected));
    }

    [Test]
    public void Read_NotNpy_Throws() =>
        Assert.That(() => Read(Encoding.ASCII.GetBytes("hello world")), Throws.TypeOf<NpyFormatException>().With.Message.Contains("magic"));

    [Test]
    public void Read_UnknownVersion_Throws() =>
        Assert.That(() => Read(Npy(9, "{}", 0)), Throws.TypeOf<NpyFormatException>().With.Message.Contains("version 9"));

    [Test]
    public void Read_EveryTruncation_Throws()
    {
        var s = new MemoryStream();
        NpyFile.Write(s, Tensor.FromArray(new float[] { 1, 2, 3 }, 3));
        byte[] full = s.ToArray();
        for (int length = 0; length < full.Length; length++)
            Assert.That(() => Read(full[..length]), Throws.TypeOf<NpyFormatException>(), $"truncated to {length}");
    }
}
