using System.Collections.Concurrent;
using System.Threading.Channels;
using Cardinal.Formats.Images;
using Cardinal.Tensors;

namespace Cardinal.Embedding;

/// <summary>One chunk of images through the model: per file its output (the model's first output, flattened) or its error.</summary>
public sealed record EmbeddedChunk<TTag>(TTag Tag, IReadOnlyList<string> Files, float[]?[] Outputs, string?[] Errors)
{
    /// <summary>Per image, the session's further outputs (SessionOptions.ExtraOutputs: `embed --layer`), each flattened; null when it has none.</summary>
    public float[][]?[]? Extra { get; init; }
    /// <summary>Per further output, one image's dims (the batch dimension dropped).</summary>
    public int[][] ExtraDims { get; init; } = [];
}

/// <summary>
/// Images → embeddings, chunk by chunk, in order. Decoding runs ahead of inference on its own thread through a
/// bounded channel: while the model runs chunk i, chunk i+1 (up to <see cref="DecodeAhead"/> chunks) is read,
/// decoded and preprocessed in parallel straight into its input tensors. Input buffers are recycled, so memory
/// is a few chunks' worth whatever the number of images. <c>decodeAhead: 0</c> alternates instead (decode a
/// chunk, run it, decode the next), as the jobs did before.
/// </summary>
public sealed class ImageEmbedder
{
    private readonly IImageDecoder _decoder;
    private readonly ImageLimits _limits;
    private readonly int _threads;
    private readonly ConcurrentBag<List<Tensor>> _spare = [];

    public ImageEmbedder(InferenceSession session, PreprocessOptions preset, IImageDecoder decoder, ImageLimits limits, int threads,
        int chunkSize = 16, int decodeAhead = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(decodeAhead);
        Session = session; Preset = preset; _decoder = decoder; _limits = limits; _threads = Math.Max(1, threads);
        ChunkSize = chunkSize; DecodeAhead = decodeAhead;
        var dims = session.Inputs[0].Dims ?? throw new CardinalException("The model's input has no declared shape.");
        BatchSize = dims[0].Size ?? chunkSize;
    }

    public InferenceSession Session { get; }
    public PreprocessOptions Preset { get; }
    /// <summary>Images decoded together (and, when the model's batch is symbolic, run together).</summary>
    public int ChunkSize { get; }
    /// <summary>Decoded chunks allowed to wait for the model; 0 alternates decoding and inference.</summary>
    public int DecodeAhead { get; }
    /// <summary>Images per Run: the model's fixed batch size, or the chunk size when it is symbolic.</summary>
    public int BatchSize { get; }

    /// <summary>Splits files into chunks of <see cref="ChunkSize"/> (the last may be shorter) and embeds them.</summary>
    public IEnumerable<EmbeddedChunk<int>> Embed(IReadOnlyList<string> files, CancellationToken cancellation = default) =>
        Embed(Chunk(files, ChunkSize).Select((c, i) => (i, c)), cancellation);

    public static IEnumerable<IReadOnlyList<string>> Chunk(IReadOnlyList<string> files, int size)
    {
        for (int start = 0; start < files.Count; start += size)
            yield return files.Skip(start).Take(Math.Min(size, files.Count - start)).ToArray();
    }

    /// <summary>Embeds the given chunks in order, each returned with its tag. Chunks may have any size ≥ 1.</summary>
    public IEnumerable<EmbeddedChunk<TTag>> Embed<TTag>(IEnumerable<(TTag Tag, IReadOnlyList<string> Files)> chunks, CancellationToken cancellation = default)
    {
        if (DecodeAhead == 0)
        {
            foreach (var (tag, files) in chunks)
            {
                cancellation.ThrowIfCancellationRequested();
                yield return Infer(Decode(tag, files));
            }
            yield break;
        }

        var channel = Channel.CreateBounded<Decoded<TTag>>(new BoundedChannelOptions(DecodeAhead) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        // The producer: a dedicated thread, so its blocking waits on a full channel never starve the pool.
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var (tag, files) in chunks)
                {
                    var decoded = Decode(tag, files);
                    channel.Writer.WriteAsync(decoded, stop.Token).AsTask().GetAwaiter().GetResult();
                }
                channel.Writer.Complete();
            }
            catch (Exception e) { channel.Writer.TryComplete(e); }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            while (true)
            {
                Decoded<TTag> next;
                try
                {
                    if (!channel.Reader.WaitToReadAsync(cancellation).AsTask().GetAwaiter().GetResult()) break;
                    if (!channel.Reader.TryRead(out next!)) continue;
                }
                catch (ChannelClosedException e) when (e.InnerException is not null)
                {
                    throw e.InnerException;
                }
                yield return Infer(next);
            }
            // A producer failure after its last chunk surfaces here.
            if (channel.Reader.Completion.IsFaulted) channel.Reader.Completion.GetAwaiter().GetResult();
        }
        finally
        {
            // The consumer stopped early (an exception, a break): release the producer and wait for it.
            stop.Cancel();
            try { producer.Wait(TimeSpan.FromMinutes(1)); } catch (AggregateException) { }
        }
    }

    private sealed record Decoded<TTag>(TTag Tag, IReadOnlyList<string> Files, List<Tensor> Inputs, string?[] Errors);

    private Decoded<TTag> Decode<TTag>(TTag tag, IReadOnlyList<string> files)
    {
        int per = 3 * Preset.CropHeight * Preset.CropWidth;
        List<Tensor> inputs = Rent(files.Count);
        var slices = new Memory<float>[files.Count];
        for (int b = 0; b < inputs.Count; b++)
        {
            Tensor t = inputs[b];
            for (int m = 0; m < t.Dims[0]; m++) slices[b * BatchSize + m] = ((float[])t.Data).AsMemory(m * per, per);
        }
        string?[] errors = ImageBatch.LoadInto(files, slices, Preset, _decoder, _limits, _threads);
        return new Decoded<TTag>(tag, files, inputs, errors);
    }

    private EmbeddedChunk<TTag> Infer<TTag>(Decoded<TTag> chunk)
    {
        var outputs = new float[chunk.Files.Count][];
        int extras = Session.Outputs.Count - 1;
        float[][]?[]? extra = extras > 0 ? new float[chunk.Files.Count][][] : null;
        int[][] extraDims = [];
        for (int b = 0; b < chunk.Inputs.Count; b++)
        {
            int first = b * BatchSize, count = chunk.Inputs[b].Dims[0];
            if (Enumerable.Range(first, count).All(i => chunk.Errors[i] is not null)) continue;
            // Further outputs (read out by name) come from the same run, through the dictionary form.
            IReadOnlyDictionary<string, Tensor>? all = extras > 0 ? Session.Run(new Dictionary<string, Tensor> { [Session.Inputs[0].Name] = chunk.Inputs[b] }) : null;
            Tensor output = all is null ? Session.Run(chunk.Inputs[b]) : all[Session.Outputs[0].Name];
            int dim = output.Length / count;
            for (int m = 0; m < count; m++)
                if (chunk.Errors[first + m] is null) outputs[first + m] = output.Floats.Slice(m * dim, dim).ToArray();
            if (all is null) continue;
            Tensor[] further = [.. Enumerable.Range(1, extras).Select(j => all[Session.Outputs[j].Name])];
            extraDims = [.. further.Select(t => t.Dims[1..].ToArray())];
            for (int m = 0; m < count; m++)
                if (chunk.Errors[first + m] is null)
                    extra![first + m] = [.. further.Select(t => { int per = t.Length / count; return t.Floats.Slice(m * per, per).ToArray(); })];
        }
        Return(chunk.Inputs);
        return new EmbeddedChunk<TTag>(chunk.Tag, chunk.Files, outputs, chunk.Errors) { Extra = extra, ExtraDims = extraDims };
    }

    /// <summary>Input tensors for a chunk of <paramref name="count"/> images: recycled when the chunk is full-sized.</summary>
    private List<Tensor> Rent(int count)
    {
        if (count == ChunkSize && _spare.TryTake(out var reused)) return reused;
        var inputs = new List<Tensor>();
        for (int b = 0; b < count; b += BatchSize)
            inputs.Add(Tensor.Create(ElementType.Float32, Preset.TensorShape(Math.Min(BatchSize, count - b))));
        return inputs;
    }

    private void Return(List<Tensor> inputs)
    {
        if (inputs.Sum(t => t.Dims[0]) == ChunkSize && _spare.Count < DecodeAhead + 2) _spare.Add(inputs);
    }
}
