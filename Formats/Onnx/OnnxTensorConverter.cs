using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using Cardinal.Tensors;

namespace Cardinal.Formats.Onnx;

/// <summary>
/// Turns a TensorProto into an engine <see cref="Tensor"/>. Sizes are validated before anything is
/// allocated: the declared shape must fit one array, and the data present must match it exactly.
/// </summary>
internal static class OnnxTensorConverter
{
    public static ElementType? ToElementType(int onnxType) => onnxType switch
    {
        1 => ElementType.Float32,
        2 => ElementType.UInt8,
        3 => ElementType.Int8,
        4 => ElementType.UInt16,
        5 => ElementType.Int16,
        6 => ElementType.Int32,
        7 => ElementType.Int64,
        9 => ElementType.Bool,
        11 => ElementType.Float64,
        12 => ElementType.UInt32,
        13 => ElementType.UInt64,
        _ => null,
    };

    public static string OnnxTypeName(int onnxType) => onnxType switch
    {
        0 => "undefined", 8 => "string", 10 => "float16", 14 => "complex64", 15 => "complex128", 16 => "bfloat16",
        17 or 18 or 19 or 20 => "float8", 21 or 22 => "int4",
        _ => ToElementType(onnxType)?.Name() ?? $"type {onnxType}",
    };

    /// <param name="baseDirectory">Folder that external-data locations are relative to; null refuses external data.</param>
    /// <param name="proto">The TensorProto record.</param>
    /// <param name="context">Where the tensor sits (e.g. "initializer"), for error messages.</param>
    public static Tensor ToTensor(OnnxTensor proto, string? baseDirectory, string context) => ToTensor(proto, baseDirectory, context, adopt: false);

    /// <param name="adopt">Use the record's decoded float array as the tensor's storage instead of copying it
    /// (the importer does this when the record is private to it and let go afterwards).</param>
    /// <param name="proto">The TensorProto record.</param>
    /// <param name="baseDirectory">Folder that external-data locations are relative to; null refuses external data.</param>
    /// <param name="context">Where the tensor sits (e.g. "initializer"), for error messages.</param>
    internal static Tensor ToTensor(OnnxTensor proto, string? baseDirectory, string context, bool adopt)
    {
        string what = $"{context} tensor '{proto.Name}'";
        ElementType type = ToElementType(proto.DataType)
            ?? throw new UnsupportedModelException($"{what} has element type {OnnxTypeName(proto.DataType)}, which Cardinal does not support.");
        if (proto.HasSegment) throw new UnsupportedModelException($"{what} is segmented; segmented tensors are not supported.");
        long count = TensorShape.CheckedElementCount(CollectionsMarshal.AsSpan(proto.Dims), what);
        int[] dims = proto.Dims.Select(d => (int)d).ToArray();
        int size = type.SizeInBytes();

        if (proto.IsExternal)
        {
            byte[] bytes = ReadExternal(proto, baseDirectory, what, count * size);
            return FromBytes(type, dims, bytes);
        }
        if (proto.RawFloats is { } floats)
        {
            if (type != ElementType.Float32 || floats.LongLength != count)
                throw new ModelFormatException($"{what}: raw_data holds {floats.LongLength * sizeof(float)} bytes but shape {TensorShape.Format(dims)} of {type.Name()} needs {count * size}.");
            return Tensor.Wrap(ElementType.Float32, dims, adopt ? floats : (float[])floats.Clone());
        }
        if (proto.RawData is { } raw)
        {
            if (raw.LongLength != count * size)
                throw new ModelFormatException($"{what}: raw_data holds {raw.LongLength} bytes but shape {TensorShape.Format(dims)} of {type.Name()} needs {count * size}.");
            return FromBytes(type, dims, raw);
        }

        Tensor t = Tensor.Create(type, dims);
        int present = type switch
        {
            ElementType.Float32 => proto.FloatData.Count,
            ElementType.Float64 => proto.DoubleData.Count,
            ElementType.Int64 => proto.Int64Data.Count,
            ElementType.UInt32 or ElementType.UInt64 => proto.UInt64Data.Count,
            _ => proto.Int32Data.Count,
        };
        if (present != count)
            throw new ModelFormatException($"{what}: holds {present} values but shape {TensorShape.Format(dims)} needs {count}.");
        switch (type)
        {
            case ElementType.Float32: CollectionsMarshal.AsSpan(proto.FloatData).CopyTo(t.Span<float>()); break;
            case ElementType.Float64: CollectionsMarshal.AsSpan(proto.DoubleData).CopyTo(t.Span<double>()); break;
            case ElementType.Int64: CollectionsMarshal.AsSpan(proto.Int64Data).CopyTo(t.Span<long>()); break;
            case ElementType.UInt64: CollectionsMarshal.AsSpan(proto.UInt64Data).CopyTo(t.Span<ulong>()); break;
            case ElementType.UInt32: Fill(t.Span<uint>(), proto.UInt64Data, v => (uint)v); break;
            case ElementType.Int32: Fill(t.Span<int>(), proto.Int32Data, v => (int)v); break;
            case ElementType.Int16: Fill(t.Span<short>(), proto.Int32Data, v => (short)v); break;
            case ElementType.Int8: Fill(t.Span<sbyte>(), proto.Int32Data, v => (sbyte)v); break;
            case ElementType.UInt16: Fill(t.Span<ushort>(), proto.Int32Data, v => (ushort)v); break;
            case ElementType.UInt8: Fill(t.Span<byte>(), proto.Int32Data, v => (byte)v); break;
            case ElementType.Bool: Fill(t.Span<bool>(), proto.Int32Data, v => v != 0); break;
        }
        return t;
    }

    private static void Fill<TSource, T>(Span<T> into, List<TSource> from, Func<TSource, T> convert)
    {
        for (int i = 0; i < into.Length; i++) into[i] = convert(from[i]);
    }

    private static Tensor FromBytes(ElementType type, int[] dims, byte[] bytes)
    {
        Tensor t = Tensor.Create(type, dims);
        // ONNX stores raw data little-endian, as is every platform .NET runs Cardinal on.
        bytes.AsSpan().CopyTo(t.Bytes);
        if (type == ElementType.Bool)
            foreach (ref bool b in t.Span<bool>()) b = Unsafe.As<bool, byte>(ref b) != 0;
        return t;
    }

    private static byte[] ReadExternal(OnnxTensor proto, string? baseDirectory, string what, long expectedBytes)
    {
        if (baseDirectory is null) throw new ModelFormatException($"{what} uses external data, but the model was not loaded from a file.");
        if (!proto.ExternalData.TryGetValue("location", out string? location) || location.Length == 0)
            throw new ModelFormatException($"{what}: external data has no location.");
        if (Path.IsPathRooted(location) || location.Contains('\0'))
            throw new ModelFormatException($"{what}: external data location '{location}' must be relative to the model's folder.");
        string root = Path.GetFullPath(baseDirectory);
        string full = Path.GetFullPath(Path.Combine(root, location));
        if (!full.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ModelFormatException($"{what}: external data location '{location}' escapes the model's folder.");
        long offset = ParseLong(proto, "offset", 0, what);
        long length = ParseLong(proto, "length", -1, what);
        if (length >= 0 && length != expectedBytes)
            throw new ModelFormatException($"{what}: external data length {length} differs from the {expectedBytes} bytes its shape needs.");
        try
        {
            using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (offset < 0 || offset + expectedBytes > stream.Length)
                throw new ModelFormatException($"{what}: external file '{location}' has {stream.Length} bytes; the tensor needs {expectedBytes} from offset {offset}.");
            var bytes = new byte[expectedBytes];
            stream.Position = offset;
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (IOException e) { throw new ModelFormatException($"{what}: cannot read external data '{location}' ({e.Message}).", e); }
        catch (UnauthorizedAccessException e) { throw new ModelFormatException($"{what}: cannot read external data '{location}' ({e.Message}).", e); }
    }

    private static long ParseLong(OnnxTensor proto, string key, long fallback, string what)
    {
        if (!proto.ExternalData.TryGetValue(key, out string? text)) return fallback;
        return long.TryParse(text, out long v) && v >= 0 ? v : throw new ModelFormatException($"{what}: external data {key} '{text}' is not a valid number.");
    }
}
