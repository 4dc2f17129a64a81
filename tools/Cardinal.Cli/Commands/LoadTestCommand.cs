using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Cardinal.Cli.Commands;

/// <summary>
/// cardinal loadtest --url URL --image FILE [--endpoint embed|classify] [--concurrency 8] [--requests 200]
/// [--rate R] [--corrupt 0.2] [--disconnect 0] [--seed 1] [--json]: drives a running cardinal-serve over
/// HTTP. One request alone first gives the reference answer; then every good answer under load must equal
/// it, every corrupt upload must get 400, and nothing else may fail. Prints throughput, p50/p90/p99 of the
/// good requests, the counts, and the server's working set before and after (from its /metrics).
/// Closed loop by default (each client sends when its last answer arrives); --rate R sends R requests per
/// second whatever the answers (open loop: the latency a service shows at a given load).
/// Exit 0 when all held, 1 when an answer differed or a request failed unexpectedly.
/// </summary>
internal static class LoadTestCommand
{
    private enum Kind { Good, Corrupt, Abandoned }

    private readonly record struct Outcome(Kind Kind, int Status, double Ms, bool Matches);

    public static int Run(CliArguments a, TextWriter stdout, TextWriter stderr)
    {
        string url = (a.Single("--url") ?? throw new UsageException("loadtest needs --url (the service's base address, e.g. http://127.0.0.1:8080)")).TrimEnd('/');
        string imagePath = a.Single("--image") ?? throw new UsageException("loadtest needs --image (a photo to send)");
        if (!File.Exists(imagePath)) throw new UsageException($"image not found: {imagePath}");
        string endpoint = a.Single("--endpoint") ?? "embed";
        if (endpoint is not ("embed" or "classify")) throw new UsageException("--endpoint is embed or classify");
        int concurrency = a.Int("--concurrency", 8, 1, 4096), requests = a.Int("--requests", 200, 1, 10_000_000);
        double rate = a.Double("--rate", 0), corrupt = a.Double("--corrupt", 0), disconnect = a.Double("--disconnect", 0);
        if (corrupt is < 0 or > 1 || disconnect is < 0 or > 1 || corrupt + disconnect > 1) throw new UsageException("--corrupt and --disconnect are fractions that add up to at most 1");
        if (rate < 0) throw new UsageException("--rate cannot be negative");
        int seed = a.Int("--seed", 1, 0, int.MaxValue);

        byte[] image = File.ReadAllBytes(imagePath);
        string mediaType = Path.GetExtension(imagePath).ToLowerInvariant() switch
        {
            ".png" => "image/png", ".jpg" or ".jpeg" => "image/jpeg", ".bmp" => "image/bmp", ".webp" => "image/webp", _ => "application/octet-stream",
        };
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(concurrency, 64) }) { Timeout = TimeSpan.FromMinutes(5) };
        string target = $"{url}/v1/{endpoint}";

        long? memoryBefore = ServerWorkingSet(http, url);
        var (referenceStatus, reference) = Send(http, target, image, mediaType, CancellationToken.None).GetAwaiter().GetResult();
        if (referenceStatus != 200) throw new UsageException($"{target} answered {referenceStatus} to the first, lone request: {reference}");
        string referenceAnswer = Answer(reference);

        // The plan, decided up front from the seed: which requests are corrupt and which are abandoned.
        var random = new Random(seed);
        Kind[] plan = [.. Enumerable.Range(0, requests).Select(_ => random.NextDouble() switch
        {
            var r when r < corrupt => Kind.Corrupt,
            var r when r < corrupt + disconnect => Kind.Abandoned,
            _ => Kind.Good,
        })];
        byte[] corruptImage = Corrupt(image, seed);
        var outcomes = new Outcome[requests];
        int next = -1;
        var clock = Stopwatch.StartNew();

        async Task Issue(int i)
        {
            Kind kind = plan[i];
            using var abandon = new CancellationTokenSource();
            if (kind == Kind.Abandoned) abandon.CancelAfter(TimeSpan.FromMilliseconds(1 + i % 20));
            long started = Stopwatch.GetTimestamp();
            try
            {
                var (status, body) = await Send(http, target, kind == Kind.Corrupt ? corruptImage : image, mediaType, abandon.Token);
                outcomes[i] = new Outcome(kind, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds, status == 200 && Answer(body) == referenceAnswer);
            }
            catch (OperationCanceledException) when (kind == Kind.Abandoned) { outcomes[i] = new Outcome(kind, 0, 0, false); }
            catch (HttpRequestException) { outcomes[i] = new Outcome(kind, -1, Stopwatch.GetElapsedTime(started).TotalMilliseconds, false); }
        }

        if (rate > 0)
        {
            // Open loop: request i leaves at i / rate seconds, in flight or not; at most `concurrency` wait at once.
            using var slots = new SemaphoreSlim(concurrency);
            var inFlight = new List<Task>(requests);
            for (int i = 0; i < requests; i++)
            {
                TimeSpan due = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
                if (due > TimeSpan.Zero) Thread.Sleep(due);
                slots.Wait();
                int index = i;
                inFlight.Add(Task.Run(async () => { try { await Issue(index); } finally { slots.Release(); } }));
            }
            Task.WaitAll(inFlight);
        }
        else
            Task.WaitAll([.. Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                for (int i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next)) await Issue(i);
            }))]);
        double seconds = clock.Elapsed.TotalSeconds;
        long? memoryAfter = ServerWorkingSet(http, url);
        return Report(stdout, a.Has("--json"), target, concurrency, rate, seconds, outcomes, memoryBefore, memoryAfter);
    }

    private static int Report(TextWriter stdout, bool json, string target, int concurrency, double rate, double seconds, Outcome[] outcomes,
        long? memoryBefore, long? memoryAfter)
    {
        var good = outcomes.Where(o => o.Kind == Kind.Good).ToList();
        double[] latencies = [.. good.Where(o => o.Status == 200).Select(o => o.Ms).Order()];
        double P(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
        int ok = good.Count(o => o.Matches), mismatched = good.Count(o => o.Status == 200 && !o.Matches);
        int busy = outcomes.Count(o => o.Status == 503);
        int goodFailed = good.Count(o => o.Status is not (200 or 503));
        int corrupt = outcomes.Count(o => o.Kind == Kind.Corrupt), corruptRefused = outcomes.Count(o => o.Kind == Kind.Corrupt && o.Status == 400);
        int corruptWrong = outcomes.Count(o => o.Kind == Kind.Corrupt && o.Status is not (400 or 503));
        int abandoned = outcomes.Count(o => o.Kind == Kind.Abandoned);
        bool passed = mismatched == 0 && goodFailed == 0 && corruptWrong == 0;
        double perSecond = ok / seconds;

        if (json)
            JsonOutput.Write(stdout, w =>
            {
                w.WriteString("target", target);
                w.WriteNumber("concurrency", concurrency);
                if (rate > 0) w.WriteNumber("rate", rate);
                w.WriteNumber("requests", outcomes.Length);
                w.WriteNumber("seconds", Math.Round(seconds, 3));
                w.WriteNumber("goodPerSecond", Math.Round(perSecond, 2));
                w.WriteNumber("p50Ms", Math.Round(P(0.5), 2));
                w.WriteNumber("p90Ms", Math.Round(P(0.9), 2));
                w.WriteNumber("p99Ms", Math.Round(P(0.99), 2));
                w.WriteNumber("ok", ok);
                w.WriteNumber("mismatched", mismatched);
                w.WriteNumber("busy503", busy);
                w.WriteNumber("failed", goodFailed);
                w.WriteNumber("corrupt", corrupt);
                w.WriteNumber("corruptRefused400", corruptRefused);
                w.WriteNumber("abandoned", abandoned);
                if (memoryBefore is long before) w.WriteNumber("serverWorkingSetBeforeMiB", Math.Round(before / 1048576.0, 1));
                if (memoryAfter is long after) w.WriteNumber("serverWorkingSetAfterMiB", Math.Round(after / 1048576.0, 1));
                w.WriteBoolean("passed", passed);
            });
        else
        {
            stdout.WriteLine($"target     {target}, {(rate > 0 ? $"open loop at {rate} req/s, at most {concurrency} in flight" : $"{concurrency} clients, closed loop")}");
            stdout.WriteLine($"requests   {outcomes.Length} in {seconds:F1} s: {ok} good answers ({perSecond:F1}/s), {corrupt} corrupt ({corruptRefused} refused with 400), {abandoned} abandoned, {busy} busy (503)");
            stdout.WriteLine($"latency    p50 {P(0.5):F1} ms, p90 {P(0.9):F1} ms, p99 {P(0.99):F1} ms (good requests)");
            stdout.WriteLine($"answers    {mismatched} differ from the lone request's, {goodFailed} good requests failed, {corruptWrong} corrupt uploads not refused");
            if (memoryBefore is long before && memoryAfter is long after)
                stdout.WriteLine($"server     working set {before / 1048576.0:F1} MiB before, {after / 1048576.0:F1} MiB after");
            stdout.WriteLine(passed ? "passed" : "FAILED");
        }
        return passed ? Cli.Ok : Cli.Mismatch;
    }

    private static async Task<(int Status, string Body)> Send(HttpClient http, string target, byte[] image, string mediaType, CancellationToken cancellation)
    {
        using var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await http.PostAsync(target, content, cancellation);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellation));
    }

    /// <summary>The answer without its timing: the embedding or the ranked classes.</summary>
    private static string Answer(string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        return root.TryGetProperty("embedding", out var e) ? e.GetRawText() : root.TryGetProperty("top", out var t) ? t.GetRawText() : body;
    }

    /// <summary>The photo with its first bytes scrambled: no decoder recognises it, so it must come back 400.</summary>
    private static byte[] Corrupt(byte[] image, int seed)
    {
        byte[] copy = (byte[])image.Clone();
        new Random(seed).NextBytes(copy.AsSpan(0, Math.Min(64, copy.Length)));
        copy[0] = 0; // no format starts with a zero byte and random junk
        return copy;
    }

    /// <summary>The server's working set from its /metrics (the .NET runtime meter), when it exports one.</summary>
    private static long? ServerWorkingSet(HttpClient http, string url)
    {
        try
        {
            string text = http.GetStringAsync($"{url}/metrics").GetAwaiter().GetResult();
            foreach (string line in text.Split('\n'))
                if (line.StartsWith("dotnet_process_memory_working_set_bytes", StringComparison.Ordinal)
                    && double.TryParse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture, out double bytes))
                    return (long)bytes;
        }
        catch (HttpRequestException) { }
        return null;
    }
}
