using System.CommandLine;
using Cardinal.Cli.CommandLine;
using Cardinal.Cli.Commands;

namespace Cardinal.Cli.Verbs;

/// <summary>cardinal similar QUERY DIR: declared here, run by <see cref="SimilarCommand"/>.</summary>
internal static class SimilarVerb
{
    public static Command Create() => new Command("similar",
            "Ranks a folder's images by the cosine similarity of their embeddings to a query image's.")
        .With([
            new Argument<string>("QUERY") { Description = "the image to match" },
            new Argument<string>("DIR") { Description = "a folder of images (the query itself is left out)" },
            .. CommonOptions.ImageJob(),
            Verb.Value("--top", "K", "how many to list [default: 10]"),
            CommonOptions.Json(),
            new Option<bool>("--no-cache")
            {
                Description = "recompute every embedding, instead of reading DIR's from the cache " +
                              "(~/.cache/cardinal/embeddings or $CARDINAL_CACHE_DIR, keyed by path, size and modification time)",
            },
        ])
        .Runs(SimilarCommand.Run);
}
