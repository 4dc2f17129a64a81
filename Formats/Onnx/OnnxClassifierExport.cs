using Cardinal.Graph;

namespace Cardinal.Formats.Onnx;

/// <summary>
/// A linear classifier head for a backbone: probabilities = Softmax(Flatten(features) · Wᵀ + b), with W [K][D]
/// row-major. <see cref="Metadata"/> goes into the model's metadata_props (see <see cref="ClassifierMetadata"/>).
/// </summary>
public sealed record ClassifierHead(float[] Weights, float[] Bias, int Classes, int Dimension, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The backbone value the head reads; null takes the backbone's only output.</summary>
    public string? BackboneOutput { get; init; }
}

/// <summary>
/// Writes backbone + head as one ONNX file. The backbone's bytes are copied field by field, unchanged (its
/// nodes, weights, inputs, opset); only its graph outputs are replaced by the head's, and the head's nodes,
/// weights and metadata are appended. So the file runs anywhere the backbone ran (ONNX Runtime included).
/// </summary>
public static class OnnxClassifierExport
{
    /// <summary>The exported model's output: the class probabilities.</summary>
    public const string OutputName = "probabilities";

    /// <summary>Writes the backbone with <paramref name="head"/> appended to <paramref name="outputPath"/> (temporary name, then renamed).</summary>
    public static void Write(string backbonePath, string outputPath, ClassifierHead head)
    {
        byte[] backbone;
        try { backbone = File.ReadAllBytes(backbonePath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ModelFormatException($"{backbonePath}: cannot read the model file ({e.Message}).", e); }
        byte[] model = Build(backbone, backbonePath, head);
        string temp = outputPath + "." + Environment.ProcessId + ".tmp";
        try
        {
            File.WriteAllBytes(temp, model);
            File.Move(temp, outputPath, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>The backbone's bytes with <paramref name="head"/> appended, as a new ONNX model.</summary>
    public static byte[] Build(byte[] backbone, string source, ClassifierHead head)
    {
        if (head.Weights.Length != (long)head.Classes * head.Dimension || head.Bias.Length != head.Classes)
            throw new ArgumentException($"head weights {head.Weights.Length} / bias {head.Bias.Length} do not fit {head.Classes}×{head.Dimension}");
        OnnxModel parsed = OnnxReader.Parse(backbone, source);
        int opset = (int)(parsed.OpsetImports.LastOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0);
        if (opset < 7) throw new UnsupportedModelException($"{source}: the backbone uses ONNX opset {opset}; a classifier head needs opset 7 or later (Gemm's broadcast bias).");
        var outputs = parsed.Graph.Outputs;
        OnnxValueInfo features = head.BackboneOutput is string wanted
            ? outputs.SingleOrDefault(o => o.Name == wanted) ?? throw new InvalidModelException($"{source}: no graph output named '{wanted}'.")
            : outputs.Count == 1 ? outputs[0] : throw new InvalidModelException($"{source}: the backbone has {outputs.Count} outputs; name the one the head reads.");

        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in parsed.Graph.Nodes) { taken.UnionWith(n.Outputs); taken.UnionWith(n.Inputs); }
        taken.UnionWith(parsed.Graph.Initializers.Select(i => i.Name));
        taken.UnionWith(parsed.Graph.Inputs.Select(i => i.Name));
        string Fresh(string name) { string n = name; for (int i = 1; !taken.Add(n); i++) n = $"{name}_{i}"; return n; }
        string flat = Fresh("cardinal_head_features"), weight = Fresh("cardinal_head_weight"), bias = Fresh("cardinal_head_bias"),
            logits = Fresh("cardinal_head_logits"), output = Fresh(OutputName);

        // The batch dimension as the backbone declares it: fixed stays fixed, anything else is symbolic.
        long batch = features.Dims is { Count: > 0 } d && d[0].Size is int size ? size : -1;
        var graph = new ProtoWriter();
        var model = new ProtoWriter();
        var reader = new ProtoReader(backbone, source);
        while (true)
        {
            int start = reader.Position;
            if (!reader.TryReadTag(out int field, out WireType wt)) break;
            if (field == 7 && wt == WireType.LengthDelimited)
            {
                CopyGraphWithoutOutputs(reader.ReadBytes(), source, graph);
                continue;
            }
            if (field == 14 && wt == WireType.LengthDelimited)
            {
                // Keep the backbone's own metadata, except the keys the head sets.
                ReadOnlySpan<byte> entry = reader.ReadBytes();
                if (!head.Metadata.ContainsKey(EntryKey(entry, source))) model.Raw(backbone.AsSpan(start, reader.Position - start));
                continue;
            }
            reader.Skip(wt);
            model.Raw(backbone.AsSpan(start, reader.Position - start));
        }

        // Flatten(axis 1) → Gemm(transB: W is [K][D]) → Softmax(axis 1): the same meaning in every opset from 7.
        graph.Message(1, OnnxWriter.Node("Flatten", [features.Name], [flat], "cardinal_head_flatten", OnnxWriter.IntAttribute("axis", 1)));
        graph.Message(1, OnnxWriter.Node("Gemm", [flat, weight, bias], [logits], "cardinal_head_gemm", OnnxWriter.IntAttribute("transB", 1)));
        graph.Message(1, OnnxWriter.Node("Softmax", [logits], [output], "cardinal_head_softmax", OnnxWriter.IntAttribute("axis", 1)));
        graph.Message(5, OnnxWriter.Tensor(weight, OnnxWriter.Float, [head.Classes, head.Dimension], raw: FloatBytes(head.Weights)));
        graph.Message(5, OnnxWriter.Tensor(bias, OnnxWriter.Float, [head.Classes], raw: FloatBytes(head.Bias)));
        if (parsed.IrVersion < 4)
        {
            // Before IR 4 every initializer must also be declared as a graph input.
            graph.Message(11, OnnxWriter.ValueInfo(weight, OnnxWriter.Float, head.Classes, head.Dimension));
            graph.Message(11, OnnxWriter.ValueInfo(bias, OnnxWriter.Float, head.Classes));
        }
        graph.Message(12, OnnxWriter.ValueInfo(output, OnnxWriter.Float, batch, head.Classes));
        model.Message(7, graph);
        foreach (var (key, value) in head.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            model.Message(14, OnnxWriter.MetadataEntry(key, value));
        return model.ToArray();
    }

    /// <summary>Copies every GraphProto field except the outputs (12), which the head replaces.</summary>
    private static void CopyGraphWithoutOutputs(ReadOnlySpan<byte> graphBytes, string source, ProtoWriter into)
    {
        var r = new ProtoReader(graphBytes, source);
        while (true)
        {
            int start = r.Position;
            if (!r.TryReadTag(out int field, out WireType wt)) break;
            r.Skip(wt);
            if (field != 12) into.Raw(graphBytes[start..r.Position]);
        }
    }

    private static string EntryKey(ReadOnlySpan<byte> entry, string source)
    {
        var r = new ProtoReader(entry, source);
        while (r.TryReadTag(out int field, out WireType wt))
        {
            if (field == 1 && wt == WireType.LengthDelimited) return r.ReadString();
            r.Skip(wt);
        }
        return "";
    }

    private static byte[] FloatBytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }
}
