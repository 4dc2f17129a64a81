using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cardinal.Serve;

/// <summary>
/// The readiness probe (/health/ready) and the drain on shutdown. Ready once every hosted service has started, the
/// server included, which is after the model was loaded and warmed (<see cref="ModelHost"/> is built before the server
/// starts, so until then the port is closed and the probe is refused);
/// on SIGTERM (any host stop) it turns 503 at once and holds the server open for <see cref="ServeOptions.DrainSeconds"/>
/// so load balancers see it and send no more, then the server stops accepting and lets in-flight requests finish
/// (up to the host's shutdown timeout).
/// </summary>
public sealed class Readiness(ServeOptions options) : IHealthCheck, IHostedLifecycleService
{
    private const int Starting = 0, Ready = 1, Draining = 2;
    private int _state = Starting;

    public bool IsReady => Volatile.Read(ref _state) == Ready;
    public bool IsDraining => Volatile.Read(ref _state) == Draining;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Volatile.Read(ref _state) switch
        {
            Ready => HealthCheckResult.Healthy("ready"),
            Draining => HealthCheckResult.Unhealthy("draining: the service is shutting down"),
            _ => HealthCheckResult.Unhealthy("starting: the model is loading"),
        });

    /// <summary>Every hosted service has started, the server included: the warmed model is reachable.</summary>
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        Interlocked.CompareExchange(ref _state, Ready, Starting);
        return Task.CompletedTask;
    }

    /// <summary>Runs before any hosted service stops (the server among them): turn unready, then give the balancers time.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _state, Draining);
        if (options.DrainSeconds > 0)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(options.DrainSeconds), cancellationToken); }
            catch (OperationCanceledException) { } // the host's shutdown timeout ran out: stop now
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
