namespace Cardinal.Formats.Onnx;

/// <summary>
/// Reads the outer levels of a protobuf message straight from a stream, so a model file never has to sit
/// in memory whole: each field's bytes are read on their own (a node, one initializer) and handed to the
/// span-based <see cref="ProtoReader"/>. Lengths are checked against the enclosing message before any
/// buffer is allocated, as <see cref="ProtoReader"/> does.
/// </summary>
internal sealed class ProtoStreamReader(Stream stream, long length, string context)
{
    private long _position;
    private long _end = length;

    public string Context { get; } = context;

    public bool TryReadTag(out int field, out WireType wireType)
    {
        if (_position >= _end) { field = 0; wireType = 0; return false; }
        ulong tag = ReadVarint();
        return ProtoTag.Split(tag, out field, out wireType) ? true : throw Error($"invalid field number {tag >> 3}");
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _end) throw Error("truncated varint");
            int b = stream.ReadByte();
            if (b < 0) throw Error("truncated varint");
            _position++;
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw Error("varint longer than 10 bytes");
    }

    /// <summary>A length-delimited field's bytes, read into a buffer of exactly that size.</summary>
    public byte[] ReadBytes()
    {
        long length = ReadLength();
        if (length > Array.MaxLength) throw Error($"a field of {length} bytes is larger than one array can hold");
        var bytes = new byte[length];
        Fill(bytes);
        return bytes;
    }

    /// <summary>A length-delimited field's bytes, refused before allocating when longer than <paramref name="limit"/>.</summary>
    public byte[] ReadBytes(long limit, string what)
    {
        long length = ReadLength();
        if (length > limit) throw new ModelFormatException($"{Context}: {what} of {length} bytes is over the limit of {limit}.");
        var bytes = new byte[length];
        Fill(bytes);
        return bytes;
    }

    /// <summary>
    /// A length-delimited field's bytes, read into <paramref name="scratch"/> (grown when too small): the
    /// caller parses them before the next read and copies out what it keeps, so a model's many initializers
    /// pass through one buffer instead of leaving a trail of garbage as large as the weights.
    /// </summary>
    public ReadOnlySpan<byte> ReadBytes(ref byte[] scratch)
    {
        long length = ReadLength();
        if (length > Array.MaxLength) throw Error($"a field of {length} bytes is larger than one array can hold");
        if (scratch.Length < length) scratch = new byte[Math.Max(length, Math.Min(Array.MaxLength, scratch.Length * 2L))];
        Span<byte> bytes = scratch.AsSpan(0, (int)length);
        Fill(bytes);
        return bytes;
    }

    private void Fill(Span<byte> bytes)
    {
        try { stream.ReadExactly(bytes); }
        catch (EndOfStreamException) { throw Error("the file ends inside a field"); }
        _position += bytes.Length;
    }

    /// <summary>
    /// Enters a length-delimited field without reading it: the following tags are that message's fields,
    /// until <see cref="Leave"/> restores the outer end.
    /// </summary>
    public long Enter()
    {
        long length = ReadLength();
        long outerEnd = _end;
        _end = _position + length;
        return outerEnd;
    }

    public void Leave(long outerEnd)
    {
        if (_position != _end) throw Error("a nested message overruns its length");
        _end = outerEnd;
    }

    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: Advance(8); break;
            case WireType.Fixed32: Advance(4); break;
            case WireType.LengthDelimited: Advance(ReadLength()); break;
            default: throw Error($"unsupported wire type {(int)wireType}");
        }
    }

    public void Expect(WireType actual, WireType expected, int field)
    {
        if (actual != expected) throw Error($"field {field} has wire type {(int)actual}, expected {(int)expected}");
    }

    private long ReadLength()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(_end - _position))
            throw Error($"field claims {length} bytes but only {_end - _position} remain");
        return (long)length;
    }

    private void Advance(long count)
    {
        if (count > _end - _position) throw Error("truncated field");
        if (stream.CanSeek) stream.Seek(count, SeekOrigin.Current);
        else stream.ReadExactly(new byte[count]);
        _position += count;
    }

    public ModelFormatException Error(string what) => new($"{Context}: malformed protobuf ({what}).");
}
