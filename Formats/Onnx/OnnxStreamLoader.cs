namespace Cardinal.Formats.Onnx;

/// <summary>
/// Reads an ONNX model from a stream or from memory. A seekable stream is read one field at a time from its current
/// position, as a file is (<see cref="OnnxReader.ReadFile"/>): the weights are never held twice. A stream that cannot
/// seek (a network response, a pipe) is buffered first, up to a limit, because a protobuf message's length must be
/// known before it is parsed.
/// </summary>
internal static class OnnxStreamLoader
{
    /// <summary>Reads a model from <paramref name="stream"/>, which is left open.</summary>
    /// <param name="maxBufferedBytes">
    /// The most bytes a non-seekable stream may hold; more is a <see cref="ModelFormatException"/> (nothing larger
    /// than what was actually sent is ever allocated).
    /// </param>
    /// <param name="source">The name errors use for the model.</param>
    /// <param name="stream">The model's bytes from the current position; a seekable stream is read field by field, another is buffered first.</param>
    public static OnnxModel Read(Stream stream, long maxBufferedBytes = SessionOptions.DefaultMaxModelBytes, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBufferedBytes);
        if (!stream.CanRead) throw new ArgumentException("The model stream cannot be read.", nameof(stream));
        if (stream.CanSeek)
        {
            long start = stream.Position;
            OnnxModel model = OnnxReader.Read(start == 0 ? stream : new StreamWindow(stream, start), source);
            // A file's external data lives beside it, as for OnnxReader.ReadFile.
            if (stream is FileStream file) model.BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(file.Name));
            return model;
        }
        using var buffered = Buffer(stream, Math.Min(maxBufferedBytes, SessionOptions.DefaultMaxModelBytes), source);
        return OnnxReader.Read(buffered, source);
    }

    /// <summary>Reads a model held in memory: in place when it is a managed array, else from a copy.</summary>
    public static OnnxModel Read(ReadOnlyMemory<byte> model, string source = "model")
    {
        byte[] array;
        int offset, count;
        if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray(model, out ArraySegment<byte> segment))
            (array, offset, count) = (segment.Array!, segment.Offset, segment.Count);
        else (array, offset, count) = (model.ToArray(), 0, model.Length);
        using var stream = new MemoryStream(array, offset, count, writable: false);
        return OnnxReader.Read(stream, source);
    }

    /// <summary>Copies a non-seekable stream into memory, refusing it as soon as it passes <paramref name="limit"/>.</summary>
    private static MemoryStream Buffer(Stream stream, long limit, string source)
    {
        var buffered = new MemoryStream();
        byte[] chunk = new byte[81920];
        int read;
        try
        {
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (buffered.Length + read > limit)
                    throw new ModelFormatException($"{source}: the model stream holds more than {limit} bytes, the most a stream that cannot " +
                        "seek may buffer (SessionOptions.MaxModelBytes); pass a file path or a seekable stream.");
                buffered.Write(chunk, 0, read);
            }
        }
        catch (IOException e) { throw new ModelFormatException($"{source}: cannot read the model stream ({e.Message}).", e); }
        buffered.Position = 0;
        return buffered;
    }

    /// <summary>The rest of a seekable stream from a given position, as a stream of its own (the reader measures from 0).</summary>
    private sealed class StreamWindow(Stream inner, long start) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length { get; } = inner.Length - start;
        public override long Position { get => inner.Position - start; set => inner.Position = start + value; }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override int ReadByte() => inner.ReadByte();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => origin switch
        {
            SeekOrigin.Begin => inner.Seek(start + offset, SeekOrigin.Begin),
            SeekOrigin.Current => inner.Seek(offset, SeekOrigin.Current),
            _ => inner.Seek(offset, SeekOrigin.End),
        } - start;
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
