using System.Diagnostics;

namespace Cardinal.Cli.Commands;

/// <summary>A one-line progress bar with images/s on stderr — only when stderr is a terminal, so pipes and logs stay clean.</summary>
internal sealed class ProgressReporter(int total, TextWriter stderr, bool enabled)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw = -1000;

    public static bool TerminalAttached => !Console.IsErrorRedirected;

    public double ImagesPerSecond(int done) => done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Report(int done)
    {
        if (!enabled) return;
        long now = _clock.ElapsedMilliseconds;
        if (done < total && now - _lastDraw < 100) return; // redraw at most ten times a second
        _lastDraw = now;
        const int width = 30;
        int filled = total == 0 ? width : (int)((long)done * width / total);
        stderr.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} images  {ImagesPerSecond(done):F1} img/s ");
        if (done >= total) stderr.WriteLine();
    }
}
