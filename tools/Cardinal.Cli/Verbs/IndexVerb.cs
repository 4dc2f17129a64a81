using System.CommandLine;
using Cardinal.Cli.CommandLine;
using Cardinal.Cli.Commands;

namespace Cardinal.Cli.Verbs;

/// <summary>cardinal index build|query|dups: declared here, run by <see cref="IndexCommand"/>.</summary>
internal static class IndexVerb
{
    public static Command Create() => new Command("index", "A vector index of embeddings: build it from embed shards, query it, find near-duplicates.")
    {
        new Command("build", "Builds an index file from `embed --out-dir` shards (normalised vectors, keys, model identity, checksums).")
            .With([
                new Argument<string[]>("PARTS") { Description = "shard folders or part-NNNNN.npy files", Arity = ArgumentArity.OneOrMore },
                Verb.Value("--out", "INDEX", "the index file to write (written to a temporary name, then renamed)"),
                Verb.Value("--model-id", "ID", "the model identity to record [default: the shards' own]"),
            ])
            .Runs(IndexCommand.RunBuild),
        new Command("query", "Exact nearest neighbours of images (or of given vectors) in an index, by cosine similarity.")
            .With([
                new Argument<string[]>("INDEX_AND_IMAGES") { HelpName = "INDEX [IMAGE…]", Description = "the index file, then the query images", Arity = ArgumentArity.OneOrMore },
                Verb.Value("--vectors", "Q.npy", "query with these [Q, D] vectors instead of images"),
                Verb.Value("--top", "K", "neighbours per query [default: 10]"),
                CommonOptions.Json(),
                .. CommonOptions.ImageJob(),
            ])
            .Runs(IndexCommand.RunQuery),
        new Command("dups", "Groups of near-duplicate vectors in an index (exact all-pairs search, union-find).")
            .With([
                new Argument<string>("INDEX") { Description = "the index file" },
                Verb.Value("--threshold", "T", "cosine similarity from which two entries are duplicates [default: 0.95]"),
                CommonOptions.Threads(),
                CommonOptions.Json(),
            ])
            .Runs(IndexCommand.RunDups),
    };
}
