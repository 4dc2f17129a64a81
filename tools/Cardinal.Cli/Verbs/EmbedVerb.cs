using System.CommandLine;
using Cardinal.Cli.CommandLine;
using Cardinal.Cli.Commands;

namespace Cardinal.Cli.Verbs;

/// <summary>cardinal embed IMAGES…: declared here, run by <see cref="EmbedCommand"/>.</summary>
internal static class EmbedVerb
{
    public static Command Create() => new Command("embed",
            "One embedding per image (the model's output, flattened).")
        .With([
            CommonOptions.Images(),
            .. CommonOptions.ImageJob(),
            Verb.Value("--out", "EMB.npy", "write an [N, D] .npy of the images that loaded, and their names in order beside it (EMB.files.txt)"),
            CommonOptions.Json("print every embedding and every failure as JSON"),
        ])
        .Runs(EmbedCommand.Run);
}
