using Cardinal.Graph;

namespace Cardinal.Formats.Onnx;

/// <summary>
/// Parses ONNX protobuf (ModelProto, or a bare TensorProto as the ONNX test data stores them) into
/// <see cref="OnnxModel"/> records. Field numbers follow onnx.proto3; unknown fields are skipped.
/// </summary>
public static class OnnxReader
{
    /// <summary>Refuse model files beyond what one managed array can hold (larger models use external data).</summary>
    private const long MaxFileBytes = int.MaxValue - 1024;

    public static OnnxModel ReadFile(string path)
    {
        byte[] bytes = ReadAllBytes(path, "model");
        var model = Parse(bytes, path);
        model.BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path));
        return model;
    }

    public static OnnxModel Parse(ReadOnlySpan<byte> bytes, string source = "model")
    {
        if (bytes.Length == 0) throw new ModelFormatException($"{source}: the file is empty.");
        var model = new OnnxModel { Source = source };
        var r = new ProtoReader(bytes, source);
        bool sawGraph = false;
        while (r.TryReadTag(out int field, out WireType wt))
        {
            switch (field)
            {
                case 1: r.Expect(wt, WireType.Varint, field); model.IrVersion = r.ReadInt64(); break;
                case 2: r.Expect(wt, WireType.LengthDelimited, field); model.ProducerName = r.ReadString(); break;
                case 3: r.Expect(wt, WireType.LengthDelimited, field); model.ProducerVersion = r.ReadString(); break;
                case 7: r.Expect(wt, WireType.LengthDelimited, field); model.Graph = ReadGraph(r.ReadBytes(), source); sawGraph = true; break;
                case 8: r.Expect(wt, WireType.LengthDelimited, field); model.OpsetImports.Add(ReadOpset(r.ReadBytes(), source)); break;
                default: r.Skip(wt); break;
            }
        }
        if (!sawGraph) throw new ModelFormatException($"{source}: not an ONNX model (no graph found).");
        return model;
    }

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

    private static OnnxGraph ReadGraph(ReadOnlySpan<byte> bytes, string source)
    {
        var g = new OnnxGraph();
        var r = new ProtoReader(bytes, source);
        while (r.TryReadTag(out int field, out WireType wt))
        {
            if (wt != WireType.LengthDelimited) { r.Skip(wt); continue; }
            switch (field)
            {
                case 1: g.Nodes.Add(ReadNode(r.ReadBytes(), source)); break;
                case 2: g.Name = r.ReadString(); break;
                case 5: g.Initializers.Add(ReadTensor(r.ReadBytes(), source)); break;
                case 11: g.Inputs.Add(ReadValueInfo(r.ReadBytes(), source)); break;
                case 12: g.Outputs.Add(ReadValueInfo(r.ReadBytes(), source)); break;
                case 13: g.ValueInfos.Add(ReadValueInfo(r.ReadBytes(), source)); break;
                case 15: r.ReadBytes(); g.HasSparseInitializers = true; break;
                default: r.Skip(wt); break;
            }
        }
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
                case 9: r.Expect(wt, WireType.LengthDelimited, field); t.RawData = r.ReadBytes().ToArray(); break;
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
