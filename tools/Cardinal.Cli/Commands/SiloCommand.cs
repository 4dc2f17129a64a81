using Cardinal.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cardinal.Cli.Commands;

/// <summary>silo [--redis HOST:PORT] [--advertise IP] [--silo-port 11111] [--gateway-port 30000] [--threads N] [--fast-failover] [model options]</summary>
internal sealed record SiloOptions(ClusterSettings Cluster, ImageModelOptions Model)
{
    public static SiloOptions Parse(CliArguments a)
    {
        if (a.Positionals.Count != 0) throw new UsageException($"silo takes no arguments (got '{a.Positionals[0]}')");
        int siloPort = a.Int("--silo-port", 11111, 1, 65535);
        var advertise = System.Net.IPAddress.Loopback;
        if (a.Single("--advertise") is { } text && !System.Net.IPAddress.TryParse(text, out advertise!))
            throw new UsageException($"option '--advertise' must be an IP address, got '{text}'");
        var cluster = new ClusterSettings
        {
            Redis = a.Single("--redis"), SiloPort = siloPort, GatewayPort = a.Int("--gateway-port", 30000, 1, 65535),
            PrimarySiloPort = siloPort, FastFailureDetection = a.Has("--fast-failover"), AdvertisedAddress = advertise,
        };
        return new(cluster, ImageModelOptions.Parse(a));
    }
}

/// <summary>
/// cardinal silo: hosts a cluster worker (Orleans silo) until stopped (SIGTERM, Ctrl+C). It runs the job and
/// worker grains; its one session uses all the process's cores (--threads). With --redis it joins the cluster
/// that Redis describes and keeps job state there; without, it is a one-process cluster on localhost.
/// </summary>
internal static class SiloCommand
{
    public static int Run(CliArguments a, TextWriter stdout, TextWriter stderr) => Execute(SiloOptions.Parse(a), stdout, stderr);

    public static int Execute(SiloOptions options, TextWriter stdout, TextWriter stderr)
    {
        using var embedder = new CliShardEmbedder(options.Model);
        using IHost host = ClusterHosting.BuildSilo(options.Cluster, _ => embedder);
        host.Start();
        stdout.WriteLine($"cardinal: silo ready (silo port {options.Cluster.SiloPort}, gateway {options.Cluster.GatewayPort}, " +
            (options.Cluster.Redis is null ? "localhost clustering)" : $"redis {options.Cluster.Redis})"));
        stdout.Flush();
        host.WaitForShutdown();
        return Cli.Ok;
    }
}
