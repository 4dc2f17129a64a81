using System.CommandLine;
using Cardinal.Cli.CommandLine;
using Cardinal.Cli.Commands;

namespace Cardinal.Cli.Verbs;

/// <summary>cardinal run: declared here, run by <see cref="RunCommand"/>.</summary>
internal static class RunVerb
{
    public static Command Create() => new Command("run",
            "One forward pass; outputs summarised, and written as .npy where --output says.")
        .With([
            .. CommonOptions.ModelRun(),
            Verb.Repeated("--input", "[NAME=]X.npy",
                "an input tensor; NAME= picks the model input (needed when it has several); repeat per input " +
                "[default: a seeded standard-normal input of the model's shape]"),
            Verb.Repeated("--output", "[NAME=]Y.npy", "where to write an output; NAME= picks it when the model has several; repeatable"),
            Verb.Value("--seed", "S", "seed of the random input [default: 0]"),
        ])
        .Runs(RunCommand.Run);
}
