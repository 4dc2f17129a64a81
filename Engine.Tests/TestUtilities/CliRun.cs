namespace Cardinal.Tests.TestUtilities;

/// <summary>The `cardinal` CLI in-process, as the tests drive it: the exit code and everything it wrote.</summary>
public static class CliRun
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Cardinal.Cli.Cli.Execute(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
