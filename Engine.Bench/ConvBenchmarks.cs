using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Testing;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Bench;

/// <summary>
/// Every ResNet-50 and ResNeXt-50 32x4d row of the shared table (Engine.Tests/Shared/ConvCases.cs) at its
/// model size (224×224, batch 1), through every algorithm <see cref="ConvPlan.Applicable"/> lists for it
/// (constant weights, packed in setup), on every tier this machine runs. Reports GFLOP/s and % of the FMA peak,
/// the peak measured by <see cref="FmaPeak"/> in the host process of the same run at the same thread count.
/// Each row also runs once as a one-node ONNX model in ONNX Runtime (<see cref="OrtConv"/>: same weights, bias,
/// residual Add and Relu; ORT_ENABLE_ALL, IntraOpNumThreads = Threads), the path "row OnnxRuntime 1.31.1": the
/// column "vs ORT" is each case's median over that row's ORT median at the same thread count (BenchmarkDotNet's
/// own Baseline/Ratio needs one method per variant with equal parameters; here the variants are parameters, so
/// that ORT runs once per row and not once per algorithm and tier). ORT's figure includes the NCHWc reorders
/// its transformer puts around a lone convolution (see <see cref="OrtConv"/>); the `convs` verb also reports
/// its Conv node alone, from ORT's profile.
/// Threads: 1, or the list in CARDINAL_BENCH_THREADS (e.g. "1,2").
/// </summary>
[Config(typeof(Config))]
public class ConvBenchmarks
{
    private ConvPlan? _plan;
    private ParallelRunner? _parallel;
    private WorkspaceBuffer? _workspace;
    private OrtConv? _ort;
    private float[] _x = [], _w = [], _bias = [], _residual = [], _y = [];

    /// <summary>"row algorithm tier", e.g. "r50.l1.3x3.64 ShiftedTapGemm avx512", or "row OnnxRuntime 1.31.1" for the row's ORT baseline.</summary>
    [ParamsSource(nameof(Paths))]
    public string Path { get; set; } = "";

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    public const string Ort = "OnnxRuntime 1.31.1";

    public static IEnumerable<string> Paths() =>
        from c in ConvCases.ResNet50Layers.Concat(ConvCases.ResNeXt50Layers)
        from path in ConvPlan.Applicable(c.Shape, constantWeights: true)
            .SelectMany(algorithm => CpuIsas.Supported.Select(isa => $"{c.Name} {algorithm} {isa.Name()}"))
            .Prepend($"{c.Name} {Ort}")
        select path;

    public static IEnumerable<int> ThreadCounts() =>
        (Environment.GetEnvironmentVariable("CARDINAL_BENCH_THREADS") ?? "1").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse);

    /// <summary>The row, and the algorithm and tier (both null for the ORT baseline).</summary>
    internal static (ConvCase Case, ConvAlgorithm? Algorithm, CpuIsa? Isa) Parse(string path)
    {
        string[] parts = path.Split(' ', 2);
        if (parts[1] == Ort) return (ConvCases.Find(parts[0]), null, null);
        string[] rest = parts[1].Split(' ');
        return (ConvCases.Find(parts[0]), Enum.Parse<ConvAlgorithm>(rest[0]), Enum.Parse<CpuIsa>(rest[1], ignoreCase: true));
    }

    [GlobalSetup]
    public void Setup()
    {
        var (c, algorithm, isa) = Parse(Path);
        ConvShape shape = c.Shape;
        var random = new Random(1);
        float[] Values(long n) { var v = new float[n]; for (long i = 0; i < n; i++) v[i] = (float)(random.NextDouble() * 2 - 1); return v; }
        _x = Values(shape.InputLength);
        _w = Values(shape.WeightLength);
        _bias = Values(shape.OutChannels);
        _residual = shape.Epilogue.Residual ? Values(shape.OutputLength) : [];
        _y = new float[shape.OutputLength];
        if (algorithm is null)
        {
            _ort = new OrtConv(c, _x, _w, _bias, _residual, _y, Threads);
            Console.WriteLine($"// {Path}: {shape}, one-node ONNX model, ORT_ENABLE_ALL, {Threads} intra-op thread(s), {shape.Flops / 1e9:F3} GFLOP");
            return;
        }
        _parallel = new ParallelRunner(Threads);
        _plan = ConvPlan.Create(algorithm.Value, shape, Tensor.FromArray(_w, _w.Length), CpuPlatform.Create(isa!.Value), _parallel);
        _workspace = new WorkspaceBuffer(_plan.WorkspaceBytes);
        Console.WriteLine($"// {Path}: {shape}, {_plan.Platform}, {_plan.Description}, workspace {_plan.WorkspaceBytes} bytes, {shape.Flops / 1e9:F3} GFLOP");
    }

    [Benchmark]
    public void Run()
    {
        if (_ort is not null) _ort.Run();
        else _plan!.Run(_x, _w, _bias, _residual, _y, _workspace!.Workspace);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _parallel?.Dispose();
        _ort?.Dispose();
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(new RateColumn(false), new RateColumn(true), new OrtRatioColumn());
            SummaryStyle = SummaryStyle.Default.WithMaxParameterColumnWidth(64); // the whole "row algorithm tier"
        }
    }

    /// <summary>GFLOP/s of the case's median (2·K·outputs per run), or that as a share of the FMA peak at the case's thread count.</summary>
    private sealed class RateColumn(bool ofPeak) : IColumn
    {
        private static readonly Dictionary<int, double> Peaks = [];

        private static double Peak(int threads)
        {
            lock (Peaks)
            {
                if (!Peaks.TryGetValue(threads, out double peak)) Peaks[threads] = peak = FmaPeak.Best(threads);
                return peak;
            }
        }

        public string Id => ofPeak ? "PercentOfPeak" : "GFlops";
        public string ColumnName => ofPeak ? "% of FMA peak" : "GFLOP/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => ofPeak ? 1 : 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => ofPeak
            ? "GFLOP/s over the FMA peak (FmaPeak.Best: the best 10 ms window) measured in the host process at the same thread count (Engine.Bench peak)"
            : "2·K·outputs / median time";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } stats) return "-";
            string path = (string)benchmarkCase.Parameters["Path"];
            int threads = (int)benchmarkCase.Parameters["Threads"];
            double gflops = Parse(path).Case.Flops / stats.Median; // FLOP per ns = GFLOP/s
            return ofPeak ? $"{100 * gflops / Peak(threads):F0} %" : $"{gflops:F1}";
        }

        public override string ToString() => ColumnName;
    }

    /// <summary>The case's median over the median of its row's ONNX Runtime baseline at the same thread count (above 1: slower than ORT).</summary>
    private sealed class OrtRatioColumn : IColumn
    {
        public string Id => "OrtRatio";
        public string ColumnName => "vs ORT";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 2;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "median / the median of the row's one-node ONNX Runtime model (OnnxRuntime path) at the same thread count";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            if (summary[benchmarkCase]?.ResultStatistics is not { } stats) return "-";
            string row = ((string)benchmarkCase.Parameters["Path"]).Split(' ')[0];
            object threads = benchmarkCase.Parameters["Threads"];
            var baseline = summary.Reports.FirstOrDefault(r =>
                (string)r.BenchmarkCase.Parameters["Path"] == $"{row} {Ort}" && Equals(r.BenchmarkCase.Parameters["Threads"], threads));
            return baseline?.ResultStatistics is { } ort ? $"{stats.Median / ort.Median:F2}" : "-";
        }

        public override string ToString() => ColumnName;
    }
}
