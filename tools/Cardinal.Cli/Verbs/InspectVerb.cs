using System.CommandLine;
using Cardinal.Cli.CommandLine;
using Cardinal.Cli.Commands;

namespace Cardinal.Cli.Verbs;

/// <summary>cardinal inspect [MODEL]: declared here, run by <see cref="InspectCommand"/>.</summary>
internal static class InspectVerb
{
    public static Command Create() => new Command("inspect", "Inputs, outputs, operators, parameters, FLOPs and the plan Cardinal makes for a model.")
    {
        new Argument<string>("MODEL")
        {
            Description = "ONNX model file [default: the bundled ResNet-18]",
            Arity = ArgumentArity.ZeroOrOne,
        },
    }.With([CommonOptions.Threads(), CommonOptions.Device(), CommonOptions.Exact(),
        Verb.Value("--batch", "B", "plan for this batch size when the model's batch dimension is symbolic [default: 1]"),
        new Option<bool>("--values") { Description = "list every value of the graph with its shape (the names run --output and embed --layer take)" }]).Runs((a, stdout, _) => InspectCommand.Run(a, stdout));
}
