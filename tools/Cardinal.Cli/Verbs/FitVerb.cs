using System.CommandLine;
using Cardinal.Cli.CommandLine;
using Cardinal.Cli.Commands;

namespace Cardinal.Cli.Verbs;

/// <summary>cardinal fit DIR --out MODEL.onnx: declared here, run by <see cref="FitCommand"/>.</summary>
internal static class FitVerb
{
    public static Command Create() => new Command("fit",
            "Trains a classifier head on DIR/<class>/ images and writes backbone + head as one ONNX file.")
        .With([
            new Argument<string>("DIR") { Description = "one subfolder per class (sorted order), images anywhere under each" },
            Verb.Value("--out", "MODEL.onnx", "the classifier to write (backbone + Flatten + Gemm + Softmax; class names and preset in its metadata)"),
            .. CommonOptions.ImageJob("the backbone ONNX model [default: the bundled ResNet-18]"),
            Verb.Value("--holdout", "F", "fraction of each class held out for the reported accuracy, 0 to below 1 [default: 0.2]"),
            Verb.Value("--l2", "λ", "the L2 strength [default: chosen by stratified k-fold cross-validation over a grid]"),
            Verb.Value("--folds", "K", "cross-validation folds, 2–100 [default: 5]"),
            Verb.Value("--seed", "S", "the split's seed; the same seed gives the same bytes [default: 0]"),
            CommonOptions.Json("print the report (accuracy, per-class precision/recall, confusion matrix, timings) as JSON"),
            new Option<bool>("--no-cache") { Description = "recompute every embedding instead of reading the embedding cache" },
        ])
        .Runs(FitCommand.Run);
}
