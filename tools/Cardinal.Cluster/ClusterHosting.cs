using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Storage;
using StackExchange.Redis;

namespace Cardinal.Cluster;

/// <summary>
/// Where a silo or client finds its cluster. <see cref="Redis"/> set: Redis membership and Redis grain storage
/// (processes and machines). Unset: localhost clustering and grain storage shared in the process
/// (<see cref="InProcessGrainStorage"/>), for silos in one process (tests, a one-machine trial): the first
/// silo's port is the primary's.
/// </summary>
public sealed record ClusterSettings
{
    public string? Redis { get; init; }
    public string ClusterId { get; init; } = "cardinal";
    public string ServiceId { get; init; } = "cardinal-embed";
    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;
    /// <summary>Localhost clustering only: the primary silo's port (the first silo's SiloPort).</summary>
    public int PrimarySiloPort { get; init; } = 11111;
    /// <summary>
    /// Declare a silo dead after ~2 s of missed probes, on one vote (instead of Orleans' defaults, tens of seconds
    /// and two votes): for tests and small clusters, where a killed silo's items should move on quickly.
    /// </summary>
    public bool FastFailureDetection { get; init; }
    /// <summary>Redis clustering: the address other silos and clients reach this silo at (a pod's IP; loopback on one machine).</summary>
    public IPAddress AdvertisedAddress { get; init; } = IPAddress.Loopback;
}

/// <summary>The Orleans configuration of Cardinal's silos and clients, in one place.</summary>
public static class ClusterHosting
{
    public const string JobStorage = "jobs";

    /// <summary>Grain calls run as long as an item; the job grain's own per-item timeout is what gives up on a worker.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromHours(2);

    public static void ConfigureSilo(ISiloBuilder silo, ClusterSettings settings)
    {
        silo.Configure<ClusterOptions>(o => { o.ClusterId = settings.ClusterId; o.ServiceId = settings.ServiceId; });
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = CallTimeout);
        if (settings.Redis is { } redis)
        {
            silo.UseRedisClustering(o => o.ConfigurationOptions = Parse(redis));
            silo.AddRedisGrainStorage(JobStorage, o => o.ConfigurationOptions = Parse(redis));
            silo.Configure<EndpointOptions>(o =>
            {
                o.AdvertisedIPAddress = settings.AdvertisedAddress;
                o.SiloPort = settings.SiloPort;
                o.GatewayPort = settings.GatewayPort;
            });
        }
        else
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, new IPEndPoint(IPAddress.Loopback, settings.PrimarySiloPort),
                settings.ServiceId, settings.ClusterId);
            silo.Services.AddKeyedSingleton<IGrainStorage>(JobStorage, (sp, _) => ActivatorUtilities.CreateInstance<InProcessGrainStorage>(sp));
        }
        if (settings.FastFailureDetection)
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromMilliseconds(700);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            });
    }

    public static void ConfigureClient(IClientBuilder client, ClusterSettings settings)
    {
        client.Configure<ClusterOptions>(o => { o.ClusterId = settings.ClusterId; o.ServiceId = settings.ServiceId; });
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = CallTimeout);
        if (settings.Redis is { } redis) client.UseRedisClustering(o => o.ConfigurationOptions = Parse(redis));
        else client.UseLocalhostClustering(settings.GatewayPort, settings.ServiceId, settings.ClusterId);
    }

    /// <summary>A silo host: Orleans plus the process's <see cref="IShardEmbedder"/>.</summary>
    public static IHost BuildSilo(ClusterSettings settings, Func<IServiceProvider, IShardEmbedder> embedder, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(embedder);
        services?.Invoke(builder.Services);
        builder.UseOrleans(silo => ConfigureSilo(silo, settings));
        return builder.Build();
    }

    public static IHost BuildClient(ClusterSettings settings, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        services?.Invoke(builder.Services);
        builder.UseOrleansClient(client => ConfigureClient(client, settings));
        return builder.Build();
    }

    private static ConfigurationOptions Parse(string redis)
    {
        var options = ConfigurationOptions.Parse(redis);
        options.AbortOnConnectFail = false;   // wait for a Redis that is still starting, instead of failing at once
        return options;
    }
}
