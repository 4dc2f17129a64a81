using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics.Tensors;
using System.Text;

namespace Cardinal.Formats.Vectors;

/// <summary>
/// The vector index file (<c>.cvi</c>), version 1, little-endian:
/// <code>
///   0  magic      89 'C' 'V' 'I' 0D 0A 1A 0A   (PNG-style: catches text-mode mangling)
///   8  u32        version (1)
///  12  u32        dimension D (1 … 65,536)
///  16  i64        count N
///  24  u32        model identity bytes M (≤ 4,096)
///  28  u32        flags (bit 0: rows are L2-normalised — always set by this writer)
///  32  i64        key blob bytes K
///  40  i64        vectors offset V (64-byte aligned)
///  48  u64        XxHash3 of bytes 0–47 (a corrupt header is refused before its sizes are believed)
///  56  u64        reserved, 0
///  64  M bytes    model identity, UTF-8
///      (N+1)×i64  key offsets into the blob (0 = first, N-th = K, non-decreasing)
///      K bytes    key blob, UTF-8
///      zeros      to V
///   V  N×D×f32    vectors, row-major
///      u64        XxHash3 of bytes 64 … end of vectors
///      8 bytes    "CVI-END\0"
/// </code>
/// A reader checks the header hash, bounds every size by the file's length before using it, requires the
/// length to be exactly V + 4·N·D + 16 (truncation or appended bytes), then hashes the body (streamed from the
/// mapping, bounded memory) against the trailer.
/// </summary>
public static class VectorIndexFile
{
    internal static ReadOnlySpan<byte> Magic => [0x89, (byte)'C', (byte)'V', (byte)'I', 0x0D, 0x0A, 0x1A, 0x0A];
    internal static ReadOnlySpan<byte> EndMagic => "CVI-END\0"u8;
    internal const int Version = 1, HeaderBytes = 64, TrailerBytes = 16, MaxModelBytes = 4_096;
    /// <summary>The largest vector dimension an index holds.</summary>
    public const int MaxDimension = 65_536;
    internal const uint FlagNormalised = 1;

    /// <summary>
    /// Writes an index of <paramref name="keys"/> and their vectors, which <paramref name="rows"/> yields in
    /// blocks of whole rows (D floats each) in key order. Every row is L2-normalised on the way (a zero row
    /// stays zero). Written to a temporary name and renamed.
    /// </summary>
    public static void Write(string path, string model, int dimension, IReadOnlyList<string> keys, IEnumerable<ReadOnlyMemory<float>> rows)
    {
        if (dimension < 1 || dimension > MaxDimension) throw new VectorFormatException($"{path}: dimension {dimension} is outside 1–{MaxDimension}.");
        byte[] modelBytes = Encoding.UTF8.GetBytes(model);
        if (modelBytes.Length > MaxModelBytes) throw new VectorFormatException($"{path}: the model identity is longer than {MaxModelBytes} bytes.");
        var blob = new MemoryStream();
        var offsets = new long[keys.Count + 1];
        for (int i = 0; i < keys.Count; i++)
        {
            byte[] k = Encoding.UTF8.GetBytes(keys[i]);
            blob.Write(k);
            offsets[i + 1] = blob.Length;
        }
        long keysBytes = blob.Length;
        long vectorsOffset = Align64(HeaderBytes + modelBytes.Length + 8L * offsets.Length + keysBytes);

        AtomicFile.Write(path, stream =>
        {
            var header = new byte[HeaderBytes];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Version);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), (uint)dimension);
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), keys.Count);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), (uint)modelBytes.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(28), FlagNormalised);
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(32), keysBytes);
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(40), vectorsOffset);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(48), XxHash3.HashToUInt64(header.AsSpan(0, 48)));
            stream.Write(header);

            var body = new XxHash3();
            void Put(ReadOnlySpan<byte> bytes) { stream.Write(bytes); body.Append(bytes); }
            Put(modelBytes);
            var offsetBytes = new byte[8 * offsets.Length];
            for (int i = 0; i < offsets.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(offsetBytes.AsSpan(8 * i), offsets[i]);
            Put(offsetBytes);
            Put(blob.GetBuffer().AsSpan(0, (int)keysBytes));
            Put(new byte[vectorsOffset - (HeaderBytes + modelBytes.Length + offsetBytes.Length + keysBytes)]);

            long written = 0;
            var row = new float[dimension];
            foreach (ReadOnlyMemory<float> block in rows)
            {
                if (block.Length % dimension != 0) throw new VectorFormatException($"{path}: a block of {block.Length} floats is not whole {dimension}-float rows.");
                for (int r = 0; r < block.Length / dimension; r++)
                {
                    if (written == keys.Count) throw new VectorFormatException($"{path}: more vectors than the {keys.Count} keys.");
                    Normalise(block.Span.Slice(r * dimension, dimension), row);
                    Put(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row.AsSpan()));
                    written++;
                }
            }
            if (written != keys.Count) throw new VectorFormatException($"{path}: {written} vectors for {keys.Count} keys.");
            var trailer = new byte[TrailerBytes];
            BinaryPrimitives.WriteUInt64LittleEndian(trailer, body.GetCurrentHashAsUInt64());
            EndMagic.CopyTo(trailer.AsSpan(8));
            stream.Write(trailer);
        });
    }

    /// <summary>dst = src / ‖src‖₂ (the norm summed in double); a zero or non-finite norm gives a zero row.</summary>
    public static void Normalise(ReadOnlySpan<float> src, Span<float> dst)
    {
        double sum = 0;
        foreach (float v in src) sum += (double)v * v;
        double norm = Math.Sqrt(sum);
        if (norm == 0 || !double.IsFinite(norm)) { dst[..src.Length].Clear(); return; }
        TensorPrimitives.Multiply(src, (float)(1.0 / norm), dst[..src.Length]);
    }

    internal static long Align64(long bytes) => (bytes + 63) / 64 * 64;
}
