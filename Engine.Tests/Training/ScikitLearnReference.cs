using System.Diagnostics;
using Cardinal.Formats.Npy;
using Cardinal.Tensors;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Training;

/// <summary>
/// Runs tools/reference/sklearn_logreg.py (Debian's /usr/bin/python3 with python3-sklearn) on the given
/// features: scikit-learn's StandardScaler + multinomial LogisticRegression at C = 1/(λ·n). Missing Python or
/// scikit-learn is a skip locally and a failure under CI.
/// </summary>
internal static class ScikitLearnReference
{
    public sealed record Result(float[] Coef, float[] Intercept, long[] Predictions);

    public static Result Fit(float[] x, int n, int d, int[] y, double lambda, float[]? xTest = null, int nTest = 0)
    {
        string script = Path.Combine(RepositoryRoot, "tools", "reference", "sklearn_logreg.py");
        References.Require("/usr/bin/python3", "Install python3 (tools/install-references.sh).");
        References.Require("/usr/lib/python3/dist-packages/sklearn", "Install python3-sklearn (tools/install-references.sh).");
        string dir = Directory.CreateTempSubdirectory("cardinal-sklearn-").FullName;
        try
        {
            NpyFile.Write(Path.Combine(dir, "x.npy"), Tensor.FromArray(x, n, d));
            NpyFile.Write(Path.Combine(dir, "y.npy"), Tensor.FromArray(y.Select(v => (long)v).ToArray(), n));
            double c = 1.0 / (lambda * n);
            var args = new List<string> { "-I", script, Path.Combine(dir, "x.npy"), Path.Combine(dir, "y.npy"),
                c.ToString("R", System.Globalization.CultureInfo.InvariantCulture), Path.Combine(dir, "out") };
            if (xTest is not null)
            {
                NpyFile.Write(Path.Combine(dir, "xt.npy"), Tensor.FromArray(xTest, nTest, d));
                args.Add(Path.Combine(dir, "xt.npy"));
            }
            var start = new ProcessStartInfo("/usr/bin/python3", args) { RedirectStandardError = true, RedirectStandardOutput = true };
            using var process = Process.Start(start)!;
            string stderr = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.That(process.ExitCode, Is.EqualTo(0), $"sklearn_logreg.py failed: {stderr}");
            string Out(string name) => Path.Combine(dir, "out", name);
            return new Result(NpyFile.Read(Out("coef.npy")).Floats.ToArray(), NpyFile.Read(Out("intercept.npy")).Floats.ToArray(),
                NpyFile.Read(Out("pred.npy")).Span<long>().ToArray());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Engine.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Engine.sln not found above the test folder");
        }
    }
}
