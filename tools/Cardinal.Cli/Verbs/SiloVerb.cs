using System.CommandLine;
using Cardinal.Cli.CommandLine;
using Cardinal.Cli.Commands;

namespace Cardinal.Cli.Verbs;

/// <summary>cardinal silo: declared here, run by <see cref="SiloCommand"/>.</summary>
internal static class SiloVerb
{
    public static Command Create() => new Command("silo",
            "Hosts an Orleans embedding worker until stopped; `embed … --out-dir DIR --cluster HOST:PORT` submits jobs to the cluster.")
        .With([
            Verb.Value("--redis", "HOST:PORT", "join the cluster this Redis describes, and keep job state there [default: a one-process cluster on localhost]"),
            Verb.Value("--advertise", "IP", "the address other silos reach this one at (a pod's IP)"),
            Verb.Value("--silo-port", "PORT", "silo-to-silo port [default: 11111]"),
            Verb.Value("--gateway-port", "PORT", "client gateway port [default: 30000]"),
            new Option<bool>("--fast-failover") { Description = "declare a silo dead after seconds, not minutes (tests, small clusters)" },
            .. CommonOptions.ImageJob(),
        ])
        .Runs(SiloCommand.Run);
}
