using System.CommandLine;
using System.Reflection;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Cardinal.Cli.Verbs;

namespace Cardinal.Cli.CommandLine;

/// <summary>
/// The command tree: every verb from Verbs/, help (-h, --help, -?) on each, --version on the root, response
/// files (@file), the [suggest] directive that shell completion calls, and the notes the root's help ends with.
/// </summary>
internal static class CardinalCommandLine
{
    /// <summary>What the root's help adds after the options: the contract a script relies on.</summary>
    public const string Notes = """
        Every command that opens a model takes --device cpu|cuda|opencl|ilgpu-cpu|auto (default cpu); a missing
        device is an error (exit 2), never a silent fallback, except auto (CUDA, then OpenCL, else cpu).
        MODEL defaults to the bundled ImageNet-pretrained ResNet-18 (models/resnet18-mlnet.onnx).
        'cardinal COMMAND --help' describes a command; '@FILE' reads arguments from FILE (one or more to a line);
        'cardinal completion bash|zsh|pwsh' prints a shell completion script.

        Exit codes:
          0  ok
          1  verify mismatch (loadtest: an answer differed or a request failed)
          2  bad arguments or files
          3  internal error
          4  some images could not be read (the others were processed; failures listed on stderr)
        """;

    /// <summary>Builds the tree anew for each call: the verbs' actions read the writers from the parse result.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("cardinal: inspect, run and verify ONNX models; embed, rank and classify images, with Cardinal's CPU engine or ILGPU.")
        {
            InspectVerb.Create(),
            DevicesVerb.Create(),
            BenchVerb.Create(),
            RunVerb.Create(),
            VerifyVerb.Create(),
            EmbedVerb.Create(),
            SimilarVerb.Create(),
            ClassifyVerb.Create(),
            FitVerb.Create(),
            IndexVerb.Create(),
            SiloVerb.Create(),
            LoadTestVerb.Create(),
            CompletionVerb.Create(),
        };
        foreach (Option option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction help }) option.Action = new HelpWithNotes(help);
            // System.CommandLine reads the entry assembly's version: the CLI's own, wherever Execute is called from.
            if (option is VersionOption) option.Action = new PrintVersion();
        }
        return root;
    }

    /// <summary>The CLI assembly's informational version: the package version, and the commit it was built from.</summary>
    public static string Version =>
        typeof(CardinalCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CardinalCommandLine).Assembly.GetName().Version?.ToString() ?? "unknown";

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return Cli.Ok;
        }
    }

    /// <summary>Parsing as the CLI does it: response files on (the default), no POSIX bundling (no short flags to bundle).</summary>
    public static ParserConfiguration ParserConfiguration { get; } = new() { EnablePosixBundling = false };

    /// <summary>The built-in help, followed on the root by <see cref="Notes"/>.</summary>
    private sealed class HelpWithNotes(HelpAction inner) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            int code = inner.Invoke(parseResult);
            if (parseResult.CommandResult.Command is RootCommand)
                parseResult.InvocationConfiguration.Output.WriteLine(Notes);
            return code;
        }
    }
}
