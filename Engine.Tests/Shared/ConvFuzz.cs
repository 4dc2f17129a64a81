using System.Diagnostics;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Winograd;
using Cardinal.Kernels.Cpu.Pooling;
using Cardinal.Kernels.Cpu.Reference;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Testing;

internal enum FuzzKind { Conv, MaxPool, AveragePool }

/// <summary>
/// One drawn problem. Case <see cref="Index"/> of seed S is drawn from its own generator (seeded from S and
/// the index), so it is the same whatever the case count: `fuzz --seed S --cases N --only I` replays it.
/// For pools <see cref="Shape"/> carries the window with Batch·Channels = planes (Channels = OutChannels, Group 1).
/// </summary>
internal sealed record FuzzCase(int RunSeed, int Index, int Seed, FuzzKind Kind, int Rank, ConvShape Shape, bool Bias, bool CeilMode, bool CountIncludePad, bool InjectNaN)
{
    public override string ToString() => Kind switch
    {
        FuzzKind.Conv => $"seed {RunSeed} #{Index} conv{Rank}d {Shape}{(Bias ? " +bias" : "")}",
        _ => $"seed {RunSeed} #{Index} {(Kind == FuzzKind.MaxPool ? "max" : "average")}pool{Rank}d planes {Shape.Batch * Shape.Channels} {PoolWindow(Shape.Window)}" +
             (CeilMode ? " ceil" : "") + (CountIncludePad ? " count_include_pad" : "") + (InjectNaN ? " NaN" : ""),
    };

    private static string PoolWindow(in Window3D w) =>
        $"in {w.InD}×{w.InH}×{w.InW} out {w.OutD}×{w.OutH}×{w.OutW} k {w.KD}×{w.KH}×{w.KW} s {w.SD}×{w.SH}×{w.SW} d {w.DD}×{w.DH}×{w.DW} " +
        $"pad {w.PadD},{w.PadH},{w.PadW}/{w.PadEndD},{w.PadEndH},{w.PadEndW}";
}

/// <summary>A kernel bug the fuzz found: case <see cref="Index"/> of <see cref="Seed"/> fails on <see cref="Algorithm"/>.</summary>
internal sealed record KnownFailure(int Seed, int Index, ConvAlgorithm Algorithm, string Why)
{
    public bool Matches(string failure) =>
        failure.StartsWith($"seed {Seed} #{Index} ", StringComparison.Ordinal) && failure.Contains($" | {Algorithm} | ", StringComparison.Ordinal);

    public override string ToString() => $"seed {Seed} #{Index} {Algorithm}: {Why}";
}

/// <summary>What a fuzz run found: every failure (named by case, tier, algorithm, thread count and index) and how often each path ran.</summary>
internal sealed class FuzzResult
{
    public List<string> Failures { get; } = [];
    /// <summary>Failures of cases listed in <see cref="ConvFuzz.KnownFailures"/>: reported, not counted as new.</summary>
    public List<string> KnownFailures { get; } = [];
    /// <summary>Cases per path and tier ("Im2ColGemm/avx2", "MaxRows/scalar", "Average/-"): each counted once per case, however many runs.</summary>
    public SortedDictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);
    public int Cases { get; set; }
    public long Runs { get; set; }
    public TimeSpan Elapsed { get; set; }

    public string Summary() =>
        $"{Cases} cases, {Runs} kernel runs, {Elapsed.TotalSeconds:F1} s, {Failures.Count} failures ({KnownFailures.Count} known)\n" +
        string.Join("\n", Counts.Select(kv => $"  {kv.Key,-28} {kv.Value,6}"));
}

/// <summary>
/// The geometry fuzz (design §4: test edges, not just sizes): random convolutions and pools from a fixed seed,
/// every algorithm <see cref="ConvPlan.Applicable"/> lists (constant and run-time weights), every tier, 1 and 2
/// threads, against the slow twins. Shared by the NUnit test and `Engine.Bench fuzz` (one source, linked).
/// </summary>
internal static class ConvFuzz
{
    public const string SeedVariable = "CARDINAL_FUZZ_SEED", CasesVariable = "CARDINAL_FUZZ_CASES";
    public const int DefaultSeed = 20250601, DefaultCases = 500;

    /// <summary>Floats of NaN written after every output: a kernel that writes past its output shows there.</summary>
    public const int GuardLength = 16;

    /// <summary>
    /// Multiply-adds a drawn convolution may cost at most (the double-precision reference is ~5 ns each); one case
    /// in eight is "large" (planes up to 40 wide, so the GEMM's N crosses its 256-column block and K its slices).
    /// </summary>
    private const long MacBudget = 120_000, LargeMacBudget = 2_000_000;

    /// <summary>
    /// Kernel bugs the fuzz found and nobody has fixed yet. Each is replayed by the CI test (<see cref="Pinned"/>) and
    /// reported as known on every tier; once the kernel is fixed the test says so, and the entry goes.
    /// </summary>
    public static IReadOnlyList<KnownFailure> KnownFailures { get; } = [];

    /// <summary>
    /// Cases that once failed, replayed by every CI run and required to pass. The first three found a 3-D window
    /// with one input depth plane, a 1-deep kernel, a depth stride ≥ 2 and a leading depth pad: its one output
    /// plane's only depth tap (−PadD) is padding, so the answer is bias (+ residual, ReLU), but the direct grouped
    /// and shifted-tap plans took it (InD = KD = OutD = 1) and convolved depth plane 0. Fixed by
    /// <c>Window3D.IsPlanar</c> (PadD = 0 too).
    /// </summary>
    public static IReadOnlyList<(int Seed, int Index)> Regressions { get; } = [(1, 5993), (1, 7340), (2, 9055)];

    /// <summary>Cases every CI run replays besides the drawn ones: the regressions and any known failures.</summary>
    public static IEnumerable<FuzzCase> Pinned =>
        Regressions.Concat(KnownFailures.Select(k => (k.Seed, k.Index))).Distinct().Select(k => Draw(k.Seed, k.Index));

    public static int SeedFromEnvironment() => int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out int s) ? s : DefaultSeed;
    public static int CasesFromEnvironment() => int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), out int n) && n > 0 ? n : DefaultCases;

    public static int CaseSeed(int seed, int index) => (int)(((uint)seed * 0x9E3779B1u) ^ ((uint)index * 0x85EBCA77u + 0x165667B1u));

    public static IEnumerable<FuzzCase> Generate(int seed, int count)
    {
        for (int i = 0; i < count; i++) yield return Draw(seed, i);
    }

    /// <summary>Case <paramref name="index"/> of <paramref name="seed"/>: 70 % convolutions, 15 % max pools, 15 % average pools.</summary>
    public static FuzzCase Draw(int seed, int index)
    {
        int caseSeed = CaseSeed(seed, index);
        var r = new Random(caseSeed);
        int kindDraw = r.Next(20);
        return kindDraw < 14 ? DrawConv(r, seed, index, caseSeed) : DrawPool(r, seed, index, caseSeed, kindDraw < 17 ? FuzzKind.MaxPool : FuzzKind.AveragePool);
    }

    private static int Rank(Random r) => r.Next(20) switch { < 4 => 1, < 14 => 2, _ => 3 };

    /// <summary>Sizes are skewed small (1 often: any axis may be 1), with a tail up to <paramref name="max"/>.</summary>
    private static int Size(Random r, int max) => r.Next(6) switch { 0 => 1, 1 or 2 => r.Next(2, 6), _ => r.Next(1, max + 1) };

    private static FuzzCase DrawConv(Random r, int seed, int index, int caseSeed)
    {
        int rank = Rank(r);
        bool large = r.Next(8) == 0;
        int group = r.Next(10) switch { < 5 => 1, < 8 => r.Next(2, 9), _ => new[] { 16, 32, 64, r.Next(9, 65) }[r.Next(4)] };
        int cpg = r.Next(3) == 0 ? r.Next(1, 17) : r.Next(1, 5), mpg = r.Next(3) == 0 ? r.Next(1, 17) : r.Next(1, 9);
        int batch = r.Next(4) == 0 ? r.Next(2, 4) : 1;
        int mode = r.Next(10); // 0–1 pointwise, 2–4 "same" stride 1, the rest anything
        var axes = new Axis[3];
        for (int a = 0; a < 3; a++)
        {
            if (a < 3 - rank) { axes[a] = new Axis(1, 1, 1, 1, 0, 0); continue; }
            int n = Size(r, large ? 40 : 14);
            if (mode < 2) { axes[a] = new Axis(n, 1, 1, 1, 0, 0); continue; }
            int k = r.Next(4) == 0 ? 1 : r.Next(2, 6), d = r.Next(3) == 0 ? r.Next(2, 4) : 1;
            int eff = (k - 1) * d + 1;
            // "Same" 3-D windows sometimes get a free depth axis: a one-plane depth with a stride and pad whose only tap is padding.
            if (mode < 5 && !(a == 0 && r.Next(3) == 0))
            {
                int total = eff - 1, begin = r.Next(total + 1);
                axes[a] = new Axis(n, k, 1, d, begin, total - begin, Same: true);
            }
            else
            {
                int s = r.Next(1, 4);
                // Pads may exceed the kernel: whole windows in padding give the bias (plus residual).
                int pb = r.Next(3) == 0 ? 0 : r.Next(0, eff + 2), pe = r.Next(3) == 0 ? pb : r.Next(0, eff + 2);
                if (n + pb + pe < eff) pe = eff - n - pb;
                axes[a] = new Axis(n, k, s, d, pb, pe);
            }
        }
        bool bias = r.Next(10) < 7, residual = r.Next(10) < 3, relu = r.Next(10) < 4;
        // Winograd's domain (one group, stride-1 3×3 2-D windows) is a thin slice of the draws above: half the 2-D "same"
        // cases are pinned to it, with pads 0–2 on each side. Drawn last, so every other case stays as it was.
        if (mode == 2 && rank == 2 && r.Next(2) == 0)
        {
            group = 1;
            for (int a = 1; a < 3; a++)
            {
                int pb = r.Next(3), pe = r.Next(3), n = Math.Max(axes[a].N, 3 - pb - pe);
                axes[a] = new Axis(n, 3, 1, 1, pb, pe, Same: pb + pe == 2);
            }
        }
        // The diagonal grouped kernel's domain (ResNeXt's 4 or 8 channels per group, in and out, 2-D) is thinner still: a
        // third of the 2-D grouped draws are pinned to it, drawn last as Winograd's are.
        if (group > 1 && rank == 2 && r.Next(3) == 0) cpg = mpg = r.Next(2) == 0 ? 4 : 8;
        // Shrink to the budget: the largest input axis first, then the channels, then the batch.
        while (true)
        {
            var w = Window(axes);
            long macs = (long)batch * group * mpg * w.OutSize * cpg * w.KernelSize;
            if (macs <= (large ? LargeMacBudget : MacBudget) && (long)batch * group * cpg * w.InSize <= (large ? 400_000 : 60_000))
                return new FuzzCase(seed, index, caseSeed, FuzzKind.Conv, rank,
                    new ConvShape(batch, group * cpg, group * mpg, group, w, new ConvEpilogue(residual, relu)), bias, false, false, false);
            int largest = -1;
            for (int a = 0; a < 3; a++)
                if (axes[a].CanHalve && (largest < 0 || axes[a].N > axes[largest].N)) largest = a;
            if (largest >= 0 && axes[largest].N > 2) axes[largest] = axes[largest].Halved();
            else if (mpg > 1) mpg = (mpg + 1) / 2;
            else if (cpg > 1) cpg = (cpg + 1) / 2;
            else if (batch > 1) batch--;
            else if (largest >= 0) axes[largest] = axes[largest].Halved();
            else if (group > 1) group = (group + 1) / 2;
            else throw new InvalidOperationException("The fuzz budget cannot hold a 1-channel convolution: raise MacBudget.");
        }
    }

    private static FuzzCase DrawPool(Random r, int seed, int index, int caseSeed, FuzzKind kind)
    {
        int rank = Rank(r), planes = r.Next(1, 7);
        bool ceil = r.Next(10) < 4, countIncludePad = kind == FuzzKind.AveragePool && r.Next(2) == 0;
        var axes = new Axis[3];
        for (int a = 0; a < 3; a++)
        {
            if (a < 3 - rank) { axes[a] = new Axis(1, 1, 1, 1, 0, 0); continue; }
            int k = r.Next(1, 5), s = r.Next(1, 4);
            // Dilations for max pools only (ONNX AveragePool has none before opset 19). Pads stay below the
            // kernel (ONNX Runtime refuses larger), so no window lies wholly in padding unless dilated.
            int d = kind == FuzzKind.MaxPool && k > 1 && r.Next(4) == 0 ? 2 : 1, eff = (k - 1) * d + 1;
            int pb = r.Next(k), pe = r.Next(3) == 0 ? pb : r.Next(k);
            int n = Math.Max(Size(r, 14), eff - pb - pe);
            if (n < 1) n = 1;
            axes[a] = new Axis(n, k, s, d, pb, pe);
        }
        var w = Window(axes, ceil);
        return new FuzzCase(seed, index, caseSeed, kind, rank, new ConvShape(1, planes, planes, 1, w), false, ceil, countIncludePad, r.Next(5) == 0);
    }

    private readonly record struct Axis(int N, int K, int S, int D, int PadBegin, int PadEnd, bool Same = false)
    {
        public int Effective => (K - 1) * D + 1;
        /// <summary>"Same" axes keep their output equal to the input; others need the window to fit the padded input.</summary>
        public bool CanHalve => N > 1 && (Same || (N + 1) / 2 + PadBegin + PadEnd >= Effective);
        public Axis Halved() => this with { N = Math.Max(1, Same ? (N + 1) / 2 : Math.Max((N + 1) / 2, Effective - PadBegin - PadEnd)) };

        /// <summary>Output size as <see cref="WindowAttributes.Resolve"/> computes it with explicit pads (ceil_mode included).</summary>
        public int Out(bool ceil)
        {
            long span = (long)N + PadBegin + PadEnd - Effective;
            int output = (int)(ceil ? (span + S - 1) / S : span / S) + 1;
            if (ceil && (long)(output - 1) * S >= N + PadBegin) output--;
            return output;
        }
    }

    private static Window3D Window(Axis[] a, bool ceil = false) =>
        new(a[0].N, a[1].N, a[2].N, a[0].Out(ceil), a[1].Out(ceil), a[2].Out(ceil), a[0].K, a[1].K, a[2].K, a[0].S, a[1].S, a[2].S,
            a[0].D, a[1].D, a[2].D, a[0].PadBegin, a[1].PadBegin, a[2].PadBegin, a[0].PadEnd, a[1].PadEnd, a[2].PadEnd);

    /// <summary>Runs <paramref name="cases"/> on every tier in <paramref name="tiers"/> at 1 and 2 threads.</summary>
    /// <param name="log">Each failure as it is found (null: collected only).</param>
    public static FuzzResult Run(IEnumerable<FuzzCase> cases, IReadOnlyList<CpuIsa> tiers, Action<string>? log = null)
    {
        var result = new FuzzResult();
        var clock = Stopwatch.StartNew();
        using var one = new ParallelRunner(1);
        using var two = new ParallelRunner(2);
        ParallelRunner[] runners = [one, two];
        foreach (FuzzCase c in cases)
        {
            result.Cases++;
            var failures = new List<string>();
            try
            {
                if (c.Kind == FuzzKind.Conv) RunConv(c, tiers, runners, result, failures);
                else RunPool(c, tiers, runners, result, failures);
            }
            catch (Exception e)
            {
                failures.Add($"{c}: {e.GetType().Name}: {e.Message}");
            }
            foreach (string failure in failures)
            {
                bool known = KnownFailures.Any(k => k.Matches(failure));
                (known ? result.KnownFailures : result.Failures).Add(failure);
                log?.Invoke((known ? "known: " : "") + failure);
            }
        }
        result.Elapsed = clock.Elapsed;
        return result;
    }

    private static float[] Values(Random r, long length)
    {
        var values = new float[length];
        for (long i = 0; i < length; i++) values[i] = (float)(r.NextDouble() * 2 - 1);
        return values;
    }

    private static void RunConv(FuzzCase c, IReadOnlyList<CpuIsa> tiers, ParallelRunner[] runners, FuzzResult result, List<string> failures) =>
        RunConv(c.Shape, c.Bias, c.Seed ^ 0x5bd1e995, c.ToString(), tiers, runners, result, failures);

    /// <summary>
    /// One convolution through every algorithm <see cref="ConvPlan.Applicable"/> lists (constant and run-time weights),
    /// on every tier of <paramref name="tiers"/> and every runner, against <see cref="ConvReference"/>; the ConvCases
    /// tests use it too. Failures name <paramref name="label"/>, the tier, the algorithm, the weights, the threads and the index.
    /// </summary>
    public static void RunConv(ConvShape s, bool withBias, int seed, string label, IReadOnlyList<CpuIsa> tiers, ParallelRunner[] runners,
        FuzzResult result, List<string> failures)
    {
        var r = new Random(seed);
        float[] x = Values(r, s.InputLength), weight = Values(r, s.WeightLength), bias = withBias ? Values(r, s.OutChannels) : [];
        float[] residual = s.Epilogue.Residual ? Values(r, s.OutputLength) : [];
        var expected = new float[s.OutputLength];
        ConvReference.Run(x, weight, bias, expected, s.Batch, s.Channels, s.OutChannels, s.Group, s.Window, residual, s.Epilogue.Relu);
        // Per element |a − e| ≤ atol + rtol·|e|; float32 sums of K products in another order drift like √K.
        double rtol = 1e-4, atol = 1e-5 * Math.Sqrt(s.K);
        var y = new float[s.OutputLength + GuardLength];
        var counted = new HashSet<string>();
        foreach (CpuIsa isa in tiers)
        {
            CpuPlatform platform = CpuPlatform.Create(isa);
            foreach (bool constant in new[] { true, false })
            {
                Tensor? weights = constant ? Tensor.FromArray(weight, weight.Length) : null;
                foreach (ConvAlgorithm algorithm in ConvPlan.Applicable(s, constant))
                {
                    if (counted.Add($"{algorithm}/{isa.Name()}")) Count(result, $"{algorithm}/{isa.Name()}");
                    foreach (ParallelRunner runner in runners)
                    {
                        string where = $"{label} | {platform} | {algorithm} | {(constant ? "constant" : "run-time")} weights | {runner.Threads} thread(s)";
                        try
                        {
                            ConvPlan plan = ConvPlan.Create(algorithm, s, weights, platform, runner);
                            var workspace = new WorkspaceBuffer(plan.WorkspaceBytes);
                            Array.Fill(y, float.NaN);
                            plan.Run(x, weight, bias, residual, y.AsSpan(0, (int)s.OutputLength), workspace.Workspace);
                            GC.KeepAlive(workspace); // the Workspace is a raw pointer into it
                            result.Runs++;
                            Check(y, expected, rtol, atol, where, failures);
                        }
                        catch (Exception e)
                        {
                            failures.Add($"{where}: {e.GetType().Name}: {e.Message}");
                        }
                    }
                }
            }
            if (platform.BlockSize > 0 && BlockedDirectPlan.Supports(s, platform.BlockSize))
            {
                if (counted.Add($"{ConvAlgorithm.BlockedDirect}/{isa.Name()}")) Count(result, $"{ConvAlgorithm.BlockedDirect}/{isa.Name()}");
                foreach (ParallelRunner runner in runners)
                    RunBlocked(s, x, weight, bias, residual, expected, rtol, atol, platform, runner, $"{label} | {platform} | BlockedDirect | {runner.Threads} thread(s)", result, failures,
                        (tensor, p) => new BlockedDirectPlan(s, tensor, p, runner));
            }
            // The diagonal grouped kernel (AVX-512: groups of 4 or 8 channels; AVX2: 4).
            if (GroupedDiagonalPlan.Supports(s, platform))
            {
                if (counted.Add($"{ConvAlgorithm.GroupedDiagonal}/{isa.Name()}")) Count(result, $"{ConvAlgorithm.GroupedDiagonal}/{isa.Name()}");
                foreach (ParallelRunner runner in runners)
                    RunBlocked(s, x, weight, bias, residual, expected, rtol, atol, platform, runner, $"{label} | {platform} | GroupedDiagonal | {runner.Threads} thread(s)", result, failures,
                        (tensor, p) => new GroupedDiagonalPlan(s, tensor, p, runner));
            }
            // Winograd (stride-1 3×3): both variants, whichever the selection would pick.
            if (platform.BlockSize > 0 && WinogradPlan.Supports(s, platform.BlockSize))
                foreach (WinogradMatrices transform in new[] { WinogradMatrices.F4, WinogradMatrices.F2 })
                {
                    ConvAlgorithm algorithm = WinogradPlan.AlgorithmOf(transform);
                    if (counted.Add($"{algorithm}/{isa.Name()}")) Count(result, $"{algorithm}/{isa.Name()}");
                    foreach (ParallelRunner runner in runners)
                        RunBlocked(s, x, weight, bias, residual, expected, rtol, atol, platform, runner, $"{label} | {platform} | {algorithm} | {runner.Threads} thread(s)", result, failures,
                            (tensor, p) => new WinogradPlan(s, tensor, transform, p, runner));
                }
        }
    }

    /// <summary>
    /// The blocked direct kernel on the same convolution: input and residual reordered to the platform's block, the
    /// result reordered back and checked like the others; the padded lanes of the blocked output must be exactly 0.
    /// </summary>
    private static void RunBlocked(ConvShape s, float[] x, float[] weight, float[] bias, float[] residual, float[] expected, double rtol, double atol,
        CpuPlatform platform, ParallelRunner runner, string where, FuzzResult result, List<string> failures, Func<Tensor, CpuPlatform, ConvPlan> make)
    {
        try
        {
            int b = platform.BlockSize, cp = BlockedLayout.PaddedChannels(s.Channels, b), mp = BlockedLayout.PaddedChannels(s.OutChannels, b);
            ConvPlan plan = make(Tensor.FromArray(weight, weight.Length), platform);
            float[] xb = new float[(long)s.Batch * cp * s.Window.InSize], yb = new float[(long)s.Batch * mp * s.Window.OutSize + GuardLength];
            float[] rb = s.Epilogue.Residual ? new float[(long)s.Batch * mp * s.Window.OutSize] : [];
            Reorder.ToBlocked(x, xb, s.Batch, s.Channels, s.Window.InSize, b, runner);
            if (s.Epilogue.Residual) Reorder.ToBlocked(residual, rb, s.Batch, s.OutChannels, s.Window.OutSize, b, runner);
            Array.Fill(yb, float.NaN);
            int outLength = s.Batch * mp * s.Window.OutSize;
            var workspace = new WorkspaceBuffer(plan.WorkspaceBytes);
            plan.Run(xb, default, bias, rb, yb.AsSpan(0, outLength), workspace.Workspace);
            GC.KeepAlive(workspace);
            result.Runs++;
            for (int i = outLength; i < yb.Length; i++)
                if (!float.IsNaN(yb[i])) { failures.Add($"{where}: wrote past the output (guard index {i - outLength})"); return; }
            var y = new float[s.OutputLength + GuardLength];
            y.AsSpan((int)s.OutputLength).Fill(float.NaN);
            Reorder.FromBlocked(yb.AsSpan(0, outLength), y.AsSpan(0, (int)s.OutputLength), s.Batch, s.OutChannels, mp, s.Window.OutSize, b, runner);
            Check(y, expected, rtol, atol, where, failures);
            for (int n = 0; n < s.Batch; n++)
                for (int m = s.OutChannels; m < mp; m++)
                    for (int p = 0; p < s.Window.OutSize; p++)
                    {
                        float v = yb[(((long)n * (mp / b) + m / b) * s.Window.OutSize + p) * b + m % b];
                        if (v != 0f) { failures.Add($"{where}: padded channel {m} at pixel {p} of image {n} is {v:R}, not 0"); return; }
                    }
        }
        catch (Exception e)
        {
            failures.Add($"{where}: {e.GetType().Name}: {e.Message}");
        }
    }

    private static void Check(float[] y, float[] expected, double rtol, double atol, string where, List<string> failures)
    {
        int bad = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = y[i];
            if (!(Math.Abs(a - e) <= atol + rtol * Math.Abs(e))) { if (bad++ == 0) first = i; }
        }
        if (bad > 0)
            failures.Add($"{where}: {bad} of {expected.Length} elements wrong, first at index {first}: got {y[first]:R}, expected {expected[first]:R}");
        for (int i = expected.Length; i < y.Length; i++)
            if (!float.IsNaN(y[i])) { failures.Add($"{where}: wrote past the output (guard index {i - expected.Length} = {y[i]:R})"); break; }
    }

    private static void Count(FuzzResult result, string key) => result.Counts[key] = result.Counts.GetValueOrDefault(key) + 1;

    private static void RunPool(FuzzCase c, IReadOnlyList<CpuIsa> tiers, ParallelRunner[] runners, FuzzResult result, List<string> failures)
    {
        Window3D w = c.Shape.Window;
        int planes = c.Shape.Batch * c.Shape.Channels;
        var r = new Random(c.Seed ^ 0x27d4eb2f);
        float[] x = Values(r, (long)planes * w.InSize);
        if (c.InjectNaN) x[r.Next(x.Length)] = float.NaN;
        int outLength = planes * w.OutSize;
        var y = new float[outLength + GuardLength];
        if (c.Kind == FuzzKind.AveragePool)
        {
            double[] expected = AverageReference(x, planes, w, c.CountIncludePad);
            Count(result, "Average/-");
            foreach (ParallelRunner runner in runners)
            {
                string where = $"{c} | average | {runner.Threads} thread(s)";
                Array.Fill(y, float.NaN);
                PoolKernel.Average(x, y.AsSpan(0, outLength), planes, w, c.CountIncludePad, runner);
                result.Runs++;
                CheckPool(y, expected, outLength, where, failures, max: false);
            }
            return;
        }
        double[] maxExpected = MaxReference(x, planes, w);
        foreach (CpuIsa isa in tiers)
        {
            CpuPlatform platform = CpuPlatform.Create(isa);
            bool rows = MaxRows.Applies(w);
            foreach (bool allowRowPath in rows ? new[] { true, false } : [false])
            {
                string path = allowRowPath ? "MaxRows" : "MaxWalk";
                Count(result, $"{path}/{isa.Name()}");
                foreach (ParallelRunner runner in runners)
                {
                    string where = $"{c} | {platform} | {path} | {runner.Threads} thread(s)";
                    Array.Fill(y, float.NaN);
                    PoolKernel.Max<float>(x, y.AsSpan(0, outLength), default, planes, w, false, runner, platform, allowRowPath);
                    result.Runs++;
                    CheckPool(y, maxExpected, outLength, where, failures, max: true);
                }
            }
        }
    }

    /// <summary>Empty windows (every tap in padding, possible for dilated max pools) are marked with this; either 0 or −∞ is accepted there.</summary>
    private const double Empty = double.PositiveInfinity;

    private static void CheckPool(float[] y, double[] expected, int length, string where, List<string> failures, bool max)
    {
        int bad = 0, first = -1;
        for (int i = 0; i < length; i++)
        {
            double e = expected[i], a = y[i];
            bool ok = e == Empty ? a == 0 || double.IsNegativeInfinity(a)
                : double.IsNaN(e) ? double.IsNaN(a)
                : max ? a == e
                : Math.Abs(a - e) <= 1e-6 * (1 + Math.Abs(e));
            if (!ok && bad++ == 0) first = i;
        }
        if (bad > 0)
            failures.Add($"{where}: {bad} of {length} elements wrong, first at index {first}: got {y[first]:R}, expected {(expected[first] == Empty ? "0 or -inf (empty window)" : expected[first].ToString("R"))}");
        for (int i = length; i < y.Length; i++)
            if (!float.IsNaN(y[i])) { failures.Add($"{where}: wrote past the output (guard index {i - length} = {y[i]:R})"); break; }
    }

    /// <summary>Taps of one axis: positions start + k·d, k &lt; kernel.</summary>
    private static IEnumerable<int> Taps(int o, int s, int padBegin, int k, int d)
    {
        for (int t = 0; t < k; t++) yield return o * s - padBegin + t * d;
    }

    /// <summary>
    /// Every pooling window, output by output in order: the values of its taps inside the input (in tap order), and
    /// how many of its taps lie inside the input plus its declared pads (ONNX's count_include_pad divisor: taps
    /// that ceil_mode pushes past the end pad never count).
    /// </summary>
    private static IEnumerable<(List<float> Inside, int Padded)> Windows(float[] x, int planes, Window3D w)
    {
        for (int p = 0; p < planes; p++)
            for (int od = 0; od < w.OutD; od++)
                for (int oh = 0; oh < w.OutH; oh++)
                    for (int ow = 0; ow < w.OutW; ow++)
                    {
                        var inside = new List<float>();
                        int padded = 0;
                        foreach (int id in Taps(od, w.SD, w.PadD, w.KD, w.DD))
                            foreach (int ih in Taps(oh, w.SH, w.PadH, w.KH, w.DH))
                                foreach (int iw in Taps(ow, w.SW, w.PadW, w.KW, w.DW))
                                {
                                    if (id >= -w.PadD && id < w.InD + w.PadEndD && ih >= -w.PadH && ih < w.InH + w.PadEndH
                                        && iw >= -w.PadW && iw < w.InW + w.PadEndW) padded++;
                                    if (id >= 0 && id < w.InD && ih >= 0 && ih < w.InH && iw >= 0 && iw < w.InW)
                                        inside.Add(x[(((long)p * w.InD + id) * w.InH + ih) * w.InW + iw]);
                                }
                        yield return (inside, padded);
                    }
    }

    /// <summary>Plain max pool: NaN if any tap is NaN, the largest tap otherwise, <see cref="Empty"/> for a window with no tap in the input.</summary>
    private static double[] MaxReference(float[] x, int planes, in Window3D w) =>
        Windows(x, planes, w).Select(t => t.Inside.Count == 0 ? Empty : t.Inside.Any(float.IsNaN) ? double.NaN : t.Inside.Max(v => (double)v)).ToArray();

    /// <summary>Plain average pool in double: the taps inside the input over their count, or with count_include_pad over <see cref="Windows"/>' padded count.</summary>
    private static double[] AverageReference(float[] x, int planes, in Window3D w, bool countIncludePad) =>
        Windows(x, planes, w).Select(t =>
        {
            int divisor = countIncludePad ? t.Padded : t.Inside.Count;
            return t.Inside.Any(float.IsNaN) ? double.NaN : divisor == 0 ? Empty : t.Inside.Sum(v => (double)v) / divisor;
        }).ToArray();
}
