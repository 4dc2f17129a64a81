using System.CommandLine;
using Cardinal.Cli.CommandLine;

namespace Cardinal.Cli.Verbs;

/// <summary>
/// cardinal completion bash|zsh|pwsh: prints a script that completes cardinal's commands, options and option
/// values in that shell. Each script asks cardinal itself through System.CommandLine's [suggest:POSITION]
/// directive, so completion follows the installed version with no other tool (dotnet-suggest) needed.
/// </summary>
internal static class CompletionVerb
{
    public static readonly string[] Shells = ["bash", "zsh", "pwsh"];

    public static Command Create()
    {
        var shell = new Argument<string>("SHELL")
        {
            Description = "bash (eval \"$(cardinal completion bash)\" in ~/.bashrc), zsh (eval \"$(cardinal completion zsh)\" " +
                          "in ~/.zshrc, after compinit) or pwsh (cardinal completion pwsh | Out-String | Invoke-Expression in $PROFILE)",
        };
        shell.CompletionSources.Add(Shells);
        var command = new Command("completion", "Prints a shell completion script for bash, zsh or PowerShell.")
        {
            shell,
        };
        command.SetAction(parsed =>
        {
            Verb.Out(parsed).Write(Script(parsed.GetValue(shell)!));
            return Cli.Ok;
        });
        return command;
    }

    public static string Script(string shell) => shell switch
    {
        // COMP_LINE and COMP_POINT are the whole line and the cursor's offset in it.
        "bash" => """
            _cardinal_complete() {
              local IFS=$'\n'
              COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
            }
            complete -o default -F _cardinal_complete cardinal

            """,
        // BUFFER and CURSOR are the line and the cursor in it; files when cardinal has nothing to offer (after compinit).
        "zsh" => """
            _cardinal_complete() {
              local -a candidates
              candidates=(${(f)"$("${words[1]}" "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)"})
              if (( ${#candidates} )); then compadd -a candidates; else _files; fi
            }
            compdef _cardinal_complete cardinal

            """,
        "pwsh" => """
            Register-ArgumentCompleter -Native -CommandName cardinal -ScriptBlock {
              param($wordToComplete, $commandAst, $cursorPosition)
              $line = $commandAst.Extent.ToString().Replace('"', '\"')
              cardinal "[suggest:$cursorPosition]" "$line" | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
              }
            }

            """,
        _ => throw new UsageException($"no completion script for '{shell}' ({string.Join(", ", Shells)})"),
    };
}
