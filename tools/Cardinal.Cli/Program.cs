using System.CommandLine;
using System.CommandLine.Invocation;
using Cardinal;
using Cardinal.Cli;
using Cardinal.Cli.CommandLine;

// cardinal: inspect, run and verify ONNX models; embed, rank and classify images — with Cardinal's CPU engine.
// Exit codes: 0 success, 1 verify mismatch, 2 bad arguments or input files, 3 internal error, 4 some images failed.
return Cli.Execute(args, Console.Out, Console.Error);

namespace Cardinal.Cli
{
    public static class Cli
    {
        public const int Ok = 0, Mismatch = 1, BadInput = 2, InternalError = 3, SomeImagesFailed = 4;

        /// <summary>
        /// Parses and runs one command line (System.CommandLine: see CommandLine/ and Verbs/). Help and --version
        /// exit 0; a command line that does not parse is one line on stderr, exit 2; a verb's own errors map to
        /// the exit codes above.
        /// </summary>
        public static int Execute(string[] args, TextWriter stdout, TextWriter stderr) =>
            Execute(CardinalCommandLine.Create(), args, stdout, stderr);

        /// <summary>The same on a given command tree (tests add a verb that fails in a chosen way).</summary>
        internal static int Execute(RootCommand root, string[] args, TextWriter stdout, TextWriter stderr)
        {
            try
            {
                // No command: the overview, on stderr, and the exit code of a bad command line.
                if (args.Length == 0)
                {
                    root.Parse(["--help"], CardinalCommandLine.ParserConfiguration).Invoke(Invocation(stderr, stderr));
                    return BadInput;
                }
                // "cardinal help [COMMAND]" is "cardinal [COMMAND] --help".
                if (args[0] == "help") args = [.. args[1..], "--help"];
                ParseResult parsed = root.Parse(args, CardinalCommandLine.ParserConfiguration);
                if (parsed.Action is not CommandLineAction { ClearsParseErrors: true } && ParseErrors.Find(parsed) is string problem)
                    return Fail(stderr, problem, BadInput);
                return parsed.Invoke(Invocation(stdout, stderr));
            }
            catch (UsageException e) { return Fail(stderr, e.Message, BadInput); }
            catch (CardinalException e) { return Fail(stderr, e.Message, BadInput); }
            catch (IOException e) { return Fail(stderr, e.Message, BadInput); }
            catch (UnauthorizedAccessException e) { return Fail(stderr, e.Message, BadInput); }
            catch (OutOfMemoryException) { return Fail(stderr, "out of memory", InternalError); }
            catch (Exception e) { return Fail(stderr, $"internal error: {e.GetType().Name}: {e.Message}", InternalError); }
        }

        /// <summary>
        /// The writers the verbs print to; exceptions reach <see cref="Execute"/>'s mapping to exit codes (not
        /// System.CommandLine's handler), and no Ctrl+C handler is installed: the verbs are synchronous.
        /// </summary>
        private static InvocationConfiguration Invocation(TextWriter stdout, TextWriter stderr) => new()
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };

        private static int Fail(TextWriter stderr, string message, int code)
        {
            stderr.WriteLine($"cardinal: {message.ReplaceLineEndings(" ")}");
            return code;
        }
    }
}
