using System.Buffers.Binary;
using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using System.Text;

namespace Cardinal.Formats.Vectors;

/// <summary>One answer of <see cref="VectorIndex.Search"/>: the row, its key and its inner product with the query.</summary>
/// <param name="Row">The row in the index.</param>
/// <param name="Key">The row's key (its image path).</param>
/// <param name="Score">The inner product with the query (the cosine similarity, for a normalised query).</param>
public readonly record struct VectorMatch(long Row, string Key, float Score);

/// <summary>
/// An open vector index (format: <see cref="VectorIndexFile"/>): its keys in memory, its vectors memory-mapped
/// read-only, so a 2 GB index costs address space, not a 2 GB array. Thread-safe for readers.
/// </summary>
public sealed unsafe class VectorIndex : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly long _vectorsOffset;
    private bool _disposed;

    private VectorIndex(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* basePointer, int dimension, long count,
        string model, string[] keys, long vectorsOffset)
    {
        Path = path; _file = file; _view = view; _base = basePointer;
        Dimension = dimension; Count = count; Model = model; Keys = keys; _vectorsOffset = vectorsOffset;
    }

    /// <summary>The index file's path.</summary>
    public string Path { get; }
    /// <summary>Floats per vector.</summary>
    public int Dimension { get; }
    /// <summary>The number of vectors.</summary>
    public long Count { get; }
    /// <summary>The identity of the model that made the vectors (its file hash and preset, e.g. "3f2a…-imagenet").</summary>
    public string Model { get; }
    /// <summary>Each vector's key (its image path), in row order.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The N×D row-major normalised vectors; valid until the index is disposed.</summary>
    internal float* Vectors
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return (float*)(_base + _vectorsOffset);
        }
    }

    /// <summary>Vector <paramref name="i"/>, read from the mapped file.</summary>
    public ReadOnlySpan<float> Row(long i)
    {
        if ((ulong)i >= (ulong)Count) throw new ArgumentOutOfRangeException(nameof(i));
        return new ReadOnlySpan<float>(Vectors + i * Dimension, Dimension);
    }

    /// <summary>Opens and checks an index; <paramref name="verifyChecksum"/> also hashes every byte of it (~0.2 s per GB).</summary>
    public static VectorIndex Open(string path, bool verifyChecksum = true)
    {
        long length;
        var header = new byte[VectorIndexFile.HeaderBytes];
        try
        {
            using var stream = File.OpenRead(path);
            length = stream.Length;
            if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
                throw Bad(path, $"{length} bytes is shorter than the {VectorIndexFile.HeaderBytes}-byte header (truncated, or not an index)");
        }
        catch (FileNotFoundException) { throw new VectorFormatException($"{path}: index not found."); }
        catch (DirectoryNotFoundException) { throw new VectorFormatException($"{path}: index not found."); }
        catch (UnauthorizedAccessException e) { throw new VectorFormatException($"{path}: cannot read ({e.Message})."); }

        if (!header.AsSpan(0, 8).SequenceEqual(VectorIndexFile.Magic)) throw Bad(path, "not a Cardinal vector index (bad magic)");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
        if (version != VectorIndexFile.Version) throw Bad(path, $"format version {version}; this build reads version {VectorIndexFile.Version}");
        if (BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(48)) != XxHash3.HashToUInt64(header.AsSpan(0, 48)))
            throw Bad(path, "header checksum mismatch (corrupt)");
        uint dimension = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12));
        long count = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(16));
        uint modelBytes = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(24));
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(28));
        long keysBytes = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(32));
        long vectorsOffset = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(40));
        // Every size is bounded by the file's length before any is multiplied or allocated.
        if (dimension < 1 || dimension > VectorIndexFile.MaxDimension) throw Bad(path, $"dimension {dimension} is outside 1–{VectorIndexFile.MaxDimension}");
        if (modelBytes > VectorIndexFile.MaxModelBytes) throw Bad(path, $"model identity of {modelBytes} bytes");
        if ((flags & VectorIndexFile.FlagNormalised) == 0 || (flags & ~VectorIndexFile.FlagNormalised) != 0) throw Bad(path, $"unknown flags 0x{flags:x}");
        if (count < 0 || count > length / (4L * dimension)) throw Bad(path, $"{count} vectors of {dimension} floats cannot fit in {length} bytes (truncated?)");
        if (keysBytes < 0 || keysBytes > length) throw Bad(path, $"key blob of {keysBytes} bytes in a {length}-byte file");
        long expectedOffset = VectorIndexFile.Align64(VectorIndexFile.HeaderBytes + modelBytes + 8 * (count + 1) + keysBytes);
        if (vectorsOffset != expectedOffset) throw Bad(path, $"vectors offset {vectorsOffset}, expected {expectedOffset}");
        long expectedLength = vectorsOffset + 4L * dimension * count + VectorIndexFile.TrailerBytes;
        if (length != expectedLength)
            throw Bad(path, length < expectedLength
                ? $"{length} bytes, but its header describes {expectedLength} (truncated)"
                : $"{length} bytes, but its header describes {expectedLength} (trailing bytes)");
        if (count > Array.MaxLength - 1) throw Bad(path, $"{count} keys are more than one index can list");

        MemoryMappedFile? file = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            p += view.PointerOffset;
            if (!new ReadOnlySpan<byte>(p + length - 8, 8).SequenceEqual(VectorIndexFile.EndMagic)) throw Bad(path, "end marker missing (truncated or corrupt)");
            if (verifyChecksum)
            {
                var hash = new XxHash3();
                for (long at = VectorIndexFile.HeaderBytes, end = length - VectorIndexFile.TrailerBytes; at < end;)
                {
                    int chunk = (int)Math.Min(1 << 26, end - at);
                    hash.Append(new ReadOnlySpan<byte>(p + at, chunk));
                    at += chunk;
                }
                if (hash.GetCurrentHashAsUInt64() != BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(p + length - 16, 8)))
                    throw Bad(path, "checksum mismatch (corrupt)");
            }
            string model = Encoding.UTF8.GetString(p + VectorIndexFile.HeaderBytes, (int)modelBytes);
            long* offsets = (long*)(p + VectorIndexFile.HeaderBytes + modelBytes);
            byte* blob = (byte*)(offsets + count + 1);
            var keys = new string[count];
            long previous = 0;
            if (offsets[0] != 0) throw Bad(path, "key offsets do not start at 0");
            for (long i = 0; i < count; i++)
            {
                long next = offsets[i + 1];
                if (next < previous || next > keysBytes || next - previous > int.MaxValue) throw Bad(path, $"key {i} has offsets {previous}–{next} outside the {keysBytes}-byte blob");
                keys[i] = Encoding.UTF8.GetString(blob + previous, (int)(next - previous));
                previous = next;
            }
            if (previous != keysBytes) throw Bad(path, "key offsets do not end at the blob's end");
            return new VectorIndex(path, file, view, p, (int)dimension, count, model, keys, vectorsOffset);
        }
        catch
        {
            if (view is not null) { view.SafeMemoryMappedViewHandle.ReleasePointer(); view.Dispose(); }
            file?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The <paramref name="k"/> rows with the largest inner product with <paramref name="query"/>, best first (equal
    /// scores in row order; fewer when the index holds fewer rows): exact, over every row, with the CPU's widest
    /// vectors, on the calling thread. The rows are normalised, so for cosine similarity normalise the query first
    /// (<see cref="VectorIndexFile.Normalise"/>), as `cardinal index query` does.
    /// </summary>
    /// <exception cref="ArgumentException">The query is not <see cref="Dimension"/> floats, or k is less than 1.</exception>
    public IReadOnlyList<VectorMatch> Search(ReadOnlySpan<float> query, int k)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (query.Length != Dimension) throw new ArgumentException($"{Path}: the index holds {Dimension}-d vectors; the query has {query.Length} floats.", nameof(query));
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        var found = Cardinal.Kernels.Cpu.Search.ExactSearch.TopK(Vectors, Count, Dimension, query, 1, k)[0];
        var matches = new VectorMatch[found.Length];
        for (int i = 0; i < found.Length; i++) matches[i] = new VectorMatch(found[i].Index, Keys[(int)found[i].Index], found[i].Score);
        return matches;
    }

    /// <summary>Refuses to pair this index with vectors of another model or dimension.</summary>
    public void CheckCompatible(string model, int dimension)
    {
        if (!string.Equals(model, Model, StringComparison.Ordinal))
            throw new VectorFormatException($"{Path}: the index was built with model '{Model}'; the query uses '{model}'. Rebuild the index or pass the same --model/--preset.");
        if (dimension != Dimension) throw new VectorFormatException($"{Path}: the index holds {Dimension}-d vectors; the query's are {dimension}-d.");
    }

    private static VectorFormatException Bad(string path, string why) => new($"{path}: {why}.");

    /// <summary>Unmaps the file.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
