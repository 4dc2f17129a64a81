using Cardinal.Formats.Vectors;

namespace Cardinal.Embedding;

/// <summary>What a shard job did: shards written now and found finished, images embedded, and every image's failure.</summary>
public sealed record ShardJobSummary(int ShardsWritten, int ShardsSkipped, long Embedded, int Dimension, IReadOnlyList<(string File, string Error)> Errors);

/// <summary>
/// The resumable streaming embed: images → shards in an output folder (<see cref="EmbeddingShards"/>).
/// Finished shards (their .npy present) are skipped, so a rerun after a kill redoes only the shards that were
/// not renamed into place. Each shard is cut into chunks from its own start, so its batches — and so its bytes —
/// do not depend on which other shards run, or in which process. Memory: one shard's vectors and the
/// embedder's few chunks, whatever the number of images.
/// </summary>
public static class ShardedEmbedJob
{
    /// <summary>
    /// Checks the folder's manifest against this job (or writes it), so a rerun cannot mix two jobs' shards.
    /// </summary>
    public static ShardManifest Prepare(string outDir, string model, IReadOnlyList<string> files, int shardSize)
    {
        if (shardSize < 1 || shardSize > ShardPlan.MaxShardSize) throw new CardinalException($"The shard size must be from 1 to {ShardPlan.MaxShardSize}; got {shardSize}.");
        Directory.CreateDirectory(outDir);
        var manifest = new ShardManifest(model, shardSize, files.Count, ShardManifest.HashList(files));
        var existing = ShardManifest.TryRead(outDir);
        if (existing is null) manifest.Write(outDir);
        else if (existing != manifest)
            throw new VectorFormatException($"{outDir} holds another job's shards ({Describe(existing)}; this job: {Describe(manifest)}). Use a new --out-dir, or empty this one.");
        return manifest;
    }

    private static string Describe(ShardManifest m) => $"model {m.Model}, {m.FileCount} files, shard size {m.ShardSize}, list {m.ListHash[..12]}";

    /// <summary>
    /// Embeds the <paramref name="shards"/> not yet finished in <paramref name="outDir"/> and writes each as it
    /// completes. <paramref name="progress"/> gets the number of images done (skipped shards count as done).
    /// </summary>
    public static ShardJobSummary Run(ImageEmbedder embedder, string outDir, IReadOnlyList<ShardWork> shards,
        Action<int>? progress = null, CancellationToken cancellation = default)
    {
        var errors = new List<(string File, string Error)>();
        int skipped = 0, written = 0, done = 0, dimension = 0;
        long embedded = 0;
        var pending = new List<ShardWork>();
        foreach (var shard in shards)
        {
            if (EmbeddingShards.IsComplete(outDir, shard.Index))
            {
                skipped++;
                done += shard.Files.Count;
                errors.AddRange(EmbeddingShards.ReadErrors(outDir, shard.Index));
            }
            else pending.Add(shard);
        }
        progress?.Invoke(done);

        var chunks = pending.SelectMany(s => ImageEmbedder.Chunk(s.Files, embedder.ChunkSize).Select((files, i) => (Tag: (Shard: s, Chunk: i), Files: files)));
        var open = new Dictionary<int, ShardBuffer>();
        foreach (var chunk in embedder.Embed(chunks, cancellation))
        {
            var (shard, _) = chunk.Tag;
            if (!open.TryGetValue(shard.Index, out var buffer)) open[shard.Index] = buffer = new ShardBuffer(shard);
            buffer.Add(chunk);
            done += chunk.Files.Count;
            progress?.Invoke(done);
            if (!buffer.Complete) continue;
            open.Remove(shard.Index);
            var (dim, count) = buffer.Write(outDir);
            if (dim > 0)
            {
                if (dimension != 0 && dim != dimension) throw new CardinalException($"The model's output changed size between shards ({dimension} then {dim}).");
                dimension = dim;
            }
            embedded += count;
            errors.AddRange(buffer.Errors);
            written++;
        }
        return new ShardJobSummary(written, skipped, embedded, dimension, errors);
    }

    /// <summary>One shard's results as its chunks arrive, in order.</summary>
    private sealed class ShardBuffer(ShardWork shard)
    {
        private readonly List<string> _files = [];
        private readonly List<float[]> _rows = [];
        private int _seen;

        public List<(string File, string Error)> Errors { get; } = [];
        public bool Complete => _seen == shard.Files.Count;

        public void Add(EmbeddedChunk<(ShardWork Shard, int Chunk)> chunk)
        {
            for (int i = 0; i < chunk.Files.Count; i++)
            {
                if (chunk.Errors[i] is { } error) Errors.Add((chunk.Files[i], error));
                else { _files.Add(chunk.Files[i]); _rows.Add(chunk.Outputs[i]!); }
            }
            _seen += chunk.Files.Count;
        }

        public (int Dim, int Count) Write(string outDir)
        {
            int dim = _rows.Count > 0 ? _rows[0].Length : 0;
            var matrix = new float[(long)_rows.Count * dim];
            for (int r = 0; r < _rows.Count; r++)
            {
                if (_rows[r].Length != dim) throw new CardinalException($"{_files[r]}: the model gave {_rows[r].Length} values where others gave {dim}.");
                _rows[r].CopyTo(matrix, (long)r * dim);
            }
            EmbeddingShards.Write(outDir, shard.Index, matrix, dim, _files, Errors);
            return (dim, _rows.Count);
        }
    }
}
