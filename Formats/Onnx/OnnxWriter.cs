using System.Text;

namespace Cardinal.Formats.Onnx;

/// <summary>
/// Writes protobuf wire format field by field: enough to build small ONNX models by hand — the tests'
/// malformed and unusual files, and the benchmark's generated ResNets on machines without Python.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _stream = new();

    public byte[] ToArray() => _stream.ToArray();

    public ProtoWriter Varint(int field, long value) { Tag(field, 0); WriteVarint((ulong)value); return this; }
    public ProtoWriter Float(int field, float value) { Tag(field, 5); _stream.Write(BitConverter.GetBytes(value)); return this; }
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));
    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    /// <summary>Bytes already in wire format (a whole field copied from another message, tag included).</summary>
    public ProtoWriter Raw(ReadOnlySpan<byte> encoded) { _stream.Write(encoded); return this; }

    public ProtoWriter Bytes(int field, byte[] value)
    {
        Tag(field, 2);
        WriteVarint((ulong)value.Length);
        _stream.Write(value);
        return this;
    }

    private void Tag(int field, int wireType) => WriteVarint((ulong)(field << 3 | wireType));

    private void WriteVarint(ulong v)
    {
        while (v >= 0x80) { _stream.WriteByte((byte)(v | 0x80)); v >>= 7; }
        _stream.WriteByte((byte)v);
    }
}

/// <summary>ONNX messages (field numbers from onnx.proto), written with <see cref="ProtoWriter"/>.</summary>
internal static class OnnxWriter
{
    public const int Float = 1, Int64 = 7;

    public static ProtoWriter Tensor(string name, int dataType, long[] dims, float[]? floats = null, byte[]? raw = null)
    {
        var t = new ProtoWriter();
        foreach (long d in dims) t.Varint(1, d);
        t.Varint(2, dataType);
        if (floats is not null) foreach (float f in floats) t.Float(4, f);
        t.String(8, name);
        if (raw is not null) t.Bytes(9, raw);
        return t;
    }

    public static ProtoWriter ExternalTensor(string name, long[] dims, string location)
    {
        var t = new ProtoWriter();
        foreach (long d in dims) t.Varint(1, d);
        t.Varint(2, Float).String(8, name);
        t.Message(13, new ProtoWriter().String(1, "location").String(2, location));
        t.Varint(14, 1);
        return t;
    }

    /// <param name="dims">Sizes; a negative size writes the symbolic dimension "N".</param>
    /// <param name="name">The value's name.</param>
    /// <param name="elemType">The ONNX element type (e.g. <see cref="Float"/>).</param>
    public static ProtoWriter ValueInfo(string name, int elemType, params long[] dims)
    {
        var shape = new ProtoWriter();
        foreach (long d in dims) shape.Message(1, d < 0 ? new ProtoWriter().String(2, "N") : new ProtoWriter().Varint(1, d));
        var tensorType = new ProtoWriter().Varint(1, elemType).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }

    public static ProtoWriter Node(string opType, string[] inputs, string[] outputs, string name = "", params ProtoWriter[] attributes)
    {
        var n = new ProtoWriter();
        foreach (string i in inputs) n.String(1, i);
        foreach (string o in outputs) n.String(2, o);
        if (name.Length > 0) n.String(3, name);
        n.String(4, opType);
        foreach (var a in attributes) n.Message(5, a);
        return n;
    }

    public static ProtoWriter IntsAttribute(string name, params long[] values)
    {
        var a = new ProtoWriter().String(1, name);
        foreach (long v in values) a.Varint(8, v);
        return a.Varint(20, 7);
    }

    public static ProtoWriter IntAttribute(string name, long value) => new ProtoWriter().String(1, name).Varint(3, value).Varint(20, 2);

    /// <summary>A StringStringEntryProto (ModelProto.metadata_props, field 14).</summary>
    public static ProtoWriter MetadataEntry(string key, string value) => new ProtoWriter().String(1, key).String(2, value);

    public static ProtoWriter FloatAttribute(string name, float value) => new ProtoWriter().String(1, name).Float(2, value).Varint(20, 1);

    public static byte[] Model(int opset, ProtoWriter[] nodes, ProtoWriter[] initializers, ProtoWriter[] inputs, ProtoWriter[] outputs)
    {
        var g = new ProtoWriter();
        foreach (var n in nodes) g.Message(1, n);
        g.String(2, "test");
        foreach (var i in initializers) g.Message(5, i);
        foreach (var i in inputs) g.Message(11, i);
        foreach (var o in outputs) g.Message(12, o);
        return new ProtoWriter()
            .Varint(1, 8)
            .Message(8, new ProtoWriter().String(1, "").Varint(2, opset))
            .Message(7, g)
            .ToArray();
    }

}
