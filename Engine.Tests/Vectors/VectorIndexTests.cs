using Cardinal.Formats.Vectors;

namespace Cardinal.Tests.Vectors;

/// <summary>The index file: round trip, and every kind of damage refused with a message naming the file and the fault.</summary>
[TestFixture]
public class VectorIndexTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("cardinal-index-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string WriteSample(out string[] keys, out float[] raw, int rows = 50, int dim = 12)
    {
        keys = Enumerable.Range(0, rows).Select(i => $"/photos/é{i}.jpg").ToArray();
        raw = ExactSearchTests.RandomUnitRows(rows, dim, seed: 3);
        for (int i = 0; i < raw.Length; i++) raw[i] *= 1 + i % 5;   // not normalised: the writer must do it
        raw.AsSpan(7 * dim, dim).Clear();                            // a zero row stays zero
        string path = Path.Combine(_dir, "sample.cvi");
        var blocks = new[] { raw.AsMemory(0, 20 * dim), raw.AsMemory(20 * dim) }.Select(m => (ReadOnlyMemory<float>)m);
        VectorIndexFile.Write(path, "model-x", dim, keys, blocks);
        return path;
    }

    [Test]
    public void WriteThenOpen_GivesKeysModelAndNormalisedRows()
    {
        string path = WriteSample(out var keys, out var raw);
        using var index = VectorIndex.Open(path);
        Assert.That(index.Model, Is.EqualTo("model-x"));
        Assert.That(index.Dimension, Is.EqualTo(12));
        Assert.That(index.Count, Is.EqualTo(50));
        Assert.That(index.Keys, Is.EqualTo(keys));
        for (int r = 0; r < 50; r++)
        {
            var row = index.Row(r).ToArray();
            double norm = Math.Sqrt(raw.Skip(r * 12).Take(12).Sum(v => (double)v * v));
            var expected = raw.Skip(r * 12).Take(12).Select(v => norm == 0 ? 0f : (float)(v / norm)).ToArray();
            Assert.That(row, Is.EqualTo(expected).Within(1e-6f), $"row {r}");
        }
        Assert.That(Directory.EnumerateFiles(_dir), Has.Exactly(1).Items, "no temporary left");
        Assert.That(() => index.CheckCompatible("model-x", 13), Throws.TypeOf<VectorFormatException>().With.Message.Contains("12-d"));
        Assert.That(() => index.CheckCompatible("model-y", 12), Throws.TypeOf<VectorFormatException>().With.Message.Contains("model-x"));
    }

    [Test]
    public void Search_MatchesBruteForceCosine_BestFirst_AndRefusesBadQueries()
    {
        string path = WriteSample(out var keys, out var raw);
        using var index = VectorIndex.Open(path);
        float[] query = ExactSearchTests.RandomUnitRows(1, 12, seed: 9);
        // The reference: cosine of the query with every raw row, in double, sorted best first (ties in row order).
        var expected = Enumerable.Range(0, 50).Select(r =>
        {
            double dot = 0, norm = 0;
            for (int j = 0; j < 12; j++) { dot += (double)query[j] * raw[r * 12 + j]; norm += (double)raw[r * 12 + j] * raw[r * 12 + j]; }
            return (Row: r, Score: norm == 0 ? 0 : dot / Math.Sqrt(norm));
        }).OrderByDescending(x => x.Score).ThenBy(x => x.Row).ToArray();
        var found = index.Search(query, 10);
        Assert.That(found.Select(m => m.Row), Is.EqualTo(expected.Take(10).Select(x => (long)x.Row)));
        for (int i = 0; i < 10; i++)
        {
            Assert.That(found[i].Key, Is.EqualTo(keys[found[i].Row]));
            Assert.That(found[i].Score, Is.EqualTo(expected[i].Score).Within(1e-5));
        }
        Assert.That(index.Search(query, 500), Has.Count.EqualTo(50), "k past the rows: every row once");
        Assert.That(() => index.Search(new float[11], 3), Throws.ArgumentException.With.Message.Contains("12-d"));
        Assert.That(() => index.Search(query, 0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    private static IEnumerable<TestCaseData> Damage()
    {
        yield return new TestCaseData("truncated", (Func<byte[], byte[]>)(b => b[..^100]), "truncated");
        yield return new TestCaseData("half header", (Func<byte[], byte[]>)(b => b[..30]), "header");
        yield return new TestCaseData("empty", (Func<byte[], byte[]>)(_ => []), "header");
        yield return new TestCaseData("trailing bytes", (Func<byte[], byte[]>)(b => [.. b, 0, 0, 0, 0]), "trailing");
        yield return new TestCaseData("bad magic", (Func<byte[], byte[]>)(b => Flip(b, 1)), "magic");
        yield return new TestCaseData("header byte", (Func<byte[], byte[]>)(b => Flip(b, 17)), "header checksum");
        yield return new TestCaseData("vector byte", (Func<byte[], byte[]>)(b => Flip(b, b.Length - 40)), "checksum mismatch");
        yield return new TestCaseData("key byte", (Func<byte[], byte[]>)(b => Flip(b, 64 + 7 + 8 * 51 + 3)), "checksum mismatch");
        yield return new TestCaseData("end marker", (Func<byte[], byte[]>)(b => Flip(b, b.Length - 2)), "end marker");
    }

    private static byte[] Flip(byte[] b, int at)
    {
        var copy = (byte[])b.Clone();
        copy[at] ^= 0x40;
        return copy;
    }

    [TestCaseSource(nameof(Damage))]
    public void Open_DamagedFile_IsRefusedClearly(string what, Func<byte[], byte[]> damage, string message)
    {
        string path = WriteSample(out _, out _);
        File.WriteAllBytes(path, damage(File.ReadAllBytes(path)));
        var e = Assert.Throws<VectorFormatException>(() => VectorIndex.Open(path).Dispose(), what)!;
        Assert.That(e.Message, Does.StartWith(path).And.Contain(message), what);
    }

    [Test]
    public void Open_HeaderClaimingHugeSizes_IsRefusedBeforeAllocating()
    {
        // A well-formed header (its checksum recomputed) whose count says 2^40 vectors: refused from the file length.
        string path = WriteSample(out _, out _);
        byte[] b = File.ReadAllBytes(path);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16), 1L << 40);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(48), System.IO.Hashing.XxHash3.HashToUInt64(b.AsSpan(0, 48)));
        File.WriteAllBytes(path, b);
        var e = Assert.Throws<VectorFormatException>(() => VectorIndex.Open(path).Dispose())!;
        Assert.That(e.Message, Does.Contain("cannot fit"));
        Assert.That(() => VectorIndex.Open(Path.Combine(_dir, "none.cvi")), Throws.TypeOf<VectorFormatException>().With.Message.Contains("not found"));
    }

    [Test]
    public void Write_MoreOrFewerRowsThanKeys_IsRefused_AndLeavesNoFile()
    {
        string path = Path.Combine(_dir, "bad.cvi");
        Assert.Throws<VectorFormatException>(() => VectorIndexFile.Write(path, "m", 2, ["a", "b"], [new float[] { 1, 0 }]));
        Assert.Throws<VectorFormatException>(() => VectorIndexFile.Write(path, "m", 2, ["a"], [new float[] { 1, 0, 0, 1 }]));
        Assert.That(Directory.EnumerateFiles(_dir), Is.Empty);
    }
}
