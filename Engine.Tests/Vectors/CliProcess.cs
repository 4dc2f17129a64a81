using System.Diagnostics;

namespace Cardinal.Tests.Vectors;

/// <summary>The real <c>cardinal</c> executable as a child process (beside the tests: the CLI is a project reference), for kill tests.</summary>
internal static class CliProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "cardinal.dll");

    public static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (string a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        // Drain the pipes so a chatty child never blocks on a full one.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until <paramref name="condition"/> holds or the process exits; false when the time runs out.</summary>
    public static bool WaitFor(Process process, Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition() || process.HasExited) return true;
            Thread.Sleep(20);
        }
        return false;
    }

    /// <summary>SIGKILL (no cleanup runs in the child), then waits for it to be gone.</summary>
    public static void Kill(Process process)
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        Assert.That(process.WaitForExit(30_000), Is.True, "the killed cardinal did not exit");
    }
}
