using Cardinal;
using Cardinal.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers named Cardinal sessions (the conventional namespace, so <c>services.AddCardinalSession</c> is found without a using).</summary>
public static class CardinalServiceCollectionExtensions
{
    /// <summary>
    /// Adds the session <paramref name="name"/>: options through IOptions (named <paramref name="name"/>), the session as a
    /// keyed singleton (<c>[FromKeyedServices(name)] InferenceSession</c>) and through <see cref="CardinalSessions"/>,
    /// opened and warmed when the host starts, and the health check "cardinal:<paramref name="name"/>" (tags "ready",
    /// "cardinal").
    /// </summary>
    /// <example><code>
    /// builder.Services.AddCardinalSession("resnet", o => { o.ModelPath = "resnet50.onnx"; o.Threads = 4; });
    /// app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });
    /// </code></example>
    public static IServiceCollection AddCardinalSession(this IServiceCollection services, string name, Action<CardinalSessionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<CardinalSessionOptions>(name)
            .Configure(configure)
            .Validate(o => (o.ModelPath is not null) != (o.OpenModel is not null),
                $"Cardinal session '{name}': set exactly one of ModelPath and OpenModel.")
            .Validate(o => o.Threads is null or >= 1, $"Cardinal session '{name}': Threads must be at least 1.");

        // One CardinalSessions for all names; it learns them from the SessionName singletons each call adds.
        services.TryAddSingleton(static provider => new CardinalSessions(provider, provider.GetRequiredService<IOptionsMonitor<CardinalSessionOptions>>(),
            provider.GetServices<SessionName>().Select(n => n.Name)));
        services.AddSingleton(new SessionName(name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CardinalSessionStartup>());
        services.AddKeyedSingleton(name, static (provider, key) => provider.GetRequiredService<CardinalSessions>().Get((string)key!));
        services.AddHealthChecks().Add(new HealthCheckRegistration($"cardinal:{name}",
            provider => new CardinalSessionHealthCheck(provider.GetRequiredService<CardinalSessions>(), name),
            failureStatus: HealthStatus.Unhealthy, tags: ["ready", "cardinal"]));
        return services;
    }

    internal sealed record SessionName(string Name);
}
