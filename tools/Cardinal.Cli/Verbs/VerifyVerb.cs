using System.CommandLine;
using Cardinal.Cli.CommandLine;
using Cardinal.Cli.Commands;

namespace Cardinal.Cli.Verbs;

/// <summary>cardinal verify: declared here, run by <see cref="VerifyCommand"/>.</summary>
internal static class VerifyVerb
{
    public static Command Create() => new Command("verify",
            "Runs the model and compares its outputs with expected .npy files (exit 1 on a mismatch).")
        .With([
            .. CommonOptions.ModelRun(),
            Verb.Repeated("--input", "[NAME=]X.npy", "an input tensor, one per model input (NAME= picks it when there are several)"),
            Verb.Repeated("--expected", "[NAME=]Y.npy", "an expected output (NAME= picks it when there are several); at least one"),
            Verb.Value("--rtol", "R", "relative tolerance: an element passes when |a − e| ≤ atol + rtol·|e| [default: 1e-3]"),
            Verb.Value("--atol", "A", "absolute tolerance [default: 1e-4]"),
        ])
        .Runs((a, stdout, _) => VerifyCommand.Run(a, stdout));
}
