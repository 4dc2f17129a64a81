using Cardinal.Formats.Npy;
using Cardinal.Tensors;

namespace Cardinal.Cli.Commands;

/// <summary>
/// cardinal verify: runs the model and compares each output with an expected .npy. Passes (exit 0) only
/// if every element satisfies |a − e| ≤ atol + rtol·|e|; prints the max abs/rel error per output.
/// Every model input needs an --input (a model without inputs, such as a lone Constant, needs none).
/// </summary>
internal static class VerifyCommand
{
    public static int Run(CliArguments a, TextWriter stdout)
    {
        if (a.All("--expected").Count == 0) throw new UsageException("verify needs --expected");
        double rtol = a.Double("--rtol", 1e-3), atol = a.Double("--atol", 1e-4);
        string path = ModelFiles.Resolve(a.Single("--model"));
        using var session = ModelFiles.Open(path, a);
        var expectedFiles = ModelFiles.Bind(a.All("--expected"), session.Outputs, "--expected");
        var expected = expectedFiles.ToDictionary(f => f.Key, f => NpyFile.Read(f.Value));
        var outputs = session.Run(ModelFiles.ReadInputs(a.All("--input"), session));

        bool allPass = true;
        foreach (var (name, want) in expected)
        {
            Tensor got = outputs[name];
            if (!got.Dims.SequenceEqual(want.Dims) || got.ElementType != want.ElementType)
            {
                stdout.WriteLine($"FAIL {name}: got {got}, expected {want}");
                allPass = false;
                continue;
            }
            var c = Compare(want, got, rtol, atol);
            bool pass = c.Violations == 0;
            allPass &= pass;
            stdout.WriteLine($"{(pass ? "ok  " : "FAIL")} {name}: {got}  max abs {c.MaxAbs:G4}  max rel {c.MaxRel:G4}  " +
                $"{c.Violations} of {got.Length} outside atol {atol:G3} + rtol {rtol:G3}·|e|" +
                (pass ? "" : $" (worst at {c.WorstIndex}: {c.WorstActual:G6} vs {c.WorstExpected:G6})"));
        }
        return allPass ? Cli.Ok : Cli.Mismatch;
    }

    internal readonly record struct Comparison(double MaxAbs, double MaxRel, long Violations, int WorstIndex, double WorstActual, double WorstExpected);

    internal static Comparison Compare(Tensor expected, Tensor actual, double rtol, double atol)
    {
        double maxAbs = 0, maxRel = 0, worst = -1; long violations = 0; int worstIndex = -1; double wa = 0, we = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = Convert.ToDouble(expected.Data.GetValue(i)), g = Convert.ToDouble(actual.Data.GetValue(i));
            double diff = double.IsNaN(e) && double.IsNaN(g) ? 0 : e == g ? 0 : Math.Abs(g - e);
            if (double.IsNaN(diff)) diff = double.PositiveInfinity;
            maxAbs = Math.Max(maxAbs, diff);
            if (e != 0) maxRel = Math.Max(maxRel, diff / Math.Abs(e));
            double excess = diff - (atol + rtol * Math.Abs(e));
            if (excess > 0) violations++;
            if (excess > worst) { worst = excess; worstIndex = i; wa = g; we = e; }
        }
        return new Comparison(maxAbs, maxRel, violations, worstIndex, wa, we);
    }
}
