namespace Cardinal.Formats.Onnx;

/// <summary>
/// The model-level text of an ONNX file (doc_string, domain, metadata_props), read with limits: a hostile
/// file cannot make us hold more than <see cref="MaxTotalBytes"/> of it, nor hide a second value under a key
/// (a repeated key is refused, not silently resolved to the first or last).
/// </summary>
internal sealed class OnnxMetadataReader(string source)
{
    public const int MaxKeyBytes = 4096;
    public const int MaxValueBytes = 16 << 20;
    public const int MaxEntries = 10_000;
    public const long MaxTotalBytes = 64 << 20;

    private readonly Dictionary<string, string> _entries = new(StringComparer.Ordinal);
    private long _total;

    public IReadOnlyDictionary<string, string> Entries => _entries;

    public string ReadText(ProtoStreamReader r, string what)
    {
        byte[] bytes = r.ReadBytes(MaxValueBytes, what);
        Count(bytes.Length);
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    /// <summary>One StringStringEntryProto: key = 1, value = 2.</summary>
    public void ReadEntry(ProtoStreamReader r)
    {
        if (_entries.Count >= MaxEntries) throw new ModelFormatException($"{source}: more than {MaxEntries} metadata_props entries.");
        byte[] bytes = r.ReadBytes(MaxKeyBytes + MaxValueBytes + 16, "a metadata_props entry");
        Count(bytes.Length);
        var p = new ProtoReader(bytes, source);
        string? key = null, value = null;
        while (p.TryReadTag(out int field, out WireType wt))
        {
            if (field is 1 or 2 && wt == WireType.LengthDelimited)
            {
                ReadOnlySpan<byte> text = p.ReadBytes();
                if (field == 1 && text.Length > MaxKeyBytes)
                    throw new ModelFormatException($"{source}: a metadata_props key of {text.Length} bytes is over the limit of {MaxKeyBytes}.");
                if (field == 2 && text.Length > MaxValueBytes)
                    throw new ModelFormatException($"{source}: a metadata_props value of {text.Length} bytes is over the limit of {MaxValueBytes}.");
                if (field == 1) key = System.Text.Encoding.UTF8.GetString(text);
                else value = System.Text.Encoding.UTF8.GetString(text);
            }
            else p.Skip(wt);
        }
        key ??= "";
        if (!_entries.TryAdd(key, value ?? ""))
            throw new ModelFormatException($"{source}: metadata_props repeats the key '{Shorten(key)}'.");
    }

    private void Count(long bytes)
    {
        _total += bytes;
        if (_total > MaxTotalBytes) throw new ModelFormatException($"{source}: the model's metadata is over the limit of {MaxTotalBytes} bytes.");
    }

    private static string Shorten(string key) => key.Length <= 80 ? key : key[..80] + "…";
}
