using BenchmarkDotNet.Running;
using Cardinal.Bench;

// dotnet run -c Release --project Engine.Bench -- --filter '*'              BenchmarkDotNet suites
// dotnet run -c Release --project Engine.Bench -- compare MODEL.onnx ...    quick side-by-side with ONNX Runtime
// dotnet run -c Release --project Engine.Bench -- layers MODEL.onnx ...     per-layer profile, % of FMA peak
// dotnet run -c Release --project Engine.Bench -- peak [--threads N]         the measured FMA peak
// dotnet run -c Release --project Engine.Bench -- batching MODEL.onnx ...   concurrent clients, direct vs batched
// dotnet run -c Release --project Engine.Bench -- ortprofile MODEL.onnx ... ORT's per-node profile next to Cardinal's per-step one, by conv shape and class
// dotnet run -c Release --project Engine.Bench -- ortscaling MODEL.onnx ... each convolution's 1 → T thread scaling, Cardinal's beside ORT's node, in one process
// dotnet run -c Release --project Engine.Bench -- convs [--filter S] ...    each ConvCases model row: Cardinal's plan vs a one-node ORT model
// dotnet run -c Release --project Engine.Bench -- fuzz --seed S --cases N   the convolution/pool geometry fuzz of the tests
// dotnet run -c Release --project Engine.Bench -- winograd [--threads N] [--batch B]  direct blocked vs Winograd F(4×4)/F(2×2), speed and error
// dotnet run -c Release --project Engine.Bench -- ab MODEL.onnx --b Name=value  two sessions differing in one BlockedTuning choice, alternating in one process
// dotnet run -c Release --project Engine.Bench -- threads MODEL.onnx ...    1 against 2 threads loop by loop: work inflation and idle
// dotnet run -c Release --project Engine.Bench -- ceiling [--only NAME]     per conv: 1 thread alone, two 1-thread instances at once, 2 threads
// dotnet run -c Release --project Engine.Bench -- slots MODEL.onnx ...     each step's output buffer and the step that wrote it before
// dotnet run -c Release --project Engine.Bench -- sessions MODEL.onnx ...  several sessions: threads of their own against one CpuThreadPool
// dotnet run -c Release --project Engine.Bench -- search INDEX Q.npy ...    exact top-k latency (1 query, a batch); tools/index-bench/bench.sh
if (args.Length > 0 && args[0] == "compare") return Guarded("compare", () => CompareRunner.Run(args[1..]));
if (args.Length > 0 && args[0] == "ab") return Guarded("ab", () => AbRunner.Run(args[1..]));
if (args.Length > 0 && args[0] == "threads") return Guarded("threads", () => ThreadsRunner.Run(args[1..])); // where 2 threads lose against 1, loop by loop
if (args.Length > 0 && args[0] == "idle") return Guarded("idle", () => IdleRunner.Run(args[1..])); // a request after a quiet spell against a busy stream's
if (args.Length > 0 && args[0] == "ceiling") return Guarded("ceiling", () => CeilingRunner.Run(args[1..])); // what two cores allow each conv (two independent 1-thread runs at once) against our 2-thread split
if (args.Length > 0 && args[0] == "sessions") return Guarded("sessions", () => SessionsRunner.Run(args[1..])); // several sessions: threads of their own against one pool
if (args.Length > 0 && args[0] == "layers") return Guarded("layers", () => LayersRunner.Run(args[1..]));
if (args.Length > 0 && args[0] == "batching") return Guarded("batching", () => BatchingRunner.Run(args[1..]));
if (args.Length > 0 && args[0] == "ortprofile") return Guarded("ortprofile", () => OrtProfileRunner.Run(args[1..]));
if (args.Length > 0 && args[0] == "ortscaling") return Guarded("ortscaling", () => OrtScalingRunner.Run(args[1..]));
if (args.Length > 0 && args[0] == "convs") return Guarded("convs", () => ConvsRunner.Run(args[1..]));
if (args.Length > 0 && args[0] == "fuzz") return Guarded("fuzz", () => FuzzRunner.Run(args[1..]));
if (args.Length > 0 && args[0] == "winograd") return Guarded("winograd", () => WinogradRunner.Run(args[1..])); // direct blocked vs Winograd F4/F2 on the zoo's stride-1 3×3 shapes
if (args.Length > 0 && args[0] == "forloop") return Guarded("forloop", () => ForLoopRunner.Run(args[1..])); // what a parallel loop costs, and cross-core reads
if (args.Length > 0 && args[0] == "pool") return Guarded("pool", () => PoolRunner.Run(args[1..])); // the blocked max pool alone, warm and cold
if (args.Length > 0 && args[0] == "search") return Guarded("search", () => SearchRunner.Run(args[1..]));
if (args.Length > 0 && args[0] == "slots") return Guarded("slots", () => SlotsRunner.Run(args[1..])); // each step's output buffer and who wrote it before
if (args.Length > 0 && args[0] == "blockedconv") return Guarded("blockedconv", () => BlockedConvRunner.Run(args[1..])); // blocked direct conv vs the NCHW plan, ResNet-50 rows
if (args.Length > 0 && args[0] == "peak")
{
    int threads = CompareRunner.Option(args, "--threads", 1);
    Console.WriteLine($"FMA peak: {FmaPeak.Measure(threads, 1000):F1} GFLOP/s on {threads} thread(s) over 1 s, best 10 ms window of 40: {FmaPeak.Best(threads):F1}; {FmaPeak.VectorWidth} FMA");
    // What the 1×1 passes follow (BlockedTuning.PointwisePassChannelsFor): the L1 data cache CPUID reports.
    int l1 = Cardinal.Kernels.Cpu.CpuCaches.L1DataBytes;
    var tuning = Cardinal.Kernels.Cpu.Nchwc.BlockedTuning.Default;
    // The plan's own rule, on ResNet-50's 1024 → 256 (64 input blocks of 16; a slice of 4 output blocks).
    var (_, passes) = Cardinal.Kernels.Cpu.Nchwc.BlockedDirectPlan.PassBlocks(64, 4L * 16 * 16 * sizeof(float), 16, manyUnits: true, tuning, widePasses: true);
    Console.WriteLine($"L1 data cache (CPUID): {(l1 == 0 ? "unknown" : $"{l1 / 1024} KiB")}; a 1024-channel 1×1 sums in {passes} passes on AVX-512");
    // And what the dense layers' output claim follows (BlockedTuning.ClaimOutputLinesFor): the processor's vendor and family.
    Console.WriteLine($"CPUID: {Cardinal.Kernels.Cpu.CpuIdentity.Vendor} family 0x{Cardinal.Kernels.Cpu.CpuIdentity.Family:X}; dense layers claim their output lines on 2+ threads: {(tuning.ClaimOutputLines ? "yes" : "no")}");
    // --memory: the read bandwidth on 1 thread and on T, with huge pages asked for and without (MemoryBandwidth).
    if (args.Contains("--memory"))
        foreach (bool huge in new[] { true, false })
            Console.WriteLine($"memory read, {(huge ? "huge pages asked for" : "huge pages not asked for")}: {MemoryBandwidth.Measure(1, huge):F1} GB/s on 1 thread, {MemoryBandwidth.Measure(threads, huge):F1} on {threads}");
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(SgemmBenchmarks).Assembly).Run(args);
return 0;

// A runner's bad arguments (a missing model, an unknown option value, a file that is not there) end in one line and
// exit code 2, as the CLI's do, instead of an unhandled exception.
static int Guarded(string verb, Func<int> run)
{
    try { return run(); }
    catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or Cardinal.CardinalException)
    {
        Console.Error.WriteLine($"Engine.Bench {verb}: {e.Message}");
        return 2;
    }
}
