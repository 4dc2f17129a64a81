using System.Diagnostics;
using System.Text.Json;
using Cardinal.Formats.Npy;
using Cardinal.Formats.Vectors;
using Cardinal.Kernels.Cpu.Search;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Vectors;

/// <summary>cardinal index build|query|dups and similar over an index; FAISS's exact index as the reference for neighbours.</summary>
[TestFixture]
public class IndexCliTests
{
    private TempCacheFolder? _temp;
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _temp = new TempCacheFolder("cardinal-indexcli-");
        _dir = _temp.Path;
    }

    [TearDown]
    public void TearDown() => _temp?.Dispose();

    private static (int Code, string Out, string Err) Cli(params string[] args) => CliRun.Run(args);

    [Test]
    public void BuildQueryDups_FromEmbedShards_FindTheImageItselfAndItsCopies()
    {
        References.Require(DefaultModelTests.ModelPath, "Build restores the default model.");
        string images = Path.Combine(_dir, "images");
        var files = TestImages.Write(images, 12, seed: 5, withBroken: false);
        File.Copy(files[3], Path.Combine(images, "copy-of-3.png"));
        string shards = Path.Combine(_dir, "shards"), index = Path.Combine(_dir, "photos.cvi");
        Assert.That(Cli("embed", images, "--out-dir", shards, "--shard-size", "5", "--threads", "2").Code, Is.EqualTo(0));
        var build = Cli("index", "build", shards, "--out", index);
        Assert.That(build.Code, Is.EqualTo(0), build.Err);
        Assert.That(build.Out, Does.Contain("13 vectors of 512 floats from 3 parts"));

        var query = Cli("index", "query", index, files[3], files[8], "--top", "3", "--json", "--threads", "2");
        Assert.That(query.Code, Is.EqualTo(0), query.Err);
        using (var doc = JsonDocument.Parse(query.Out))
        {
            var queries = doc.RootElement.GetProperty("queries").EnumerateArray().ToList();
            Assert.That(queries, Has.Count.EqualTo(2));
            var first = queries[0].GetProperty("results").EnumerateArray().Select(r => r.GetProperty("file").GetString()).ToList();
            Assert.That(first.Take(2), Is.EquivalentTo(new[] { Path.GetFullPath(files[3]), Path.Combine(images, "copy-of-3.png") }));
            Assert.That(queries[0].GetProperty("results")[0].GetProperty("cosine").GetDouble(), Is.EqualTo(1).Within(1e-5));
            Assert.That(queries[1].GetProperty("results")[0].GetProperty("file").GetString(), Is.EqualTo(Path.GetFullPath(files[8])));
        }

        // Synthetic noise images all look alike to ResNet; the exact copy is above any of them.
        var dups = Cli("index", "dups", index, "--threshold", "0.99999", "--json");
        Assert.That(dups.Code, Is.EqualTo(0), dups.Err);
        using (var doc = JsonDocument.Parse(dups.Out))
        {
            var groups = doc.RootElement.GetProperty("groups").EnumerateArray().ToList();
            Assert.That(groups, Has.Count.EqualTo(1));
            Assert.That(groups[0].GetProperty("files").EnumerateArray().Select(f => f.GetString()),
                Is.EquivalentTo(new[] { Path.GetFullPath(files[3]), Path.Combine(images, "copy-of-3.png") }));
        }

        // similar against the index leaves the query itself out: its copy comes first.
        var similar = Cli("similar", files[3], index, "--top", "2", "--json", "--threads", "2");
        Assert.That(similar.Code, Is.EqualTo(0), similar.Err);
        using (var doc = JsonDocument.Parse(similar.Out))
            Assert.That(doc.RootElement.GetProperty("results")[0].GetProperty("file").GetString(), Does.EndWith("copy-of-3.png"));
    }

    [Test]
    public void Query_WrongDimensionModelOrDamagedIndex_IsOneLineExit2()
    {
        string npy = Path.Combine(_dir, "emb.npy");
        NpyFile.Write(npy, Tensor.FromArray(ExactSearchTests.RandomUnitRows(4, 8, 1), 4, 8));
        File.WriteAllLines(Path.Combine(_dir, "emb.files.txt"), ["a", "b", "c", "d"]);
        string index = Path.Combine(_dir, "x.cvi");
        var noModel = Cli("index", "build", npy, "--out", index);
        Assert.That(noModel.Code, Is.EqualTo(2));
        Assert.That(noModel.Err, Does.Contain("--model-id"));
        Assert.That(Cli("index", "build", npy, "--out", index, "--model-id", "someone-else").Code, Is.EqualTo(0));

        string wrongDim = Path.Combine(_dir, "q.npy");
        NpyFile.Write(wrongDim, Tensor.FromArray(new float[6], 1, 6));
        var dim = Cli("index", "query", index, "--vectors", wrongDim);
        Assert.That(dim.Code, Is.EqualTo(2));
        Assert.That(dim.Err, Does.StartWith("cardinal: ").And.Contain("8-d"));

        if (File.Exists(DefaultModelTests.ModelPath))
        {
            string image = TestImages.Write(Path.Combine(_dir, "img"), 1, seed: 1, withBroken: false)[0];
            var model = Cli("index", "query", index, image);
            Assert.That(model.Code, Is.EqualTo(2));
            Assert.That(model.Err, Does.Contain("someone-else"));
        }

        File.WriteAllBytes(index, File.ReadAllBytes(index)[..^5]);
        var damaged = Cli("index", "query", index, "--vectors", wrongDim);
        Assert.That(damaged.Code, Is.EqualTo(2));
        Assert.That(damaged.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(damaged.Err, Does.Contain("truncated"));

        Assert.That(Cli("index", "frobnicate").Code, Is.EqualTo(2));
        Assert.That(Cli("index", "dups", index, "--threshold", "2").Code, Is.EqualTo(2));
    }

    /// <summary>
    /// The CI-sized version of the FAISS benchmark's neighbour check: 20,000 random 64-d unit vectors, 16
    /// queries, top-10 through `cardinal index query --vectors`, against FAISS's IndexFlatIP (python3-faiss).
    /// </summary>
    [Test]
    [CancelAfter(120_000)]
    public void Query_SameNeighboursAsFaissFlatIP()
    {
        References.Require("/usr/lib/python3/dist-packages/faiss", "Install python3-faiss (tools/install-references.sh does).");
        const int rows = 20_000, dim = 64, queries = 16, k = 10;
        string parts = Path.Combine(_dir, "vectors.npy");
        NpyFile.Write(parts, Tensor.FromArray(ExactSearchTests.RandomUnitRows(rows, dim, 21), rows, dim));
        File.WriteAllLines(Path.Combine(_dir, "vectors.files.txt"), Enumerable.Range(0, rows).Select(i => $"v{i}"));
        string index = Path.Combine(_dir, "v.cvi");
        Assert.That(Cli("index", "build", parts, "--out", index, "--model-id", "random").Code, Is.EqualTo(0));
        // FAISS gets the index's own normalised rows, so both search the very same floats.
        string normalised = Path.Combine(_dir, "normalised.npy");
        using (var opened = VectorIndex.Open(index))
        {
            var all = new float[rows * dim];
            for (int r = 0; r < rows; r++) opened.Row(r).CopyTo(all.AsSpan(r * dim));
            NpyFile.Write(normalised, Tensor.FromArray(all, rows, dim));
        }
        string q = Path.Combine(_dir, "queries.npy");
        NpyFile.Write(q, Tensor.FromArray(ExactSearchTests.RandomUnitRows(queries, dim, 22), queries, dim));

        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in (string[])[FaissScript, normalised, q, k.ToString(), Path.Combine(_dir, "faiss")]) info.ArgumentList.Add(a);
        info.Environment["OMP_NUM_THREADS"] = "2";
        using (var python = Process.Start(info)!)
        {
            string err = python.StandardError.ReadToEnd();
            Assert.That(python.WaitForExit(100_000), Is.True, "faiss did not finish");
            Assert.That(python.ExitCode, Is.EqualTo(0), err);
        }
        long[] ids = NpyFile.Read(Path.Combine(_dir, "faiss.ids.npy")).Span<long>().ToArray();
        float[] scores = NpyFile.Read(Path.Combine(_dir, "faiss.scores.npy")).Floats.ToArray();

        var ours = Cli("index", "query", index, "--vectors", q, "--top", k.ToString(), "--json", "--threads", "2");
        Assert.That(ours.Code, Is.EqualTo(0), ours.Err);
        using var doc = JsonDocument.Parse(ours.Out);
        var answers = doc.RootElement.GetProperty("queries").EnumerateArray().ToList();
        for (int i = 0; i < queries; i++)
        {
            var actual = answers[i].GetProperty("results").EnumerateArray()
                .Select(r => new Neighbour(long.Parse(r.GetProperty("file").GetString()![1..]), (float)r.GetProperty("cosine").GetDouble())).ToArray();
            var expected = Enumerable.Range(0, k).Select(j => new Neighbour(ids[i * k + j], scores[i * k + j])).ToArray();
            ExactSearchTests.AssertSameNeighbours(actual, expected, $"query {i}");
        }
    }

    private static string FaissScript
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tools", "index-bench", "faiss_topk.py");
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException("tools/index-bench/faiss_topk.py not found above the test folder");
        }
    }
}
