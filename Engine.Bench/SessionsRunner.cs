using System.Diagnostics;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Bench;

/// <summary>
/// Several sessions of one model in one process, each backend on threads of its own against all of them on one
/// <see cref="CpuThreadPool"/>: `sessions MODEL.onnx [--sessions 2] [--threads 2] [--runs 20] [--rounds 4]`. Two
/// scenarios, the two set-ups round by round in turn (the host drifts within minutes): in turn (one caller runs
/// session 0, 1, … 0, 1 …: the service that holds several models and answers one request at a time) and at once
/// (a caller per session, all running together: per-run latency and the whole round's throughput). Medians.
/// </summary>
internal static class SessionsRunner
{
    private const string Usage = "sessions MODEL.onnx [--sessions 2] [--threads 2] [--runs 20] [--rounds 4]";

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"sessions: usage: {Usage}");
            return 2;
        }
        int count = CompareRunner.Option(args, "--sessions", 2), threads = CompareRunner.Option(args, "--threads", 2);
        int runs = CompareRunner.Option(args, "--runs", 20), rounds = CompareRunner.Option(args, "--rounds", 4);
        if (count < 2 || threads < 1 || runs < 1 || rounds < 1)
        {
            Console.Error.WriteLine($"sessions: --sessions takes 2 or more, --threads, --runs and --rounds 1 or more. Usage: {Usage}");
            return 2;
        }
        using var pool = new CpuThreadPool(threads);
        InferenceSession[][] setups;
        try
        {
            setups =
            [
                Enumerable.Range(0, count).Select(_ => Open(args[0], new CpuBackendOptions { Threads = threads })).ToArray(),
                Enumerable.Range(0, count).Select(_ => Open(args[0], new CpuBackendOptions { ThreadPool = pool })).ToArray(),
            ];
        }
        catch (CardinalException e)
        {
            Console.Error.WriteLine($"sessions: {e.Message}");
            return 1;
        }
        string[] names = ["threads of their own", "one pool"];
        try
        {
            int[] dims = ModelInput.Dims(setups[0][0], 1);
            Tensor input = ModelInput.Sine(dims);
            foreach (var setup in setups)
                foreach (var session in setup)
                    for (int i = 0; i < 3; i++) session.Run(input);

            var inTurn = new[] { new List<double>(), new List<double>() };
            var atOnce = new[] { new List<double>(), new List<double>() };
            var throughput = new[] { new List<double>(), new List<double>() };
            Console.WriteLine($"{Path.GetFileName(Path.GetDirectoryName(args[0]))}/{Path.GetFileName(args[0])}: {count} sessions, {threads} thread(s) each, {rounds} rounds of {runs} runs per session; medians per round (ms per run)");
            Console.WriteLine($"| round | set-up | in turn | at once | at once, images/s |");
            Console.WriteLine("|---|---|---|---|---|");
            for (int round = 0; round < rounds; round++)
                for (int turn = 0; turn < 2; turn++)
                {
                    int k = (turn + round) % 2;
                    List<double> turnMs = InTurn(setups[k], input, runs);
                    (List<double> onceMs, double perSecond) = AtOnce(setups[k], input, runs);
                    inTurn[k].AddRange(turnMs);
                    atOnce[k].AddRange(onceMs);
                    throughput[k].Add(perSecond);
                    Console.WriteLine($"| {round} | {names[k]} | {Stats.Percentile(turnMs, 0.5):F2} | {Stats.Percentile(onceMs, 0.5):F2} | {perSecond:F1} |");
                }
            Console.WriteLine();
            Console.WriteLine($"| set-up | in turn ms (median, p90) | at once ms (median, p90) | at once images/s (median of rounds) |");
            Console.WriteLine("|---|---|---|---|");
            for (int k = 0; k < 2; k++)
                Console.WriteLine($"| {names[k]} | {Stats.Percentile(inTurn[k], 0.5):F2}, {Stats.Percentile(inTurn[k], 0.9):F2} | {Stats.Percentile(atOnce[k], 0.5):F2}, {Stats.Percentile(atOnce[k], 0.9):F2} | {Stats.Percentile(throughput[k], 0.5):F1} |");
            Console.WriteLine($"one pool / own threads: in turn {Stats.Percentile(inTurn[1], 0.5) / Stats.Percentile(inTurn[0], 0.5):F2}, at once {Stats.Percentile(atOnce[1], 0.5) / Stats.Percentile(atOnce[0], 0.5):F2} (latency), {Stats.Percentile(throughput[1], 0.5) / Stats.Percentile(throughput[0], 0.5):F2} (throughput)");
            return 0;
        }
        finally
        {
            foreach (var setup in setups)
                foreach (var session in setup) session.Dispose();
        }
    }

    private static InferenceSession Open(string model, CpuBackendOptions options) =>
        InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(options), ownsBackend: true);

    /// <summary>One caller, the sessions in turn, <paramref name="runs"/> each.</summary>
    private static List<double> InTurn(InferenceSession[] sessions, Tensor input, int runs)
    {
        var ms = new List<double>(runs * sessions.Length);
        for (int r = 0; r < runs; r++)
            foreach (var session in sessions)
            {
                long start = Stopwatch.GetTimestamp();
                session.Run(input);
                ms.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        return ms;
    }

    /// <summary>A caller per session, all at once: every run's latency, and images per second over the whole round.</summary>
    private static (List<double> Ms, double PerSecond) AtOnce(InferenceSession[] sessions, Tensor input, int runs)
    {
        var perCaller = new List<double>[sessions.Length];
        long start = Stopwatch.GetTimestamp();
        var callers = sessions.Select((session, c) => new Thread(() =>
        {
            var ms = new List<double>(runs);
            for (int r = 0; r < runs; r++)
            {
                long t = Stopwatch.GetTimestamp();
                session.Run(input);
                ms.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
            perCaller[c] = ms;
        })).ToArray();
        foreach (var caller in callers) caller.Start();
        foreach (var caller in callers) caller.Join();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return (perCaller.SelectMany(m => m).ToList(), sessions.Length * runs / seconds);
    }

}
