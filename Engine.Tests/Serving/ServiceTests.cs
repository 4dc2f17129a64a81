using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Cardinal.Formats.Images;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Serve;
using Cardinal.Tests.Images;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Cardinal.Tests.Serving;

/// <summary>
/// The sample service over real loopback HTTP: the bundled feature extractor for /v1/embed, a torchvision
/// ResNet-18 (1,000 classes) for /v1/classify, and every refusal (400, 413, 415, 501, 503).
/// </summary>
[TestFixture, NonParallelizable]
public class ServiceTests
{
    private ServiceHost _embedder = null!, _classifier = null!;
    private static string Photo(string name) => References.Require(Path.Combine(PreprocessingTests.Folder, name), References.RunTestScript);
    public static string ClassifierModel => Path.Combine(TorchvisionZooTests.ZooFolder, "resnet18", "model.onnx");

    [OneTimeSetUp]
    public async Task Start()
    {
        References.Require(DefaultModelTests.ModelPath, "Build restores the default model.");
        References.Require(ClassifierModel, References.RunTestScript);
        _embedder = await ServiceHost.StartAsync("--threads", "2", "--max-upload-bytes", "400000");
        _classifier = await ServiceHost.StartAsync("--model", ClassifierModel, "--threads", "2", "--max-batch", "4");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_embedder is not null) await _embedder.DisposeAsync();
        if (_classifier is not null) await _classifier.DisposeAsync();
    }

    private static ByteArrayContent Image(byte[] bytes, string type = "image/png")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Json, HttpResponseMessage Response)> Post(ServiceHost host, string path, HttpContent content)
    {
        var response = await host.Client.PostAsync(host.Url + path, content);
        string body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(body).RootElement.Clone(), response);
    }

    [Test]
    public async Task Healthz_AndModel_DescribeTheService()
    {
        var health = JsonDocument.Parse(await _embedder.Client.GetStringAsync(_embedder.Url + "/healthz")).RootElement;
        Assert.That(health.GetProperty("status").GetString(), Is.EqualTo("ok"));
        var model = JsonDocument.Parse(await _classifier.Client.GetStringAsync(_classifier.Url + "/v1/model")).RootElement;
        Assert.That(model.GetProperty("name").GetString(), Is.EqualTo("resnet18"));
        Assert.That(model.GetProperty("canClassify").GetBoolean(), Is.True);
        Assert.That(model.GetProperty("batching").GetBoolean(), Is.True);
    }

    [Test]
    public async Task Embed_RawBodyAndMultipart_GiveTheSessionsAnswerBitForBit()
    {
        byte[] photo = File.ReadAllBytes(Photo("chelsea.png"));
        var (status, raw, _) = await Post(_embedder, "/v1/embed", Image(photo));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        using var form = new MultipartFormDataContent { { Image(photo), "photo", "chelsea.png" } };
        var (formStatus, multipart, _) = await Post(_embedder, "/v1/embed", form);
        Assert.That(formStatus, Is.EqualTo(HttpStatusCode.OK));

        // The same photo through the library directly: decode, the default model's preset, one session run.
        var preset = PreprocessPresets.MlNetResNet18(Path.Combine(AppContext.BaseDirectory, "models", "resnet18-mlnet-preprocess.onnx"));
        var sample = new float[3 * 224 * 224];
        ImagePreprocessor.Apply(new ImageSharpDecoder().Decode(photo, "chelsea.png"), preset, sample);
        using var session = InferenceSession.Open(OnnxImporter.Load(DefaultModelTests.ModelPath), new CpuBackend());
        var expected = new float[512];
        session.Run(sample, [1, 3, 224, 224], expected);

        float[] Embedding(JsonElement json) => [.. json.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle())];
        Assert.That(raw.GetProperty("dimensions").GetInt32(), Is.EqualTo(512));
        Assert.That(Embedding(raw), Is.EqualTo(expected));
        Assert.That(Embedding(multipart), Is.EqualTo(expected));
    }

    [Test]
    public async Task Classify_GivesTheTopFiveImageNetClasses_AndTheFeatureExtractorSays501()
    {
        byte[] photo = File.ReadAllBytes(Photo("coffee.png"));
        var (status, json, _) = await Post(_classifier, "/v1/classify?top=5", Image(photo));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        var top = json.GetProperty("top").EnumerateArray().ToList();
        Assert.That(top, Has.Count.EqualTo(5));
        float[] p = [.. top.Select(t => t.GetProperty("probability").GetSingle())];
        Assert.That(p, Is.Ordered.Descending);
        Assert.That(top.Select(t => t.GetProperty("label").GetString()), Is.EqualTo(top.Select(t => ImageNetLabels.All[t.GetProperty("class").GetInt32()])));

        var (refused, error, _) = await Post(_embedder, "/v1/classify", Image(photo));
        Assert.That(refused, Is.EqualTo(HttpStatusCode.NotImplemented));
        Assert.That(error.GetProperty("error").GetString(), Does.Contain("feature extractor"));
    }

    [Test]
    public async Task BadUploads_GetClearJsonErrors()
    {
        byte[] photo = File.ReadAllBytes(Photo("coffee.png"));
        byte[] corrupt = (byte[])photo.Clone();
        new Random(1).NextBytes(corrupt.AsSpan(0, 64));
        var (status, json, _) = await Post(_classifier, "/v1/embed", Image(corrupt));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(json.GetProperty("error").GetString(), Does.Contain("not an image"));

        (status, json, _) = await Post(_classifier, "/v1/embed", Image(photo[..(photo.Length / 3)]));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), "a truncated photo");

        (status, json, _) = await Post(_classifier, "/v1/embed", new StringContent("a cat", System.Text.Encoding.UTF8, "text/plain"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        Assert.That(json.GetProperty("error").GetString(), Does.Contain("text/plain"));

        (status, json, _) = await Post(_classifier, "/v1/embed", Image([]));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));

        // The embedder's limit is 400,000 bytes; astronaut.png is larger. Declared and streamed (no length) both get 413.
        byte[] large = File.ReadAllBytes(Photo("astronaut.png"));
        Assume.That(large.Length, Is.GreaterThan(400_000));
        // Declared past the limit, but within what Kestrel drains after the early 413 (see below).
        (status, json, _) = await Post(_embedder, "/v1/embed", Image(large[..420_000]));
        Assert.That(status, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(json.GetProperty("error").GetString(), Does.Contain("400000"));
        // Chunked, a little past the limit: within the 64 KiB Kestrel drains after our 413, so the answer
        // always arrives. (Far past it, Kestrel closes the connection instead of draining gigabytes.)
        var streamed = new StreamContent(new NoLengthStream(large[..410_000]));
        streamed.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        (status, _, _) = await Post(_embedder, "/v1/embed", streamed);
        Assert.That(status, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), "chunked upload past the limit");

        // The service still answers good requests after all that.
        (status, _, _) = await Post(_classifier, "/v1/embed", Image(photo));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
    }

    /// <summary>A stream that hides its length, so the client sends it chunked (no Content-Length).</summary>
    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    [Test]
    public async Task Full_Service_Answers503WithRetryAfter()
    {
        var gate = _embedder.App.Services.GetRequiredService<AdmissionGate>();
        var held = new List<bool>();
        while (gate.TryEnter()) held.Add(true); // every place taken, as by that many slow requests
        try
        {
            var (status, json, response) = await Post(_embedder, "/v1/embed", Image(File.ReadAllBytes(Photo("chelsea.png"))));
            Assert.That(status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(json.GetProperty("error").GetString(), Does.Contain("capacity"));
        }
        finally { foreach (var _ in held) gate.Leave(); }
        var (after, _, _) = await Post(_embedder, "/v1/embed", Image(File.ReadAllBytes(Photo("chelsea.png"))));
        Assert.That(after, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ClientDisconnects_CostNothing_AndTheServiceCarriesOn()
    {
        byte[] photo = File.ReadAllBytes(Photo("coffee.png"));
        for (int i = 0; i < 6; i++)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(5 + 7 * i));
            try { using var _ = await _classifier.Client.PostAsync(_classifier.Url + "/v1/embed", Image(photo), cancel.Token); }
            catch (OperationCanceledException) { }
        }
        var gate = _classifier.App.Services.GetRequiredService<AdmissionGate>();
        for (int wait = 0; wait < 200 && gate.Inside > 0; wait++) await Task.Delay(50);
        Assert.That(gate.Inside, Is.EqualTo(0), "every abandoned request has left the service");
        var (status, _, _) = await Post(_classifier, "/v1/embed", Image(photo));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Metrics_ArePrometheusText_FromTheEngineTheServiceAndAspNetCore()
    {
        await Post(_embedder, "/v1/embed", Image(File.ReadAllBytes(Photo("chelsea.png"))));
        string text = await _embedder.Client.GetStringAsync(_embedder.Url + "/metrics");
        Assert.That(text, Does.Contain("cardinal_session_runs_total{").And.Contain("cardinal_model=\"resnet18-mlnet\""));
        Assert.That(text, Does.Contain("cardinal_session_run_duration_seconds_bucket{"));
        Assert.That(text, Does.Contain("cardinal_serve_requests_total{").And.Contain("status=\"200\""));
        Assert.That(text, Does.Contain("http_server_request_duration_seconds"));
        Assert.That(text, Does.Contain("dotnet_process_memory_working_set_bytes"));
    }

    [Test]
    public void LoadTest_EightClients_TwentyPercentCorrupt_EveryGoodAnswerIdentical()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Cardinal.Cli.Cli.Execute(["loadtest", "--url", _classifier.Url, "--image", Photo("chelsea.png"), "--endpoint", "classify",
            "--concurrency", "8", "--requests", "48", "--corrupt", "0.2", "--disconnect", "0.1", "--json"], stdout, stderr);
        TestContext.Progress.WriteLine(stdout.ToString());
        Assert.That(exit, Is.EqualTo(0), stderr.ToString());
        var report = JsonDocument.Parse(stdout.ToString()).RootElement;
        Assert.That(report.GetProperty("mismatched").GetInt32(), Is.EqualTo(0));
        Assert.That(report.GetProperty("failed").GetInt32(), Is.EqualTo(0));
        Assert.That(report.GetProperty("corruptRefused400").GetInt32(), Is.EqualTo(report.GetProperty("corrupt").GetInt32()));
        Assert.That(report.GetProperty("ok").GetInt32(), Is.GreaterThan(0));
    }
}
