using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cardinal.Formats.Vectors;

/// <summary>
/// What a streaming embed's output folder holds (<c>embed.json</c>): the model identity, the shard size, the
/// number of input files and a hash of their list. A rerun into the same folder must describe the same job,
/// or its finished shards would be mixed with another's; the index builder reads the model identity from it.
/// </summary>
public sealed record ShardManifest(string Model, int ShardSize, int FileCount, string ListHash)
{
    /// <summary>The manifest's file name in the output folder.</summary>
    public const string FileName = "embed.json";

    /// <summary>The number of shards the files make.</summary>
    public int ShardCount => (FileCount + ShardSize - 1) / ShardSize;

    internal static string HashList(IReadOnlyList<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string f in files) { hash.AppendData(Encoding.UTF8.GetBytes(f)); hash.AppendData("\n"u8); }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    internal void Write(string folder)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("model", Model);
            w.WriteNumber("shardSize", ShardSize);
            w.WriteNumber("files", FileCount);
            w.WriteString("listSha256", ListHash);
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        AtomicFile.Write(Path.Combine(folder, FileName), s => s.Write(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>The manifest of <paramref name="folder"/>, or null when it has none.</summary>
    public static ShardManifest? TryRead(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        if (new FileInfo(path).Length > 1 << 16) throw new VectorFormatException($"{path}: too large for a manifest.");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var r = doc.RootElement;
            return new ShardManifest(r.GetProperty("model").GetString()!, r.GetProperty("shardSize").GetInt32(),
                r.GetProperty("files").GetInt32(), r.GetProperty("listSha256").GetString()!);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new VectorFormatException($"{path}: not a valid embed manifest ({e.Message}).");
        }
    }
}
