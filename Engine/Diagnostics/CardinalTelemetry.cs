using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Cardinal.Diagnostics;

/// <summary>
/// Cardinal's metrics and traces, on the runtime's own <see cref="Meter"/> and <see cref="ActivitySource"/>
/// (no logging or telemetry package in the engine). Subscribe by name, "Cardinal": OpenTelemetry's
/// <c>AddMeter("Cardinal")</c> / <c>AddSource("Cardinal")</c>, or dotnet-counters. With no listener,
/// recording costs a few branches and allocates nothing.
/// </summary>
public static class CardinalTelemetry
{
    /// <summary>The name of the meter and of the activity source: "Cardinal".</summary>
    public const string Name = "Cardinal";

    private static readonly string? Version = typeof(CardinalTelemetry).Assembly.GetName().Version?.ToString();

    /// <summary>Runs, failures and run durations, by model name.</summary>
    public static Meter Meter { get; } = new(Name, Version);

    /// <summary>One "cardinal.run" activity per session run, tagged with the model and the batch size.</summary>
    public static ActivitySource ActivitySource { get; } = new(Name, Version);

    /// <summary>Runs that completed, per model.</summary>
    internal static readonly Counter<long> Runs =
        Meter.CreateCounter<long>("cardinal.session.runs", "{run}", "Model runs that completed.");

    /// <summary>Runs that ended in an exception (cancellation included), per model.</summary>
    internal static readonly Counter<long> Failures =
        Meter.CreateCounter<long>("cardinal.session.run.failures", "{run}", "Model runs that ended in an exception, cancellation included.");

    /// <summary>Wall time of each completed run, in seconds (OpenTelemetry's unit for durations).</summary>
    internal static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "cardinal.session.run.duration", "s", "Wall time of each completed model run.",
        advice: new InstrumentAdvice<double>
        {
            // Inference latencies: from a tiny model's fraction of a millisecond to a large batch's seconds.
            HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10],
        });

    /// <summary>Times one run; <see cref="RunScope.Complete"/> records it, <see cref="RunScope.Dispose"/> without it records a failure.</summary>
    internal static RunScope StartRun(string model, int batch) => new(model, batch);

    internal struct RunScope : IDisposable
    {
        private readonly long _started;
        private readonly string _model;
        private Activity? _activity;
        private bool _completed;

        public RunScope(string model, int batch)
        {
            _model = model;
            _started = Stopwatch.GetTimestamp();
            _activity = ActivitySource.StartActivity("cardinal.run");
            if (_activity is { IsAllDataRequested: true })
            {
                _activity.SetTag("cardinal.model", model);
                _activity.SetTag("cardinal.batch", batch);
            }
        }

        public void Complete()
        {
            _completed = true;
            var model = new KeyValuePair<string, object?>("cardinal.model", _model);
            if (Duration.Enabled) Duration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, model);
            if (Runs.Enabled) Runs.Add(1, model);
        }

        public void Dispose()
        {
            if (!_completed)
            {
                if (Failures.Enabled) Failures.Add(1, new KeyValuePair<string, object?>("cardinal.model", _model));
                _activity?.SetStatus(ActivityStatusCode.Error);
            }
            _activity?.Dispose();
            _activity = null;
        }
    }
}
