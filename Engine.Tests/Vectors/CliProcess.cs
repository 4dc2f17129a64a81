using System.Diagnostics;

namespace Cardinal.Tests.Vectors;

/// <summary>The real <c>cardinal</c> executable as a child process, for kill tests.</summary>
internal static class CliProcess
{
    /// <summary>
    /// The CLI's own build output (tools/Cardinal.Cli/bin/Release|Debug/net10.0), not the copy beside the tests:
    /// the test folder also holds the ASP.NET service, whose shared framework displaces packages the CLI's
    /// Orleans needs (Microsoft.AspNetCore.Connections.Abstractions), so `cardinal silo` cannot start from there.
    /// </summary>
    public static string Dll
    {
        get
        {
            string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;   // …/bin/<Configuration>/net10.0/
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tools", "Cardinal.Cli", "bin", configuration, "net10.0", "cardinal.dll");
                if (File.Exists(candidate)) return candidate;
            }
            return Path.Combine(AppContext.BaseDirectory, "cardinal.dll");
        }
    }

    public static Process Start(params string[] args) => Start(null, args);

    /// <summary>Starts cardinal ARGS; every line it prints (stdout and stderr) goes to <paramref name="lines"/> when given.</summary>
    public static Process Start(System.Collections.Concurrent.ConcurrentQueue<string>? lines, params string[] args) =>
        StartProgram("dotnet", [Dll, .. args], lines);

    public static Process StartProgram(string program, IEnumerable<string> args, System.Collections.Concurrent.ConcurrentQueue<string>? lines = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        // Drain the pipes so a chatty child never blocks on a full one.
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines?.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines?.Enqueue(e.Data); };
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
