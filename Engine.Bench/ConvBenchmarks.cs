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
/// Threads: 1, or the list in CARDINAL_BENCH_THREADS (e.g. "1,2").
/// </summary>
[Config(typeof(Config))]
public class ConvBenchmarks
{
    private ConvPlan? _plan;
    private ParallelRunner? _parallel;
    private WorkspaceBuffer? _workspace;
    private float[] _x = [], _w = [], _bias = [], _residual = [], _y = [];

    /// <summary>"row algorithm tier", e.g. "r50.l1.3x3.64 ShiftedTapGemm avx512".</summary>
    [ParamsSource(nameof(Paths))]
    public string Path { get; set; } = "";

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    public static IEnumerable<string> Paths() =>
        from c in ConvCases.ResNet50Layers.Concat(ConvCases.ResNeXt50Layers)
        from algorithm in ConvPlan.Applicable(c.Shape, constantWeights: true)
        from isa in CpuIsas.Supported
        select $"{c.Name} {algorithm} {isa.Name()}";

    public static IEnumerable<int> ThreadCounts() =>
        (Environment.GetEnvironmentVariable("CARDINAL_BENCH_THREADS") ?? "1").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse);

    internal static (ConvCase Case, ConvAlgorithm Algorithm, CpuIsa Isa) Parse(string path)
    {
        string[] parts = path.Split(' ');
        return (ConvCases.Find(parts[0]), Enum.Parse<ConvAlgorithm>(parts[1]), Enum.Parse<CpuIsa>(parts[2], ignoreCase: true));
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
        _parallel = new ParallelRunner(Threads);
        _plan = ConvPlan.Create(algorithm, shape, Tensor.FromArray(_w, _w.Length), CpuPlatform.Create(isa), _parallel);
        _workspace = new WorkspaceBuffer(_plan.WorkspaceBytes);
        Console.WriteLine($"// {Path}: {shape}, {_plan.Platform}, {_plan.Description}, workspace {_plan.WorkspaceBytes} bytes, {shape.Flops / 1e9:F3} GFLOP");
    }

    [Benchmark]
    public void Run() => _plan!.Run(_x, _w, _bias, _residual, _y, _workspace!.Workspace);

    [GlobalCleanup]
    public void Cleanup() => _parallel?.Dispose();

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(new RateColumn(false), new RateColumn(true));
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
                if (!Peaks.TryGetValue(threads, out double peak)) Peaks[threads] = peak = FmaPeak.Measure(threads, 1000);
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
            ? "GFLOP/s over the FMA peak measured in the host process at the same thread count (Engine.Bench peak)"
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
}
