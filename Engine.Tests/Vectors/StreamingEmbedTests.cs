using System.Text.Json;
using Cardinal.Formats.Npy;
using Cardinal.Formats.Vectors;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Vectors;

/// <summary>embed --out-dir: shards, resuming, and a real cardinal process killed mid-run then rerun.</summary>
[TestFixture]
public class StreamingEmbedTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        References.Require(DefaultModelTests.ModelPath, "Build restores the default model.");
        _dir = Directory.CreateTempSubdirectory("cardinal-shards-").FullName;
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Cli(params string[] args) => CliRun.Run(args);

    [Test]
    public void EmbedOutDir_Shards_EqualOneMatrixEmbed_AndReportBrokenImagePerShard()
    {
        string images = Path.Combine(_dir, "images");
        TestImages.Write(images, 20, seed: 1);
        string outDir = Path.Combine(_dir, "out");
        var run = Cli("embed", images, "--out-dir", outDir, "--shard-size", "8", "--threads", "2", "--json");
        Assert.That(run.Code, Is.EqualTo(4), run.Err);   // the broken image, reported, the rest embedded
        using (var doc = JsonDocument.Parse(run.Out))
        {
            Assert.That(doc.RootElement.GetProperty("shards").GetInt32(), Is.EqualTo(3));
            Assert.That(doc.RootElement.GetProperty("embedded").GetInt64(), Is.EqualTo(20));
            var errors = doc.RootElement.GetProperty("errors").EnumerateArray().ToList();
            Assert.That(errors, Has.Count.EqualTo(1));
            Assert.That(errors[0].GetProperty("file").GetString(), Does.EndWith("broken.jpg"));
        }
        // The broken file sorts into shard 1 (the 11th of 21 files): its errors file names it, the others are empty.
        Assert.That(File.ReadAllText(EmbeddingShards.ErrorsPath(outDir, 1)), Does.Contain("broken.jpg"));
        Assert.That(File.ReadAllText(EmbeddingShards.ErrorsPath(outDir, 0)), Is.Empty);

        var single = Cli("embed", images, "--out", Path.Combine(_dir, "emb.npy"), "--threads", "2");
        Assert.That(single.Code, Is.EqualTo(4), single.Err);
        float[] whole = NpyFile.Read(Path.Combine(_dir, "emb.npy")).Floats.ToArray();
        var parts = EmbeddingShards.Expand([outDir]).Select(EmbeddingShards.Read).ToList();
        Assert.That(parts.SelectMany(p => p.Vectors.Floats.ToArray()).ToArray(), Is.EqualTo(whole), "shards differ from the one-matrix embed");
        Assert.That(parts.SelectMany(p => p.Keys).ToArray(),
            Is.EqualTo(File.ReadAllLines(Path.Combine(_dir, "emb.files.txt")).Select(Path.GetFullPath).ToArray()));

        // A rerun finds every shard finished, writes nothing, and still reports the broken image.
        var again = Cli("embed", images, "--out-dir", outDir, "--shard-size", "8", "--threads", "2");
        Assert.That(again.Code, Is.EqualTo(4), again.Err);
        Assert.That(again.Out, Does.Contain("wrote 0 shards").And.Contain("3 already finished"));
        Assert.That(again.Err, Does.Contain("broken.jpg"));

        // Another job into the same folder is refused, naming both.
        var other = Cli("embed", images, "--out-dir", outDir, "--shard-size", "5");
        Assert.That(other.Code, Is.EqualTo(2));
        Assert.That(other.Err, Does.StartWith("cardinal: ").And.Contain("another job"));
    }

    [Test]
    public void EmbedOutDir_RecursiveAndFilesFrom_CollectTheSameFilesInOrder()
    {
        string images = Path.Combine(_dir, "images");
        TestImages.Write(Path.Combine(images, "a"), 3, seed: 2, withBroken: false);
        TestImages.Write(Path.Combine(images, "b", "c"), 2, seed: 3, withBroken: false);
        var flat = Cli("embed", images, "--out-dir", Path.Combine(_dir, "flat"));
        Assert.That(flat.Code, Is.EqualTo(2), "a folder of folders without --recursive holds no images");
        var recursive = Cli("embed", images, "--recursive", "--out-dir", Path.Combine(_dir, "rec"), "--threads", "2");
        Assert.That(recursive.Code, Is.EqualTo(0), recursive.Err);
        string[] keys = File.ReadAllLines(EmbeddingShards.FilesPath(Path.Combine(_dir, "rec"), 0));
        Assert.That(keys, Has.Length.EqualTo(5));
        Assert.That(keys, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));

        string list = Path.Combine(_dir, "list.txt");
        File.WriteAllLines(list, keys);
        var fromList = Cli("embed", "--files-from", list, "--out-dir", Path.Combine(_dir, "list"), "--threads", "2");
        Assert.That(fromList.Code, Is.EqualTo(0), fromList.Err);
        TestImages.AssertSameFiles(Path.Combine(_dir, "rec"), Path.Combine(_dir, "list"));

        Assert.That(Cli("embed", images, "--recursive").Code, Is.EqualTo(2), "--recursive needs --out-dir");
        Assert.That(Cli("embed", "--files-from", Path.Combine(_dir, "missing.txt"), "--out-dir", Path.Combine(_dir, "x")).Code, Is.EqualTo(2));
    }

    /// <summary>
    /// A real cardinal process is SIGKILLed three times at different points (right after start, after its first
    /// shard, after a few), each time rerun, then finished: the folder then equals an uninterrupted run's, byte
    /// for byte, and no temporary is left.
    /// </summary>
    [Test]
    [CancelAfter(300_000)]
    public void EmbedOutDir_KilledThenRerun_GivesTheSameBytesAsOneRun()
    {
        Assert.That(File.Exists(CliProcess.Dll), Is.True, $"the cardinal executable is missing at {CliProcess.Dll}");
        string images = Path.Combine(_dir, "images");
        TestImages.Write(images, 60, seed: 4);
        string expected = Path.Combine(_dir, "expected"), killed = Path.Combine(_dir, "killed");
        string[] common = ["--shard-size", "6", "--threads", "2"];
        var reference = Cli(["embed", images, "--out-dir", expected, .. common]);
        Assert.That(reference.Code, Is.EqualTo(4), reference.Err);

        int Finished() => Directory.Exists(killed) ? Directory.EnumerateFiles(killed, "part-*.npy").Count() : 0;
        foreach (Func<bool> when in (Func<bool>[])[() => true, () => Finished() >= 1, () => Finished() >= 4])
        {
            using var process = CliProcess.Start(["embed", images, "--out-dir", killed, .. common]);
            Assert.That(CliProcess.WaitFor(process, when, TimeSpan.FromSeconds(120)), Is.True, "the child made no progress in 2 minutes");
            Assert.That(process.HasExited, Is.False, "the child finished before it could be killed (make the job longer)");
            CliProcess.Kill(process);
        }
        int before = Finished();
        TestContext.Progress.WriteLine($"kill/rerun: {before} of 11 shards finished before the final run");
        Assert.That(before, Is.InRange(4, 10), "the kills did not land mid-job");
        var rerun = Cli(["embed", images, "--out-dir", killed, "--json", .. common]);
        Assert.That(rerun.Code, Is.EqualTo(4), rerun.Err);
        using (var doc = JsonDocument.Parse(rerun.Out))
            Assert.That(doc.RootElement.GetProperty("shardsSkipped").GetInt32(), Is.EqualTo(before));
        TestImages.AssertSameFiles(expected, killed);
    }
}
