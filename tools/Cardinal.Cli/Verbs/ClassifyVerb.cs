using System.CommandLine;
using Cardinal.Cli.CommandLine;
using Cardinal.Cli.Commands;

namespace Cardinal.Cli.Verbs;

/// <summary>cardinal classify --model M IMAGES…: declared here, run by <see cref="ClassifyCommand"/>.</summary>
internal static class ClassifyVerb
{
    public static Command Create() => new Command("classify",
            "Top-k classes per image; softmax is applied unless the model already ends in Softmax.")
        .With([
            CommonOptions.Images(),
            .. CommonOptions.ImageJob("ONNX classifier (needed: the bundled ResNet-18 has no classifier head)"),
            Verb.Value("--labels", "LABELS.txt", "class names, one a line [default: ImageNet-1k's for a 1000-class output]"),
            Verb.Value("--top", "K", "classes per image [default: 5]"),
            CommonOptions.Json(),
        ])
        .Runs(ClassifyCommand.Run);
}
