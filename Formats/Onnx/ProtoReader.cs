using System.Buffers.Binary;

namespace Cardinal.Formats.Onnx;

/// <summary>Protocol-buffer wire types (the low three bits of a tag).</summary>
internal enum WireType { Varint = 0, Fixed64 = 1, LengthDelimited = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5 }

/// <summary>
/// A forward-only reader of the protobuf wire format over one span. Every length is checked against the
/// bytes that remain before anything is sliced, so a truncated or hostile file ends in a
/// <see cref="ModelFormatException"/> naming <see cref="Context"/>, never in a crash or a huge allocation.
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data, string context)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position = 0;

    public string Context { get; } = context;
    public bool AtEnd => _position >= _data.Length;

    public bool TryReadTag(out int field, out WireType wireType)
    {
        if (AtEnd) { field = 0; wireType = 0; return false; }
        ulong tag = ReadVarint();
        return ProtoTag.Split(tag, out field, out wireType) ? true : throw Error($"invalid field number {tag >> 3}");
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _data.Length) throw Error("truncated varint");
            byte b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw Error("varint longer than 10 bytes");
    }

    public long ReadInt64() => (long)ReadVarint();

    public int ReadInt32()
    {
        long v = ReadInt64();
        // int32 fields are sign-extended to 64 bits on the wire.
        if (v < int.MinValue || v > int.MaxValue) throw Error($"int32 value {v} out of range");
        return (int)v;
    }

    public uint ReadFixed32()
    {
        if (_data.Length - _position < 4) throw Error("truncated fixed32");
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(_data[_position..]);
        _position += 4;
        return v;
    }

    public ulong ReadFixed64()
    {
        if (_data.Length - _position < 8) throw Error("truncated fixed64");
        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(_data[_position..]);
        _position += 8;
        return v;
    }

    public float ReadFloat() => BitConverter.UInt32BitsToSingle(ReadFixed32());

    /// <summary>A length-delimited field's bytes, as a slice of the input (no copy).</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
            throw Error($"field claims {length} bytes but only {_data.Length - _position} remain");
        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    /// <summary>The position in the underlying span, so callers can slice owned memory without copying.</summary>
    public int Position => _position;

    public string ReadString() => System.Text.Encoding.UTF8.GetString(ReadBytes());

    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: ReadFixed64(); break;
            case WireType.Fixed32: ReadFixed32(); break;
            case WireType.LengthDelimited: ReadBytes(); break;
            default: throw Error($"unsupported wire type {(int)wireType}");
        }
    }

    public void Expect(WireType actual, WireType expected, int field)
    {
        if (actual != expected) throw Error($"field {field} has wire type {(int)actual}, expected {(int)expected}");
    }

    public ModelFormatException Error(string what) => new($"{Context}: malformed protobuf ({what}).");
}

/// <summary>A tag is (field number &lt;&lt; 3) | wire type; field numbers are positive 32-bit values.</summary>
internal static class ProtoTag
{
    public static bool Split(ulong tag, out int field, out WireType wireType)
    {
        field = (int)(tag >> 3);
        wireType = (WireType)(tag & 7);
        return field > 0 && tag >> 3 <= int.MaxValue;
    }
}

/// <summary>Repeated scalar fields may arrive packed (one length-delimited run) or one value per tag.</summary>
internal static class RepeatedFields
{
    public static void ReadInt64s(ref ProtoReader reader, WireType wireType, List<long> into)
    {
        if (wireType == WireType.Varint) { into.Add(reader.ReadInt64()); return; }
        reader.Expect(wireType, WireType.LengthDelimited, 0);
        var packed = new ProtoReader(reader.ReadBytes(), reader.Context);
        while (!packed.AtEnd) into.Add(packed.ReadInt64());
    }

    public static void ReadFloats(ref ProtoReader reader, WireType wireType, List<float> into)
    {
        if (wireType == WireType.Fixed32) { into.Add(reader.ReadFloat()); return; }
        reader.Expect(wireType, WireType.LengthDelimited, 0);
        ReadOnlySpan<byte> bytes = reader.ReadBytes();
        if (bytes.Length % 4 != 0) throw reader.Error("packed float run is not a multiple of 4 bytes");
        for (int i = 0; i < bytes.Length; i += 4) into.Add(BinaryPrimitives.ReadSingleLittleEndian(bytes[i..]));
    }

    public static void ReadDoubles(ref ProtoReader reader, WireType wireType, List<double> into)
    {
        if (wireType == WireType.Fixed64) { into.Add(BitConverter.UInt64BitsToDouble(reader.ReadFixed64())); return; }
        reader.Expect(wireType, WireType.LengthDelimited, 0);
        ReadOnlySpan<byte> bytes = reader.ReadBytes();
        if (bytes.Length % 8 != 0) throw reader.Error("packed double run is not a multiple of 8 bytes");
        for (int i = 0; i < bytes.Length; i += 8) into.Add(BinaryPrimitives.ReadDoubleLittleEndian(bytes[i..]));
    }

    public static void ReadUInt64s(ref ProtoReader reader, WireType wireType, List<ulong> into)
    {
        if (wireType == WireType.Varint) { into.Add(reader.ReadVarint()); return; }
        reader.Expect(wireType, WireType.LengthDelimited, 0);
        var packed = new ProtoReader(reader.ReadBytes(), reader.Context);
        while (!packed.AtEnd) into.Add(packed.ReadVarint());
    }
}
