using System.CommandLine;
using Cardinal.Cli.CommandLine;
using Cardinal.Cli.Commands;

namespace Cardinal.Cli.Verbs;

/// <summary>cardinal devices: declared here, run by <see cref="DevicesCommand"/>.</summary>
internal static class DevicesVerb
{
    public static Command Create() =>
        new Command("devices", "What ILGPU sees (CUDA, OpenCL, its CPU accelerator), and why a kind is missing.")
            .Runs((_, stdout, _) => DevicesCommand.Run(stdout));
}
