using System.CommandLine;
using System.CommandLine.Parsing;

namespace Cardinal.Cli.CommandLine;

/// <summary>
/// A parse that failed, as the CLI's one line: what was wrong (the first problem: an unknown option or command
/// before anything else), the closest known words when a word looks misspelt, and where the help is.
/// </summary>
internal static class ParseErrors
{
    /// <summary>The one-line problem with this command line, or null when it parsed.</summary>
    public static string? Find(ParseResult parsed)
    {
        string? loose = LooseOption(parsed);
        if (parsed.Errors.Count == 0 && loose is null) return null;
        Command command = parsed.CommandResult.Command;
        bool atRoot = command is RootCommand;
        string path = CommandPath(parsed.CommandResult);   // "cardinal", "cardinal embed", "cardinal index build"
        string message;
        // An unknown flag says most; a flag taken as a positional makes the tokens after it unmatched too.
        string? token = parsed.UnmatchedTokens.FirstOrDefault(t => t.StartsWith('-')) ?? loose ?? parsed.UnmatchedTokens.FirstOrDefault();
        if (token is not null)
        {
            if (token.StartsWith('-'))
                message = $"unknown option '{token}'{(atRoot ? "" : $" for '{path["cardinal ".Length..]}'")}" + DidYouMean(token, OptionNames(parsed), null);
            else if (command.Subcommands.Count > 0 && command.Arguments.Count == 0)
                message = $"unknown command '{token}'{(atRoot ? "" : $" for '{path["cardinal ".Length..]}'")}"
                          + DidYouMean(token, command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name), "commands");
            else
                message = $"unexpected argument '{token}'";
        }
        else if (MissingValue(parsed) is string missing) message = missing;
        // Errors of the tokens themselves (a response file not found) come before what they cause ("no command").
        else message = Sentence(parsed.Errors.OrderBy(e => e.SymbolResult is null ? 0 : 1).First().Message);
        return $"{message} (see '{path} --help')";
    }

    /// <summary>The words that name the parsed command, from the executable down (nested verbs: "index build").</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (CommandResult? r = result; r is not null && r.Command is not RootCommand; r = r.Parent as CommandResult) names.Add(r.Command.Name);
        names.Add("cardinal");
        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>
    /// An unknown "--flag" that System.CommandLine took as a value of the verb's positional argument (embed
    /// IMAGES…): the hand-written parser refused it, and it is a typo far more often than a file name. A file
    /// whose name starts with '-' still goes through after "--".
    /// </summary>
    private static string? LooseOption(ParseResult parsed)
    {
        var tokens = parsed.Tokens.ToList();
        int doubleDash = tokens.FindIndex(t => t.Type == TokenType.DoubleDash);
        foreach (var argument in parsed.CommandResult.Children.OfType<ArgumentResult>())
            foreach (Token t in argument.Tokens)
                if (t.Value.Length > 1 && t.Value[0] == '-' && (doubleDash < 0 || tokens.FindIndex(x => ReferenceEquals(x, t)) < doubleDash))
                    return t.Value;
        return null;
    }

    /// <summary>
    /// An option given without its value, or a verb without a required argument, in the words the hand-written
    /// parser used ("option '--runs' needs a value"), rather than System.CommandLine's.
    /// </summary>
    private static string? MissingValue(ParseResult parsed)
    {
        foreach (var option in parsed.CommandResult.Children.OfType<OptionResult>())
            if (!option.Implicit && option.Tokens.Count < option.Option.Arity.MinimumNumberOfValues)
                return $"option '{option.Option.Name}' needs a value";
        if (parsed.CommandResult.Command is RootCommand) return null;
        foreach (Argument argument in parsed.CommandResult.Command.Arguments)
            if ((parsed.GetResult(argument)?.Tokens.Count ?? 0) < argument.Arity.MinimumNumberOfValues)
                return $"{CommandPath(parsed.CommandResult)["cardinal ".Length..]} needs {argument.Name}";
        return null;
    }

    /// <summary>Every option name and alias the parsed command accepts, its own and those inherited from the root (help).</summary>
    private static IEnumerable<string> OptionNames(ParseResult parsed)
    {
        var names = new List<string>();
        for (var result = parsed.CommandResult; result is not null; result = result.Parent as CommandResult)
            foreach (Option o in result.Command.Options)
                if (!o.Hidden && (result == parsed.CommandResult || o.Recursive))
                    names.AddRange([o.Name, .. o.Aliases]);
        return names;
    }

    /// <summary>" — did you mean 'x'?" when something is close; else, where a list helps, the list.</summary>
    private static string DidYouMean(string token, IEnumerable<string> known, string? listName)
    {
        var all = known.ToList();
        var close = Suggestions.For(token, all);
        if (close.Count > 0) return $"; did you mean {string.Join(" or ", close.Select(c => $"'{c}'"))}?";
        return listName is null ? "" : $"; {listName}: {string.Join(", ", all)}";
    }

    /// <summary>System.CommandLine's message in the CLI's style: lower-case start, no closing full stop.</summary>
    private static string Sentence(string message)
    {
        message = message.Trim().TrimEnd('.');
        return message.Length > 1 && char.IsUpper(message[0]) && !char.IsUpper(message[1]) ? char.ToLowerInvariant(message[0]) + message[1..] : message;
    }
}
