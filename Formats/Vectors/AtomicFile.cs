namespace Cardinal.Formats.Vectors;

/// <summary>
/// Writes a file under a temporary name beside its final one and renames it into place, so the final name
/// only ever holds a complete file: a process killed mid-write leaves a stray *.tmp, never a half file.
/// </summary>
internal static class AtomicFile
{
    /// <summary>The temporary name for <paramref name="path"/>: unique per process, so two writers never share one.</summary>
    public static string TempName(string path) => $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";

    public static void Write(string path, Action<Stream> write)
    {
        string temp = TempName(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void WriteText(string path, string text) =>
        Write(path, s => { var bytes = new System.Text.UTF8Encoding(false).GetBytes(text); s.Write(bytes); });

    /// <summary>Removes temporaries a killed writer left in <paramref name="folder"/> (names ending in .tmp).</summary>
    public static void CleanTemporaries(string folder, string prefix)
    {
        foreach (string f in Directory.EnumerateFiles(folder, prefix + "*.tmp")) TryDelete(f);
    }

    /// <summary>
    /// Removes the temporaries of <paramref name="prefix"/>… in <paramref name="folder"/> whose writer is no longer
    /// running on this machine (its process id is in the name, <see cref="TempName"/>): what a killed writer left of
    /// a file another process now writes again. A live writer's temporary is left alone. (A writer on another machine
    /// sharing the folder is judged by this machine's processes: one whose id is not running here counts as gone.)
    /// </summary>
    public static void CleanStaleTemporaries(string folder, string prefix)
    {
        foreach (string f in Directory.EnumerateFiles(folder, prefix + "*.tmp"))
        {
            string[] parts = Path.GetFileName(f).Split('.');
            if (parts.Length < 4 || !int.TryParse(parts[^3], out int pid) || !IsRunning(pid)) TryDelete(f);
        }
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }   // no such process
        catch (InvalidOperationException) { return false; }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
