using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Cardinal.Tensors;

namespace Cardinal.Formats.Npy;

/// <summary>
/// NumPy .npy files (format versions 1.0, 2.0, 3.0): little-endian float32 or int64, C order.
/// The header is parsed strictly and the data size checked against the shape before allocating.
/// </summary>
public static class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int MaxHeaderBytes = 1 << 16;

    /// <summary>Reads a .npy file.</summary>
    public static Tensor Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return Read(stream, path);
        }
        catch (FileNotFoundException) { throw new NpyFormatException($"{path}: file not found."); }
        catch (DirectoryNotFoundException) { throw new NpyFormatException($"{path}: file not found."); }
        catch (UnauthorizedAccessException e) { throw new NpyFormatException($"{path}: cannot read ({e.Message})."); }
    }

    /// <summary>Reads a .npy array from a stream; <paramref name="source"/> names it in errors.</summary>
    public static Tensor Read(Stream stream, string source = "npy")
    {
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8 || !prefix[..6].SequenceEqual(Magic))
            throw new NpyFormatException($"{source}: not a .npy file (missing \\x93NUMPY magic).");
        byte major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            ReadExactly(stream, len, source, "header length");
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(len);
        }
        else if (major is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            ReadExactly(stream, len, source, "header length");
            uint l = BinaryPrimitives.ReadUInt32LittleEndian(len);
            if (l > MaxHeaderBytes) throw new NpyFormatException($"{source}: header of {l} bytes is implausibly large.");
            headerLength = (int)l;
        }
        else throw new NpyFormatException($"{source}: .npy format version {major}.{prefix[7]} is not supported (1.0–3.0 are).");

        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, source, "header");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (descr, fortran, dims) = ParseHeader(header, source);
        if (fortran) throw new NpyFormatException($"{source}: Fortran-order arrays are not supported; save with C order (np.ascontiguousarray).");
        ElementType type = descr switch
        {
            "<f4" => ElementType.Float32,
            "<i8" => ElementType.Int64,
            _ => throw new NpyFormatException($"{source}: dtype '{descr}' is not supported; Cardinal reads little-endian float32 ('<f4') and int64 ('<i8')."),
        };

        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0 || (d != 0 && count > TensorShape.MaxElements / d))
                throw new NpyFormatException($"{source}: shape ({string.Join(", ", dims)}) is too large.");
            count *= d;
        }
        long bytes = count * type.SizeInBytes();
        if (stream.CanSeek && stream.Length - stream.Position != bytes)
            throw new NpyFormatException($"{source}: shape ({string.Join(", ", dims)}) needs {bytes} data bytes but the file has {stream.Length - stream.Position}.");

        Tensor t = Tensor.Create(type, dims.Select(d => (int)d).ToArray());
        ReadExactly(stream, t.Bytes, source, "data");
        if (!stream.CanSeek && stream.ReadByte() != -1) throw new NpyFormatException($"{source}: trailing bytes after the data.");
        return t;
    }

    /// <summary>Writes a .npy file.</summary>
    public static void Write(string path, Tensor tensor) =>
        // A temporary name, renamed when complete: a reader (or a killed writer) never meets half a file at path.
        Vectors.AtomicFile.Write(path, stream => Write(stream, tensor));

    /// <summary>Writes a .npy array to a stream.</summary>
    public static void Write(Stream stream, Tensor tensor)
    {
        string descr = tensor.ElementType switch
        {
            ElementType.Float32 => "<f4",
            ElementType.Int64 => "<i8",
            _ => throw new NpyFormatException($"Writing {tensor.ElementType.Name()} to .npy is not supported."),
        };
        string shape = tensor.Rank switch
        {
            0 => "()",
            1 => $"({tensor.Dims[0]},)",
            _ => "(" + string.Join(", ", tensor.Shape()) + ")",
        };
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        // Pad so that magic + version + length + header is a multiple of 64, ending in '\n'.
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string header = dict + new string(' ', padded - total) + "\n";
        if (header.Length > ushort.MaxValue) throw new NpyFormatException("Shape too long for a .npy v1 header.");
        Span<byte> prefix = stackalloc byte[10];
        Magic.CopyTo(prefix);
        prefix[6] = 1; prefix[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(prefix[8..], (ushort)header.Length);
        stream.Write(prefix);
        stream.Write(Encoding.Latin1.GetBytes(header));
        stream.Write(tensor.Bytes);
    }

    private static void ReadExactly(Stream stream, Span<byte> into, string source, string what)
    {
        if (stream.ReadAtLeast(into, into.Length, throwOnEndOfStream: false) < into.Length)
            throw new NpyFormatException($"{source}: file ends inside the {what} (truncated).");
    }

    /// <summary>Parses the header's Python dict literal: 'descr', 'fortran_order' and 'shape', nothing else.</summary>
    private static (string Descr, bool Fortran, long[] Dims) ParseHeader(string header, string source)
    {
        string h = header.Trim().TrimEnd('\n').Trim();
        if (!h.StartsWith('{') || !h.EndsWith('}')) throw new NpyFormatException($"{source}: header is not a dict: {Clip(h)}");
        string? descr = null; bool? fortran = null; long[]? dims = null;
        int i = 1;
        while (true)
        {
            SkipSpace(h, ref i);
            if (h[i] == '}') break;
            string key = ReadQuoted(h, ref i, source);
            SkipSpace(h, ref i);
            if (h[i++] != ':') throw new NpyFormatException($"{source}: expected ':' after '{key}' in header.");
            SkipSpace(h, ref i);
            switch (key)
            {
                case "descr": descr = ReadQuoted(h, ref i, source); break;
                case "fortran_order":
                    if (h.AsSpan(i).StartsWith("True")) { fortran = true; i += 4; }
                    else if (h.AsSpan(i).StartsWith("False")) { fortran = false; i += 5; }
                    else throw new NpyFormatException($"{source}: fortran_order must be True or False.");
                    break;
                case "shape": dims = ReadTuple(h, ref i, source); break;
                default: throw new NpyFormatException($"{source}: unexpected header key '{key}'.");
            }
            SkipSpace(h, ref i);
            if (h[i] == ',') i++;
            else if (h[i] != '}') throw new NpyFormatException($"{source}: malformed header near position {i}.");
        }
        if (descr is null || fortran is null || dims is null)
            throw new NpyFormatException($"{source}: header lacks descr, fortran_order or shape: {Clip(h)}");
        return (descr, fortran.Value, dims);
    }

    private static void SkipSpace(string h, ref int i)
    {
        while (i < h.Length && char.IsWhiteSpace(h[i])) i++;
        if (i >= h.Length) throw new NpyFormatException("npy header ends unexpectedly.");
    }

    private static string ReadQuoted(string h, ref int i, string source)
    {
        char q = h[i];
        if (q is not ('\'' or '"')) throw new NpyFormatException($"{source}: expected a quoted string in header near position {i}.");
        int end = h.IndexOf(q, i + 1);
        if (end < 0) throw new NpyFormatException($"{source}: unterminated string in header.");
        string s = h[(i + 1)..end];
        i = end + 1;
        return s;
    }

    private static long[] ReadTuple(string h, ref int i, string source)
    {
        if (h[i] != '(') throw new NpyFormatException($"{source}: shape must be a tuple.");
        int end = h.IndexOf(')', i);
        if (end < 0) throw new NpyFormatException($"{source}: unterminated shape tuple.");
        string body = h[(i + 1)..end];
        i = end + 1;
        var parts = body.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return parts.Select(p => long.TryParse(p.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out long v)
            ? v : throw new NpyFormatException($"{source}: shape entry '{p}' is not a non-negative integer.")).ToArray();
    }

    private static string Clip(string s) => s.Length > 120 ? s[..120] + "…" : s;
}
