using System.Diagnostics;
using Cardinal.Diagnostics;
using Cardinal.Formats.Images;
using Cardinal.Serving;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;

namespace Cardinal.Serve;

/// <summary>
/// The sample service: POST /v1/embed and /v1/classify (an image as the raw body or a multipart file,
/// JSON out), GET /healthz, GET /health/live and /health/ready, GET /v1/model, GET /metrics (Prometheus text, OpenTelemetry's exporter) and an
/// upload page at /. Errors are JSON {"error": …}: 400 bad image, 413 too large, 415 not an image,
/// 503 + Retry-After when full.
/// </summary>
public static class ServeApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // Per-request information logs would cost more than some models' runs; requests are counted in /metrics.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var options = ServeOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(_ => new ModelHost(options));
        builder.Services.AddSingleton(new AdmissionGate(options.Queue));
        // /health/ready: ready after warm-up, 503 while draining on shutdown (Readiness); /health/live: the process answers.
        builder.Services.AddSingleton<Readiness>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Readiness>());
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("ready", services => services.GetRequiredService<Readiness>(),
            failureStatus: null, tags: ["ready"]));
        // Kestrel's own cap sits just above ours, so our 413 (with its JSON) is what clients normally see.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxUploadBytes + 64 * 1024);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(CardinalTelemetry.Name, ServeMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime")
            .AddPrometheusExporter());
        configure?.Invoke(builder);

        var app = builder.Build();
        app.Services.GetRequiredService<ModelHost>(); // load and warm the model before the first request
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/", () => Results.Text(IndexPage.Html, "text/html; charset=utf-8"));
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapGet("/healthz", (ModelHost model, AdmissionGate gate) =>
            Results.Json(new HealthReply("ok", model.Name, gate.Inside, gate.Capacity), ServeJson.Default.HealthReply));
        app.MapGet("/v1/model", (ModelHost model) => Results.Json(new ModelReply(model.Name, model.Preset.Name, model.OutputLength,
            model.Labels is not null, model.Batching, model.Backend), ServeJson.Default.ModelReply));
        app.MapPost("/v1/embed", (HttpContext http, ModelHost model, AdmissionGate gate, ServeOptions o) =>
            Infer(http, model, gate, o, "embed", (output, ms) => Results.Json(new EmbedReply(model.Name, output.Length, output, ms), ServeJson.Default.EmbedReply)));
        app.MapPost("/v1/classify", (HttpContext http, ModelHost model, AdmissionGate gate, ServeOptions o, int? top) =>
            model.Labels is not { } labels
                ? Task.FromResult(Error(StatusCodes.Status501NotImplemented, $"{model.Name} is a feature extractor (no classifier head): use /v1/embed, or start the service with --model a classifier."))
                : Infer(http, model, gate, o, "classify", (output, ms) =>
                {
                    float[] p = model.EndsInSoftmax ? output : Classification.Softmax(output);
                    var best = Classification.Top(p, Math.Clamp(top ?? 5, 1, p.Length))
                        .Select(c => new ClassScore(c.Index, labels[c.Index], MathF.Round(c.Score, 6))).ToArray();
                    return Results.Json(new ClassifyReply(model.Name, best, ms), ServeJson.Default.ClassifyReply);
                }));
        return app;
    }

    private static async Task<IResult> Infer(HttpContext http, ModelHost model, AdmissionGate gate, ServeOptions options, string endpoint,
        Func<float[], double, IResult> reply)
    {
        if (!gate.TryEnter())
        {
            ServeMetrics.Rejected.Add(1);
            return Answered(endpoint, Busy($"The service is at capacity ({gate.Capacity} requests in progress); retry shortly."));
        }
        try
        {
            CancellationToken aborted = http.RequestAborted;
            long started = Stopwatch.GetTimestamp();
            using Upload upload = await UploadReader.ReadAsync(http.Request, options.MaxUploadBytes, aborted);
            float[] output = await model.InferAsync(upload.Bytes, aborted);
            return Answered(endpoint, reply(output, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2)));
        }
        catch (UploadException e) { return Answered(endpoint, Error(e.Status, e.Message)); }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Answered(endpoint, Error(StatusCodes.Status413PayloadTooLarge, $"The upload is larger than the {options.MaxUploadBytes}-byte limit."));
        }
        catch (ImageDecodeException e) { return Answered(endpoint, Error(StatusCodes.Status400BadRequest, e.Message)); }
        catch (QueueFullException e)
        {
            ServeMetrics.Rejected.Add(1);
            return Answered(endpoint, Busy(e.Message));
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client is gone: its run stopped between layers (or never joined a batch); nobody reads this.
            return Answered(endpoint, Results.StatusCode(499));
        }
        finally { gate.Leave(); }
    }

    private static IResult Answered(string endpoint, IResult result)
    {
        ServeMetrics.Answered(endpoint, result is IStatusCodeHttpResult { StatusCode: int status } ? status : 200);
        return result;
    }

    private static IResult Error(int status, string message) => Results.Json(new ErrorReply(message), ServeJson.Default.ErrorReply, statusCode: status);

    private static IResult Busy(string message) => new RetryAfter(Error(StatusCodes.Status503ServiceUnavailable, message), seconds: 1);

    /// <summary>503 with a Retry-After header.</summary>
    private sealed class RetryAfter(IResult inner, int seconds) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => StatusCodes.Status503ServiceUnavailable;
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(http);
        }
    }
}
