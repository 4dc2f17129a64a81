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
            new Argument<string[]>("IMAGES")
            {
                Description = "image files or folders (a folder is read in sorted order; --recursive descends, with --out-dir); " +
                              "none when --files-from gives the list",
                Arity = ArgumentArity.ZeroOrMore,
            },
            .. CommonOptions.ImageJob(),
            Verb.Value("--out", "EMB.npy", "write an [N, D] .npy of the images that loaded, and their names in order beside it (EMB.files.txt)"),
            Verb.Repeated("--layer", "NAME[,NAME…]", "also read these values of the graph from the same run (any value name; see inspect --values): one embedding set per layer, EMB.<layer>.npy"),
            Verb.Value("--pool", "avg|none", "how a --layer feature map becomes a vector: global average over its plane, or flattened [default: avg]"),
            new Option<bool>("--normalize") { Description = "scale every embedding to unit length" },
            Verb.Value("--out-dir", "DIR", "stream into resumable shards instead: part-NNNNN.npy, .files.txt, .errors.txt (a rerun skips finished shards)"),
            Verb.Value("--shard-size", "N", "images per shard (with --out-dir) [default: 1000]"),
            new Option<bool>("--recursive") { Description = "take images from subfolders too (with --out-dir)" },
            Verb.Value("--files-from", "LIST", "read image paths from LIST, one per line, - for stdin (with --out-dir)"),
            Verb.Value("--cluster", "HOST:PORT", "submit the job to a cardinal silo cluster through its Redis (with --out-dir)"),
            CommonOptions.Json("print every embedding and every failure as JSON"),
        ])
        .Runs(EmbedCommand.Run);
}
