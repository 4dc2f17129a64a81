using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cardinal.Hosting;

/// <summary>
/// Healthy once the named session is open and warmed; Unhealthy while it is opening (or was never asked for), and with
/// the open's error when it failed (a missing file, an unsupported operator). Registered by <c>AddCardinalSession</c>
/// as "cardinal:NAME", tagged "ready" and "cardinal": map it on a readiness endpoint.
/// </summary>
public sealed class CardinalSessionHealthCheck(CardinalSessions sessions, string name) : IHealthCheck
{
    /// <summary>Healthy once the session is open; the registration's failure status while it opens or after it failed to.</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (open, error) = sessions.State(name);
        return Task.FromResult(open ? HealthCheckResult.Healthy($"model '{name}' is open")
            : error is not null ? new HealthCheckResult(context.Registration.FailureStatus, $"model '{name}' failed to open: {error.Message}", error)
            : new HealthCheckResult(context.Registration.FailureStatus, $"model '{name}' is opening"));
    }
}
