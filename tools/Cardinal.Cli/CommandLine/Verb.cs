using System.CommandLine;

namespace Cardinal.Cli.CommandLine;

/// <summary>How a verb's declaration (Verbs/*.cs) hands what was parsed to the verb's code.</summary>
internal static class Verb
{
    /// <summary>
    /// Runs a verb written against <see cref="CliArguments"/> (the verbs that predate System.CommandLine): it
    /// gets the flags as given, with the writers the CLI was called with.
    /// </summary>
    public static Command Runs(this Command command, Func<CliArguments, TextWriter, TextWriter, int> run)
    {
        command.SetAction(parsed => run(CliArguments.From(parsed), Out(parsed), Error(parsed)));
        return command;
    }

    /// <summary>The stdout <see cref="Cli.Execute"/> was given.</summary>
    public static TextWriter Out(ParseResult parsed) => parsed.InvocationConfiguration.Output;

    /// <summary>The stderr <see cref="Cli.Execute"/> was given.</summary>
    public static TextWriter Error(ParseResult parsed) => parsed.InvocationConfiguration.Error;

    /// <summary>A value option that may repeat (--input a --input b), each occurrence taking one value.</summary>
    public static Option<string[]> Repeated(string name, string helpName, string description) => new(name)
    {
        HelpName = helpName,
        Description = description,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>A single-valued option read as text (the verb's code checks and converts it).</summary>
    public static Option<string> Value(string name, string helpName, string description) => new(name)
    {
        HelpName = helpName,
        Description = description,
    };
}
