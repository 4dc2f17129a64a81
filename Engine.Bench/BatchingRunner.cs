using System.Diagnostics;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Serving;

namespace Cardinal.Bench;

/// <summary>
/// What the batching helper buys: C concurrent clients each send single-image requests, first straight to
/// one shared session, then through an <see cref="InferenceBatcher"/> on it; images/s, p50 and p99 per
/// request for both. Usage: batching MODEL.onnx [--clients 8] [--requests 160] [--batch 8] [--wait-ms 2] [--threads 2]
/// </summary>
public static class BatchingRunner
{
    public static int Run(string[] args)
    {
        string model = args.Length > 0 ? args[0] : throw new ArgumentException("batching MODEL.onnx [--clients C] [--requests R] [--batch B] [--wait-ms W] [--threads N]");
        int clients = CompareRunner.Option(args, "--clients", 8), requests = CompareRunner.Option(args, "--requests", 160);
        int maxBatch = CompareRunner.Option(args, "--batch", 8), waitMs = CompareRunner.Option(args, "--wait-ms", 2);
        int threads = CompareRunner.Option(args, "--threads", 2);

        using var session = InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(new CpuBackendOptions { Threads = threads }));
        int[] sample = session.Inputs[0].Dims!.Skip(1).Select(d => d.Size ?? 224).ToArray();
        int[] single = [1, .. sample];
        float[] image = Enumerable.Range(0, sample.Aggregate(1, (a, b) => a * b)).Select(i => MathF.Sin(i * 0.01f)).ToArray();
        session.Warmup(single);

        var direct = Measure(clients, requests, () =>
        {
            var output = new float[session.OutputLength(single)];
            return () => { session.Run(image, single, output); return Task.CompletedTask; };
        });
        Console.WriteLine($"{model}: {clients} clients, {requests} requests, {threads} thread(s)");
        Print("one session, direct", direct);

        var options = new BatchingOptions { MaxBatch = maxBatch, MaxWait = TimeSpan.FromMilliseconds(waitMs), QueueCapacity = Math.Max(64, clients * 2) };
        using var batcher = new InferenceBatcher(session, sample, options);
        batcher.Warmup();
        var batched = Measure(clients, requests, () =>
        {
            var output = new float[batcher.OutputLength];
            return () => batcher.RunAsync(image, output);
        });
        Print($"batched (≤{maxBatch}, {waitMs} ms)", batched);
        Console.WriteLine($"  throughput ratio batched/direct: {batched.PerSecond / direct.PerSecond:F2}");
        return 0;
    }

    private sealed record Result(double PerSecond, double P50, double P99);

    /// <summary>Closed loop: each client sends its next request when the last one returns.</summary>
    private static Result Measure(int clients, int requests, Func<Func<Task>> makeClient)
    {
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        int next = 0;
        var clock = Stopwatch.StartNew();
        Task.WaitAll([.. Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            Func<Task> send = makeClient();
            while (Interlocked.Increment(ref next) <= requests)
            {
                long started = Stopwatch.GetTimestamp();
                await send();
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }))]);
        double seconds = clock.Elapsed.TotalSeconds;
        var sorted = latencies.Order().ToArray();
        return new Result(sorted.Length / seconds, sorted[sorted.Length / 2], sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))]);
    }

    private static void Print(string name, Result r) =>
        Console.WriteLine($"  {name,-28} {r.PerSecond,7:F1} images/s   p50 {r.P50,8:F1} ms   p99 {r.P99,8:F1} ms");
}
