using System.Diagnostics;
using Cardinal.Formats.Onnx;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Planning;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static Cardinal.Bench.OrtProfileRunner;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Bench;

/// <summary>
/// Cardinal's side of a per-step profile (<see cref="OrtProfileRunner"/>, <see cref="OrtScalingRunner"/>): one session on
/// a number of threads, its plan compiled for the model's input at <paramref name="batch"/>, profiled run by run.
/// </summary>
internal sealed class ProfiledCardinal : IDisposable
{
    private readonly InferenceSession _session;
    private readonly ExecutionPlan _plan;
    private readonly KernelExecutor _executor;
    private readonly Tensor _input, _output;
    private readonly List<long[]> _ticks = [];
    private readonly List<double> _wall = [];

    /// <param name="tuning">The blocked kernels' plan choices (<see cref="AbRunner.Parse"/>); null: the default.</param>
    /// <param name="exact">The exact mode (<see cref="CpuBackendOptions.Winograd"/> false): direct convolution everywhere.</param>
    public ProfiledCardinal(string model, int threads, int batch, float[]? data = null, Kernels.Cpu.Nchwc.BlockedTuning? tuning = null, bool exact = false)
    {
        var options = new CpuBackendOptions { Threads = threads, Winograd = !exact };
        if (tuning is { } t) options = options with { BlockedTuning = t };
        _session = InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(options), ownsGraph: true);
        Dims = ModelInput.Dims(_session, batch);
        _plan = _session.PlanForShapes([Dims]);
        _executor = (KernelExecutor)_session.CompiledPlanFor([Dims]);
        Data = data ?? ModelInput.SeededNoise(Dims);
        _input = Tensor.FromArray(Data, Dims);
        _output = ModelInput.OutputOf(_plan);
    }

    /// <summary>The input's dimensions and values (the ORT side feeds the same).</summary>
    public int[] Dims { get; }
    public float[] Data { get; }
    public string InputName => _session.Inputs[0].Name;
    public string Description => _session.Backend.Description;

    /// <summary>Runs until the JIT has promoted the kernels (at least 5 runs and 1 s); nothing is recorded.</summary>
    public void WarmUp()
    {
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 5 || warm.ElapsedMilliseconds < 1000; i++) _executor.Run([_input], [_output]);
    }

    /// <summary>One profiled run, recorded: each step's ticks and the run's wall time.</summary>
    public void Profile()
    {
        var t = new long[_plan.Steps.Count];
        var clock = Stopwatch.StartNew();
        _executor.Profile([_input], [_output], t);
        _wall.Add(clock.Elapsed.TotalMilliseconds);
        _ticks.Add(t);
    }

    /// <summary>The recorded runs' median wall time.</summary>
    public double RunMs => RunMsOf(null);

    /// <summary>The median wall time of the recorded runs <paramref name="keep"/> passes (by their index, from 0; null: every one).</summary>
    public double RunMsOf(Func<int, bool>? keep) => Stats.Median(_wall.Where((_, run) => keep is null || keep(run)), whenEmpty: 0);

    /// <summary>
    /// Each step's median over the recorded runs (those <paramref name="keep"/> passes, by their index from 0; null: every
    /// one), with its FLOPs and, for a 2-D convolution, the key it matches ORT's nodes by.
    /// </summary>
    public List<CardinalStep> Steps(Func<int, bool>? keep = null) => _plan.Steps.Select((step, s) =>
    {
        double ms = Stats.Median(_ticks.Where((_, run) => keep is null || keep(run)).Select(t => t[s] * 1000.0 / Stopwatch.Frequency), whenEmpty: 0);
        long flops = step.Node.Op.Flops(_plan.InputsOf(step), _plan.OutputsOf(step));
        ConvKey? key = null;
        // A blocked convolution keys on its logical channels (its input carries them padded to the block).
        (ConvOp Conv, int? Channels)? c = step.Node.Op switch
        {
            ConvOp plain => (plain, null),
            BlockedConvOp blocked => (blocked.Conv, blocked.Channels),
            _ => null,
        };
        if (c is { } found)
        {
            var x = _plan.Values[step.Inputs[0]]; var w = _plan.Values[step.Inputs[1]];
            var g = found.Conv.Geometry(step.Node, x, w);
            if (g.Rank == 2)
                key = new ConvKey(found.Channels ?? x.Dims[1], w.Dims[0], found.Conv.Group, g.Kernel[0], g.Kernel[1], g.Stride[0], g.Input[0], g.Input[1], found.Conv.Epilogue.Residual);
        }
        return new CardinalStep(step.Node.Name, step.Node.Op.OpType, _executor.DescribeStep(s) ?? "", _plan.Values[step.Outputs[0]].Dims, ms, flops, key);
    }).ToList();

    public void Dispose() => _session.Dispose();
}

/// <summary>
/// ONNX Runtime's side: a session as `compare` runs it (ORT_ENABLE_ALL, one inter-op thread) with its profiler on,
/// its JSON trace in a temporary folder that <see cref="Dispose"/> deletes.
/// </summary>
internal sealed class ProfiledOrt : IDisposable
{
    /// <summary>ORT's first runs, skipped in its trace.</summary>
    public const int WarmUpRuns = 2;

    private readonly DirectoryInfo _folder;
    private readonly Microsoft.ML.OnnxRuntime.SessionOptions _options;
    private readonly Microsoft.ML.OnnxRuntime.InferenceSession _session;
    private readonly NamedOnnxValue[] _inputs;

    public ProfiledOrt(string model, int threads, string inputName, float[] data, int[] dims)
    {
        _folder = Directory.CreateTempSubdirectory("cardinal-ortprofile-");
        _options = ModelInput.OrtOptions(threads);
        // The prefix must be set before profiling is enabled.
        _options.ProfileOutputPathPrefix = Path.Combine(_folder.FullName, "ort");
        _options.EnableProfiling = true;
        _session = new Microsoft.ML.OnnxRuntime.InferenceSession(model, _options);
        _inputs = [NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(data, dims))];
    }

    public void WarmUp()
    {
        for (int i = 0; i < WarmUpRuns; i++) Run();
    }

    public void Run()
    {
        using (_session.Run(_inputs)) { }
    }

    private string? _trace;

    /// <summary>
    /// Ends the profile (the first call): every node's median over the runs after the warm-up that <paramref name="keep"/>
    /// passes (by their index, from 0; null: every one), and those runs' median.
    /// </summary>
    public (List<OrtNode> Nodes, double RunMs) End(Func<int, bool>? keep = null)
    {
        if (_trace is null)
        {
            string trace = _session.EndProfiling();
            _trace = Path.IsPathRooted(trace) ? trace : Path.Combine(_folder.FullName, Path.GetFileName(trace));
        }
        return ParseTrace(_trace, WarmUpRuns, keep);
    }

    private List<double>? _runWalls;

    /// <summary>
    /// The median of the runs after the warm-up that <paramref name="keep"/> passes (by index, from 0), from the trace's run
    /// spans alone, read once (<see cref="End"/> parses every node of the trace each time).
    /// </summary>
    public double RunMsOf(Func<int, bool> keep)
    {
        if (_runWalls is null)
        {
            End();
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(_trace!));
            _runWalls = OrtProfileRunner.RunSpans(doc.RootElement.EnumerateArray(), WarmUpRuns).Select(s => s.Dur / 1000.0).ToList();
        }
        return Stats.Median(_runWalls.Where((_, run) => keep(run)), whenEmpty: 0);
    }

    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
        _folder.Delete(recursive: true);
    }
}
