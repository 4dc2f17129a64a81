using System.Diagnostics;
using Cardinal.Formats.Vectors;

namespace Cardinal.Tests.Vectors;

/// <summary>
/// A shard written again after its first writer was killed mid-write: the dead writer's temporaries go, a live
/// writer's stay (ClusterTests' killed silo had left one behind, and the output folder differed from one process's).
/// </summary>
[TestFixture]
public class EmbeddingShardsTests
{
    [Test]
    public void Write_RemovesTheShardsTemporariesOfDeadWritersOnly()
    {
        var folder = Directory.CreateTempSubdirectory("cardinal-shards-");
        try
        {
            // A process id that is certainly gone: a child that has exited.
            using var child = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
            child.WaitForExit();
            int dead = child.Id;
            string stale = Path.Combine(folder.FullName, $"part-00001.files.txt.{dead}.0123456789abcdef0123456789abcdef.tmp");
            string live = Path.Combine(folder.FullName, $"part-00001.npy.{Environment.ProcessId}.fedcba9876543210fedcba9876543210.tmp");
            string other = Path.Combine(folder.FullName, $"part-00002.npy.{dead}.00000000000000000000000000000000.tmp");
            foreach (string f in new[] { stale, live, other }) File.WriteAllText(f, "half");

            EmbeddingShards.Write(folder.FullName, 1, new float[] { 1, 2, 3, 4 }, 2, ["a.jpg", "b.jpg"], []);

            Assert.That(File.Exists(stale), Is.False, "the dead writer's temporary of this shard is removed");
            Assert.That(File.Exists(live), Is.True, "a running writer's temporary is left alone");
            Assert.That(File.Exists(other), Is.True, "another shard's temporaries are that shard's writer's business");
            Assert.That(EmbeddingShards.IsComplete(folder.FullName, 1), Is.True);
        }
        finally { folder.Delete(recursive: true); }
    }
}
