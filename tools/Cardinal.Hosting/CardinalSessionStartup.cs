using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cardinal.Hosting;

/// <summary>
/// Opens and warms every session marked <see cref="CardinalSessionOptions.OpenAtStartup"/> when the host starts, off the
/// start-up path: the host (and its liveness endpoint) comes up at once, the health check turns healthy when the model is
/// ready, and a model that fails to open is reported by the health check and logged, not thrown at start-up.
/// </summary>
internal sealed class CardinalSessionStartup(CardinalSessions sessions, IOptionsMonitor<CardinalSessionOptions> options,
    ILogger<CardinalSessionStartup> logger) : IHostedService
{
    private Task _opening = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        string[] names = [.. sessions.Names.Where(n => options.Get(n).OpenAtStartup)];
        _opening = Task.Run(() =>
        {
            foreach (string name in names)
            {
                try { sessions.Get(name); }
                catch (Exception e) when (e is not ObjectDisposedException)
                {
                    logger.LogError(e, "Cardinal session '{Name}' failed to open: {Message}", name, e.Message);
                }
                catch (ObjectDisposedException) { return; } // the host stopped first
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Waits for an open in progress (it cannot stop between layers of the load), so the provider's disposal finds it done.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _opening.WaitAsync(cancellationToken);
}
