using Cardinal.Graph;

namespace Cardinal.Formats.Onnx;

/// <summary>
/// Parses ONNX protobuf (ModelProto, or a bare TensorProto as the ONNX test data stores them) into
/// <see cref="OnnxModel"/> records. Field numbers follow onnx.proto3; unknown fields are skipped.
/// </summary>
internal static class OnnxReader
{
    /// <summary>Refuse tensor files beyond what one managed array can hold.</summary>
    private const long MaxFileBytes = int.MaxValue - 1024;

    /// <summary>
    /// Reads an .onnx file as a stream, one field at a time: the weights are never in memory twice (the
    /// whole file and the initializers cut from it), which would double a large model's load-time peak.
    /// </summary>
    public static OnnxModel ReadFile(string path)
    {
        FileStream stream;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new ModelFormatException($"{path}: model file not found.");
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (IOException e) { throw new ModelFormatException($"{path}: cannot read the model file ({e.Message}).", e); }
        catch (UnauthorizedAccessException e) { throw new ModelFormatException($"{path}: cannot read the model file ({e.Message}).", e); }
        using (stream)
        {
            var model = Read(stream, path);
            model.BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path));
            return model;
        }
    }

    public static OnnxModel Parse(byte[] bytes, string source = "model")
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Read(stream, source);
    }

    internal static OnnxModel Read(Stream stream, string source)
    {
        if (stream.Length == 0) throw new ModelFormatException($"{source}: the file is empty.");
        var model = new OnnxModel { Source = source };
        var r = new ProtoStreamReader(stream, stream.Length, source);
        bool sawGraph = false;
        var metadata = new OnnxMetadataReader(source);
        try
        {
            while (r.TryReadTag(out int field, out WireType wt))
            {
                switch (field)
                {
                    case 1: r.Expect(wt, WireType.Varint, field); model.IrVersion = (long)r.ReadVarint(); break;
                    case 2: r.Expect(wt, WireType.LengthDelimited, field); model.ProducerName = Utf8(r.ReadBytes()); break;
                    case 3: r.Expect(wt, WireType.LengthDelimited, field); model.ProducerVersion = Utf8(r.ReadBytes()); break;
                    case 7: r.Expect(wt, WireType.LengthDelimited, field); model.Graph = ReadGraph(r); sawGraph = true; break;
                    case 8: r.Expect(wt, WireType.LengthDelimited, field); model.OpsetImportList.Add(ReadOpset(r.ReadBytes(), source)); break;
                    case 4: r.Expect(wt, WireType.LengthDelimited, field); model.Domain = metadata.ReadText(r, "the model domain"); break;
                    case 5: r.Expect(wt, WireType.Varint, field); model.ModelVersion = (long)r.ReadVarint(); break;
                    case 6: r.Expect(wt, WireType.LengthDelimited, field); model.DocString = metadata.ReadText(r, "the model doc_string"); break;
                    case 14: r.Expect(wt, WireType.LengthDelimited, field); metadata.ReadEntry(r); break;
                    default: r.Skip(wt); break;
                }
            }
        }
        catch (IOException e) { throw new ModelFormatException($"{source}: cannot read the model file ({e.Message}).", e); }
        if (!sawGraph) throw new ModelFormatException($"{source}: not an ONNX model (no graph found).");
        model.MetadataProps = metadata.Entries;
        return model;
    }

    private static string Utf8(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes);

    /// <summary>Reads a file holding one serialised TensorProto (the ONNX test suite's input_N.pb / output_N.pb).</summary>
    public static OnnxTensor ReadTensorFile(string path)
    {
        byte[] bytes = ReadAllBytes(path, "tensor");
        return ReadTensor(bytes, path);
    }

    private static byte[] ReadAllBytes(string path, string what)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new ModelFormatException($"{path}: {what} file not found.");
            if (info.Length > MaxFileBytes)
                throw new ModelFormatException($"{path}: {info.Length} bytes is larger than a single-file ONNX {what} can be (2 GiB); use external data.");
            return File.ReadAllBytes(path);
        }
        catch (IOException e) { throw new ModelFormatException($"{path}: cannot read the {what} file ({e.Message}).", e); }
        catch (UnauthorizedAccessException e) { throw new ModelFormatException($"{path}: cannot read the {what} file ({e.Message}).", e); }
    }

    private static OnnxOpsetImport ReadOpset(ReadOnlySpan<byte> bytes, string source)
    {
        var r = new ProtoReader(bytes, source);
        string domain = ""; long version = 0;
        while (r.TryReadTag(out int field, out WireType wt))
        {
            if (field == 1 && wt == WireType.LengthDelimited) domain = r.ReadString();
            else if (field == 2 && wt == WireType.Varint) version = r.ReadInt64();
            else r.Skip(wt);
        }
        return new OnnxOpsetImport(domain, version);
    }

    /// <summary>The graph's fields one by one from the stream: each node and initializer is read on its own.</summary>
    private static OnnxGraph ReadGraph(ProtoStreamReader r)
    {
        var g = new OnnxGraph();
        string source = r.Context;
        byte[] scratch = [];
        long outer = r.Enter();
        while (r.TryReadTag(out int field, out WireType wt))
        {
            if (wt != WireType.LengthDelimited) { r.Skip(wt); continue; }
            switch (field)
            {
                case 1: g.Nodes.Add(ReadNode(r.ReadBytes(ref scratch), source)); break;
                case 2: g.Name = Utf8(r.ReadBytes()); break;
                case 5: g.Initializers.Add(ReadTensor(r.ReadBytes(ref scratch), source)); break;
                case 11: g.Inputs.Add(ReadValueInfo(r.ReadBytes(ref scratch), source)); break;
                case 12: g.Outputs.Add(ReadValueInfo(r.ReadBytes(ref scratch), source)); break;
                case 13: g.ValueInfos.Add(ReadValueInfo(r.ReadBytes(ref scratch), source)); break;
                case 15: r.Skip(wt); g.HasSparseInitializers = true; break;
                default: r.Skip(wt); break;
            }
        }
        r.Leave(outer);
        return g;
    }

    private static OnnxNode ReadNode(ReadOnlySpan<byte> bytes, string source)
    {
        var n = new OnnxNode();
        var r = new ProtoReader(bytes, source);
        while (r.TryReadTag(out int field, out WireType wt))
        {
            if (wt != WireType.LengthDelimited) { r.Skip(wt); continue; }
            switch (field)
            {
                case 1: n.Inputs.Add(r.ReadString()); break;
                case 2: n.Outputs.Add(r.ReadString()); break;
                case 3: n.Name = r.ReadString(); break;
                case 4: n.OpType = r.ReadString(); break;
                case 5: n.Attributes.Add(ReadAttribute(r.ReadBytes(), source)); break;
                case 7: n.Domain = r.ReadString(); break;
                default: r.Skip(wt); break;
            }
        }
        return n;
    }

    private static OnnxAttribute ReadAttribute(ReadOnlySpan<byte> bytes, string source)
    {
        var a = new OnnxAttribute();
        var r = new ProtoReader(bytes, source);
        while (r.TryReadTag(out int field, out WireType wt))
        {
            switch (field)
            {
                case 1: r.Expect(wt, WireType.LengthDelimited, field); a.Name = r.ReadString(); break;
                case 2: r.Expect(wt, WireType.Fixed32, field); a.F = r.ReadFloat(); break;
                case 3: r.Expect(wt, WireType.Varint, field); a.I = r.ReadInt64(); break;
                case 4: r.Expect(wt, WireType.LengthDelimited, field); a.S = r.ReadBytes().ToArray(); break;
                case 5: r.Expect(wt, WireType.LengthDelimited, field); a.T = ReadTensor(r.ReadBytes(), source); break;
                case 7: RepeatedFields.ReadFloats(ref r, wt, a.Floats); break;
                case 8: RepeatedFields.ReadInt64s(ref r, wt, a.Ints); break;
                case 9: r.Expect(wt, WireType.LengthDelimited, field); a.Strings.Add(r.ReadBytes().ToArray()); break;
                case 20: r.Expect(wt, WireType.Varint, field); a.Type = (OnnxAttributeType)r.ReadInt32(); break;
                default: r.Skip(wt); break; // subgraphs, sparse tensors, type protos: no supported op uses them
            }
        }
        return a;
    }

    private static OnnxValueInfo ReadValueInfo(ReadOnlySpan<byte> bytes, string source)
    {
        var v = new OnnxValueInfo();
        var r = new ProtoReader(bytes, source);
        while (r.TryReadTag(out int field, out WireType wt))
        {
            if (field == 1 && wt == WireType.LengthDelimited) v.Name = r.ReadString();
            else if (field == 2 && wt == WireType.LengthDelimited) ReadType(r.ReadBytes(), source, v);
            else r.Skip(wt);
        }
        return v;
    }

    private static void ReadType(ReadOnlySpan<byte> bytes, string source, OnnxValueInfo v)
    {
        var r = new ProtoReader(bytes, source);
        while (r.TryReadTag(out int field, out WireType wt))
        {
            if (field != 1 || wt != WireType.LengthDelimited) { r.Skip(wt); continue; } // only tensor_type
            var t = new ProtoReader(r.ReadBytes(), source);
            v.ElementType = 0;
            while (t.TryReadTag(out int tf, out WireType twt))
            {
                if (tf == 1 && twt == WireType.Varint) v.ElementType = t.ReadInt32();
                else if (tf == 2 && twt == WireType.LengthDelimited) v.Dims = ReadShape(t.ReadBytes(), source);
                else t.Skip(twt);
            }
        }
    }

    private static List<Dimension> ReadShape(ReadOnlySpan<byte> bytes, string source)
    {
        var dims = new List<Dimension>();
        var r = new ProtoReader(bytes, source);
        while (r.TryReadTag(out int field, out WireType wt))
        {
            if (field != 1 || wt != WireType.LengthDelimited) { r.Skip(wt); continue; }
            var d = new ProtoReader(r.ReadBytes(), source);
            Dimension dim = Dimension.Symbolic(null);
            while (d.TryReadTag(out int df, out WireType dwt))
            {
                if (df == 1 && dwt == WireType.Varint)
                {
                    long size = d.ReadInt64();
                    dim = size >= 0 && size <= int.MaxValue ? Dimension.Fixed((int)size) : throw d.Error($"dimension {size} out of range");
                }
                else if (df == 2 && dwt == WireType.LengthDelimited) dim = Dimension.Symbolic(d.ReadString());
                else d.Skip(dwt);
            }
            dims.Add(dim);
        }
        return dims;
    }

    /// <summary>
    /// Float data (the weights) goes straight into a float array, which the importer can adopt as the
    /// tensor's storage: no second copy. Writers put data_type (field 2) before raw_data (field 9), as
    /// protobuf serialises in field order; other orders still work, through the byte copy.
    /// </summary>
    private static void SetRawData(OnnxTensor t, ReadOnlySpan<byte> bytes)
    {
        t.RawData = null; t.RawFloats = null;
        if (t.DataType == 1 && bytes.Length % sizeof(float) == 0)
        {
            var floats = new float[bytes.Length / sizeof(float)];
            bytes.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()));
            t.RawFloats = floats;
        }
        else t.RawData = bytes.ToArray();
    }

    internal static OnnxTensor ReadTensor(ReadOnlySpan<byte> bytes, string source)
    {
        var t = new OnnxTensor();
        var r = new ProtoReader(bytes, source);
        while (r.TryReadTag(out int field, out WireType wt))
        {
            switch (field)
            {
                case 1: RepeatedFields.ReadInt64s(ref r, wt, t.Dims); break;
                case 2: r.Expect(wt, WireType.Varint, field); t.DataType = r.ReadInt32(); break;
                case 3: r.Skip(wt); t.HasSegment = true; break;
                case 4: RepeatedFields.ReadFloats(ref r, wt, t.FloatData); break;
                case 5: RepeatedFields.ReadInt64s(ref r, wt, t.Int32Data); break;
                case 6: r.Skip(wt); t.StringDataCount++; break;
                case 7: RepeatedFields.ReadInt64s(ref r, wt, t.Int64Data); break;
                case 8: r.Expect(wt, WireType.LengthDelimited, field); t.Name = r.ReadString(); break;
                case 9: r.Expect(wt, WireType.LengthDelimited, field); SetRawData(t, r.ReadBytes()); break;
                case 10: RepeatedFields.ReadDoubles(ref r, wt, t.DoubleData); break;
                case 11: RepeatedFields.ReadUInt64s(ref r, wt, t.UInt64Data); break;
                case 13:
                    r.Expect(wt, WireType.LengthDelimited, field);
                    var e = new ProtoReader(r.ReadBytes(), source);
                    string key = "", value = "";
                    while (e.TryReadTag(out int ef, out WireType ewt))
                    {
                        if (ef == 1 && ewt == WireType.LengthDelimited) key = e.ReadString();
                        else if (ef == 2 && ewt == WireType.LengthDelimited) value = e.ReadString();
                        else e.Skip(ewt);
                    }
                    t.ExternalData[key] = value;
                    break;
                case 14: r.Expect(wt, WireType.Varint, field); t.IsExternal = r.ReadInt32() == 1; break;
                default: r.Skip(wt); break;
            }
        }
        return t;
    }
}
