using System.Diagnostics.Metrics;

namespace Cardinal.Serve;

/// <summary>The service's own instruments (the engine's are on the "Cardinal" meter; ASP.NET Core's on its own).</summary>
public static class ServeMetrics
{
    public const string MeterName = "Cardinal.Serve";
    private static readonly Meter Meter = new(MeterName);

    /// <summary>Inference requests by endpoint and HTTP status.</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("cardinal.serve.requests", "{request}", "Inference requests answered, by endpoint and status.");

    /// <summary>Requests turned away because the service was full (503).</summary>
    public static readonly Counter<long> Rejected = Meter.CreateCounter<long>("cardinal.serve.rejected", "{request}", "Requests refused with 503 because the service was full.");

    public static void Answered(string endpoint, int status) =>
        Requests.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("status", status));
}
