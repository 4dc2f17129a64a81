using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cardinal.Cli;
using Cardinal.Cli.Commands;
using Cardinal.Cluster;
using Cardinal.Formats.Vectors;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cardinal.Tests.Vectors;

/// <summary>
/// The embedding cluster: three silos in this process with one stopped mid-item, and two `cardinal silo`
/// processes over a loopback redis-server with one SIGKILLed mid-job. Either way the shards equal a
/// single-process run's, byte for byte, every item is recorded once, and nothing half-written is left.
/// </summary>
[TestFixture, NonParallelizable]
public class ClusterTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        References.Require(DefaultModelTests.ModelPath, "Build restores the default model.");
        _dir = Directory.CreateTempSubdirectory("cardinal-cluster-").FullName;
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The job, its reference (a single-process run of the same shards) and its spec.</summary>
    private (List<string> Files, string Reference, EmbedJobSpec Spec) Prepare(int images, int shardSize)
    {
        string folder = Path.Combine(_dir, "images");
        TestImages.Write(folder, images, seed: 9);
        string reference = Path.Combine(_dir, "reference");
        var stdout = new StringWriter();
        int code = Cardinal.Cli.Cli.Execute(["embed", folder, "--out-dir", reference, "--shard-size", shardSize.ToString(), "--threads", "1"], stdout, stdout);
        Assert.That(code, Is.EqualTo(Cardinal.Cli.Cli.SomeImagesFailed), stdout.ToString());
        var files = new EmbedShardsOptions([folder], null, false, reference, shardSize, new ImageModelOptions(null, null, new BackendChoice(), false, false), false, null).Files();
        string modelId = ShardManifest.TryRead(reference)!.Model;
        string outDir = Path.Combine(_dir, "cluster");
        ShardedEmbedJob_Prepare(outDir, modelId, files, shardSize);
        var spec = new EmbedJobSpec
        {
            JobId = ClusterJobs.JobId(outDir, modelId, shardSize, files), OutDir = outDir, Files = [.. files], ShardSize = shardSize,
            Model = "default", ModelId = modelId, MaxConcurrency = 3, ItemTimeout = TimeSpan.FromMinutes(2), MaxAttempts = 6,
        };
        return (files, reference, spec);
    }

    private static void ShardedEmbedJob_Prepare(string outDir, string modelId, List<string> files, int shardSize) =>
        Cardinal.Embedding.ShardedEmbedJob.Prepare(outDir, modelId, files, shardSize);

    private static void AssertComplete(JobStatus status, EmbedJobSpec spec, string reference)
    {
        Assert.That(status.Error, Is.Null);
        Assert.That(status.Results.Select(r => r.Index), Is.EqualTo(Enumerable.Range(0, spec.ItemCount)), "every item recorded once");
        TestImages.AssertSameFiles(reference, spec.OutDir);   // also: no temporary left beside the shards
    }

    /// <summary>
    /// Counts the items a silo is embedding right now, so the test can stop it in the middle of one. A holding
    /// embedder never finishes an item: it waits until its silo stops (so the stop is mid-item by construction,
    /// not by a race with the item's end) and then fails it, as a silo stopped mid-write does.
    /// </summary>
    private sealed class WatchedEmbedder(IShardEmbedder inner, bool hold) : IShardEmbedder
    {
        private int _busy;
        public bool Busy => Volatile.Read(ref _busy) > 0;

        public (bool Written, long Embedded, int Failed) EmbedShard(WorkItem item, CancellationToken cancellation)
        {
            Interlocked.Increment(ref _busy);
            try
            {
                if (!hold) return inner.EmbedShard(item, cancellation);
                cancellation.WaitHandle.WaitOne(TimeSpan.FromMinutes(4));
                throw new OperationCanceledException("the silo stopped mid-item", cancellation);
            }
            finally { Interlocked.Decrement(ref _busy); }
        }
    }

    [Test]
    [CancelAfter(400_000)]
    public async Task InProcessCluster_ThreeSilos_OneStoppedMidItem_SameBytesAsOneProcess()
    {
        var (_, reference, spec) = Prepare(images: 36, shardSize: 4);
        int[] siloPorts = [FreePort(), FreePort(), FreePort()], gateways = [FreePort(), FreePort(), FreePort()];
        var embedders = new List<(CliShardEmbedder Inner, WatchedEmbedder Watched)>();
        var silos = new List<IHost>();
        IHost? client = null;
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var inner = new CliShardEmbedder(new ImageModelOptions(null, null, new BackendChoice { Threads = 1 }, false, false));
                var watched = new WatchedEmbedder(inner, hold: i == 2);
                embedders.Add((inner, watched));
                var settings = new ClusterSettings
                {
                    SiloPort = siloPorts[i], GatewayPort = gateways[i], PrimarySiloPort = siloPorts[0], FastFailureDetection = true,
                    ClusterId = "test-" + Path.GetFileName(_dir),
                };
                var silo = ClusterHosting.BuildSilo(settings, _ => watched);
                await silo.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
                silos.Add(silo);
            }
            client = ClusterHosting.BuildClient(new ClusterSettings { GatewayPort = gateways[0], ClusterId = "test-" + Path.GetFileName(_dir) });
            await client.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var grains = client.Services.GetRequiredService<IClusterClient>();

            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var job = ClusterJobs.RunAsync(grains, spec, cancellation: stop.Token);
            // Stop the third silo as soon as it holds an item, while the other two work through theirs.
            var clock = Stopwatch.StartNew();
            while (!embedders[2].Watched.Busy && !job.IsCompleted && clock.Elapsed < TimeSpan.FromMinutes(3))
                await Task.Delay(20);
            Assert.That(job.IsCompleted, Is.False, "the job ended before a silo could be stopped mid-item");
            Assert.That(embedders[2].Watched.Busy, Is.True, "the third silo never got an item");
            using (var hurry = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
                try { await silos[2].StopAsync(hurry.Token); } catch (OperationCanceledException) { }
            silos[2].Dispose();
            silos.RemoveAt(2);

            JobStatus status = await job;
            TestContext.Progress.WriteLine($"in-process cluster: {status.Results.Length} items, resumed {status.Resumes} times, retries: {string.Join(" | ", status.Retries)}");
            // The held item was redone: retried by the job, or the job itself lived on the stopped silo and was
            // resumed elsewhere from storage, dispatching its unfinished items again.
            Assert.That(status.Retries.Length + status.Resumes, Is.GreaterThan(0), "the stopped silo's item was not dispatched again");
            AssertComplete(status, spec, reference);
        }
        finally
        {
            if (client is not null) { await client.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)); client.Dispose(); }
            foreach (var silo in silos)
            {
                using var hurry = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try { await silo.StopAsync(hurry.Token); } catch (OperationCanceledException) { }
                silo.Dispose();
            }
            foreach (var e in embedders) e.Inner.Dispose();
        }
    }

    [Test]
    [CancelAfter(400_000)]
    public async Task TwoSiloProcesses_OverRedis_OneKilled_SameBytesAsOneProcess()
    {
        References.Require("/usr/bin/redis-server", "Install redis-server (tools/install-references.sh does).");
        Assert.That(File.Exists(CliProcess.Dll), Is.True, $"the cardinal executable is missing at {CliProcess.Dll}");
        var (_, reference, spec) = Prepare(images: 48, shardSize: 4);
        int redisPort = FreePort();
        string redis = $"127.0.0.1:{redisPort}";
        var processes = new List<Process>();
        IHost? client = null;
        var logs = new[] { new ConcurrentQueue<string>(), new ConcurrentQueue<string>(), new ConcurrentQueue<string>() };
        try
        {
            // A throwaway redis on a loopback port: no persistence, no config file, gone with the test.
            processes.Add(CliProcess.StartProgram("/usr/bin/redis-server",
                ["--port", redisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _dir], logs[0]));
            Assert.That(CliProcess.WaitFor(processes[0], () => logs[0].Any(l => l.Contains("Ready to accept connections")), TimeSpan.FromSeconds(30)), Is.True, "redis-server did not start");
            for (int i = 0; i < 2; i++)
            {
                var silo = CliProcess.Start(logs[i + 1], "silo", "--redis", redis, "--silo-port", FreePort().ToString(), "--gateway-port", FreePort().ToString(),
                    "--threads", "1", "--fast-failover");
                processes.Add(silo);
                int which = i + 1;
                Assert.That(CliProcess.WaitFor(silo, () => logs[which].Any(l => l.Contains("silo ready")), TimeSpan.FromSeconds(90)), Is.True, "a silo did not start");
                Assert.That(silo.HasExited, Is.False, string.Join("\n", logs[i + 1]));
            }
            client = ClusterHosting.BuildClient(new ClusterSettings { Redis = redis });
            await client.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var grains = client.Services.GetRequiredService<IClusterClient>();

            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            JobStatus? last = null;
            var job = ClusterJobs.RunAsync(grains, spec, s => last = s, cancellation: stop.Token);
            var clock = Stopwatch.StartNew();
            while (last is not { Done: >= 2 } && !job.IsCompleted && clock.Elapsed < TimeSpan.FromMinutes(3)) await Task.Delay(20);
            Assert.That(job.IsCompleted, Is.False, "the job ended before a silo could be killed");
            Assert.That(last!.Done, Is.LessThan(spec.ItemCount - 2), "too little of the job left to kill a silo mid-job");
            CliProcess.Kill(processes[2]);   // SIGKILL: no shutdown, its items and maybe the job grain die with it

            JobStatus status = await job;
            TestContext.Progress.WriteLine($"redis cluster: {status.Results.Length} items, resumed {status.Resumes} times, written by {string.Join(", ", status.Results.GroupBy(r => r.Silo).Select(g => $"{g.Key} ×{g.Count()}"))}; retries: {string.Join(" | ", status.Retries)}");
            AssertComplete(status, spec, reference);
            Assert.That(processes[1].HasExited, Is.False, "the surviving silo died");
        }
        catch
        {
            for (int i = 0; i < logs.Length; i++) TestContext.Progress.WriteLine($"--- process {i}:\n" + string.Join("\n", logs[i].TakeLast(40)));
            throw;
        }
        finally
        {
            if (client is not null)
            {
                try { await client.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)); } catch (TimeoutException) { }
                client.Dispose();
            }
            foreach (var p in processes.AsEnumerable().Reverse())
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.WaitForExit(30_000);
                p.Dispose();
            }
        }
    }
}
