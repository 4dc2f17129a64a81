using System.CommandLine;
using Cardinal.Cli.CommandLine;
using Cardinal.Cli.Commands;

namespace Cardinal.Cli.Verbs;

/// <summary>cardinal loadtest: declared here, run by <see cref="LoadTestCommand"/>.</summary>
internal static class LoadTestVerb
{
    public static Command Create() => new Command("loadtest",
            "Drives a running cardinal-serve and checks its answers under load (exit 1 when one differs).")
        .With([
            Verb.Value("--url", "URL", "the service's base address, e.g. http://127.0.0.1:8080"),
            Verb.Value("--image", "FILE", "the photo to send"),
            Verb.Value("--endpoint", "embed|classify", "which endpoint [default: embed]"),
            Verb.Value("--concurrency", "C", "clients [default: 8]"),
            Verb.Value("--requests", "N", "requests in all [default: 200]"),
            Verb.Value("--rate", "R", "open loop at R requests/s [default: closed loop]"),
            Verb.Value("--corrupt", "F", "fraction of corrupt uploads, which must get 400 [default: 0]"),
            Verb.Value("--disconnect", "F", "fraction of requests abandoned after 1–20 ms [default: 0]"),
            Verb.Value("--seed", "S", "seed of the request mix [default: 1]"),
            CommonOptions.Json(),
        ])
        .Runs(LoadTestCommand.Run);
}
