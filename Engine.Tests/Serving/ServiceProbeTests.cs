using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Cardinal.Serve;
using Cardinal.Tests.Images;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cardinal.Tests.Serving;

/// <summary>The service as a cloud citizen: liveness and readiness probes, the drain on shutdown, streamed multipart uploads.</summary>
[TestFixture, NonParallelizable]
public class ServiceProbeTests
{
    private ServiceHost _host = null!;
    private byte[] _photo = [];

    [OneTimeSetUp]
    public async Task Start()
    {
        References.Require(DefaultModelTests.ModelPath, "Build restores the default model.");
        _photo = File.ReadAllBytes(References.Require(Path.Combine(PreprocessingTests.Folder, "chelsea.png"), References.RunTestScript));
        _host = await ServiceHost.StartAsync("--threads", "2", "--max-upload-bytes", "400000");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_host is not null) await _host.DisposeAsync();
    }

    private static ByteArrayContent Image(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    private static async Task<(HttpStatusCode Status, string Body)> Post(HttpClient client, string url, HttpContent content)
    {
        using var response = await client.PostAsync(url, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static float[] Embedding(string json) =>
        [.. JsonDocument.Parse(json).RootElement.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle())];

    [Test]
    public async Task Probes_LiveAndReadyAnswer200_AndHealthzKeepsItsJson()
    {
        using var live = await _host.Client.GetAsync(_host.Url + "/health/live");
        Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await live.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
        using var ready = await _host.Client.GetAsync(_host.Url + "/health/ready");
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var healthz = JsonDocument.Parse(await _host.Client.GetStringAsync(_host.Url + "/healthz")).RootElement;
        Assert.That(healthz.GetProperty("status").GetString(), Is.EqualTo("ok"));
        Assert.That(healthz.GetProperty("capacity").GetInt32(), Is.EqualTo(32));
    }

    [Test]
    public async Task Multipart_FieldsBeforeTheFile_AreSkipped_AndTheAnswerIsTheRawBodys()
    {
        var (status, raw) = await Post(_host.Client, _host.Url + "/v1/embed", Image(_photo));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        using var form = new MultipartFormDataContent
        {
            { new StringContent("a note that comes first"), "note" },
            { Image(_photo), "photo", "chelsea.png" },
            { Image([1, 2, 3]), "second", "ignored.png" }, // only the first file counts
        };
        var (formStatus, multipart) = await Post(_host.Client, _host.Url + "/v1/embed", form);
        Assert.That(formStatus, Is.EqualTo(HttpStatusCode.OK), multipart);
        Assert.That(Embedding(multipart), Is.EqualTo(Embedding(raw)));
    }

    [Test]
    public async Task Multipart_Refusals_KeepTheirAnswers()
    {
        using (var noFile = new MultipartFormDataContent { { new StringContent("no photo here"), "note" } })
        {
            var (status, body) = await Post(_host.Client, _host.Url + "/v1/embed", noFile);
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body, Does.Contain("holds no file"));
        }
        // Past the 400,000-byte limit, sent chunked (no Content-Length): refused while it streams in.
        byte[] large = File.ReadAllBytes(References.Require(Path.Combine(PreprocessingTests.Folder, "astronaut.png"), References.RunTestScript));
        using (var tooLarge = new MultipartFormDataContent { { new StreamContent(new NoLengthStream(large[..410_000])), "photo", "big.png" } })
        {
            var chunked = new StreamContent(new NoLengthStream(await tooLarge.ReadAsByteArrayAsync()));
            chunked.Headers.ContentType = tooLarge.Headers.ContentType;
            var (status, body) = await Post(_host.Client, _host.Url + "/v1/embed", chunked);
            Assert.That(status, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), body);
            Assert.That(body, Does.Contain("400000"));
        }
        // A form whose body does not match its boundary, and one without a boundary.
        var broken = new ByteArrayContent("--other\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.png\"\r\n\r\nxx"u8.ToArray());
        broken.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=expected");
        Assert.That((await Post(_host.Client, _host.Url + "/v1/embed", broken)).Status, Is.EqualTo(HttpStatusCode.BadRequest));
        var unbounded = new ByteArrayContent([1, 2, 3]);
        unbounded.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data");
        var (s2, b2) = await Post(_host.Client, _host.Url + "/v1/embed", unbounded);
        Assert.That(s2, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(b2, Does.Contain("boundary"));
        Assert.That((await Post(_host.Client, _host.Url + "/v1/embed", Image(_photo))).Status, Is.EqualTo(HttpStatusCode.OK), "and the service answers on");
    }

    [Test]
    public async Task HostStop_ReadyTurns503WhileDraining_AndTheInFlightRequestFinishes()
    {
        // A service of its own, run as Program runs it (RunAsync: stopping the application stops the host).
        var app = ServeApp.Build(["--threads", "2", "--drain-seconds", "3", "--urls", "http://127.0.0.1:0"], builder => builder.Logging.ClearProviders());
        var readiness = app.Services.GetRequiredService<Readiness>();
        Assert.That(readiness.IsReady, Is.False, "not ready before the server listens");
        var started = new TaskCompletionSource();
        app.Lifetime.ApplicationStarted.Register(() => started.SetResult());
        Task running = app.RunAsync();
        await started.Task.WaitAsync(TimeSpan.FromMinutes(1));
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        var (_, reference) = await Post(client, url + "/v1/embed", Image(_photo));
        Assert.That((await client.GetAsync(url + "/health/ready")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "ready after warm-up");

        // A slow upload: half the photo now, the rest once the server has stopped taking new connections.
        var rest = new TaskCompletionSource();
        var slow = new StreamContent(new SlowStream(_photo, _photo.Length / 2, rest.Task));
        slow.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var slowClient = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        Task<HttpResponseMessage> inFlight = slowClient.PostAsync(url + "/v1/embed", slow);
        var gate = app.Services.GetRequiredService<AdmissionGate>();
        for (int wait = 0; wait < 400 && gate.Inside == 0; wait++) await Task.Delay(25);
        Assert.That(gate.Inside, Is.EqualTo(1), "the slow request is inside");

        app.Lifetime.StopApplication(); // what SIGTERM does
        HttpStatusCode drainingReady = 0, drainingLive = 0;
        for (int wait = 0; wait < 40 && drainingReady != HttpStatusCode.ServiceUnavailable; wait++)
        {
            using var probe = new HttpClient(); // a new connection, as a balancer's probe
            drainingReady = await StatusOrRefused(probe, url + "/health/ready");
            drainingLive = await StatusOrRefused(probe, url + "/health/live");
            if (drainingReady != HttpStatusCode.ServiceUnavailable) await Task.Delay(25);
        }
        Assert.That(drainingReady, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "ready says 503 while draining");
        Assert.That(drainingLive, Is.EqualTo(HttpStatusCode.OK), "but the process is alive");
        Assert.That(readiness.IsDraining, Is.True);

        // Past the drain window the server stops accepting; the request already inside is waited for.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.That(running.IsCompleted, Is.False, "the host waits for the in-flight request");
        rest.SetResult();
        using HttpResponseMessage answer = await inFlight.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Embedding(await answer.Content.ReadAsStringAsync()), Is.EqualTo(Embedding(reference)), "the in-flight answer is whole and right");
        await running.WaitAsync(TimeSpan.FromMinutes(1));
        await app.DisposeAsync();
    }

    [Test]
    public async Task Sigterm_ToTheServiceProcess_Drains_AndTheInFlightRequestFinishes()
    {
        References.Require(ServiceAotTests.JitAssembly, "Build the solution first.");
        await using var service = await ServiceAotTests.ServiceProcess.StartAsync("dotnet", [ServiceAotTests.JitAssembly], options: ["--drain-seconds", "3"]);
        var (_, reference) = await Post(service.Client, service.Url + "/v1/embed", Image(_photo));

        var rest = new TaskCompletionSource();
        var slow = new StreamContent(new SlowStream(_photo, _photo.Length / 2, rest.Task));
        slow.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var slowClient = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        Task<HttpResponseMessage> inFlight = slowClient.PostAsync(service.Url + "/v1/embed", slow);
        int inside = 0;
        for (int wait = 0; wait < 400 && inside == 0; wait++)
        {
            await Task.Delay(25);
            inside = JsonDocument.Parse(await service.Client.GetStringAsync(service.Url + "/healthz")).RootElement.GetProperty("inProgress").GetInt32();
        }
        Assert.That(inside, Is.EqualTo(1), "the slow request is inside");

        Assert.That(Kill(service.Process.Id, Sigterm), Is.EqualTo(0), "kill(2) SIGTERM");
        HttpStatusCode ready = 0;
        for (int wait = 0; wait < 40 && ready != HttpStatusCode.ServiceUnavailable; wait++)
        {
            using var probe = new HttpClient();
            ready = await StatusOrRefused(probe, service.Url + "/health/ready");
            if (ready != HttpStatusCode.ServiceUnavailable) await Task.Delay(25);
        }
        Assert.That(ready, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "ready says 503 after SIGTERM");

        await Task.Delay(TimeSpan.FromSeconds(3.5)); // past the drain: no new connections, the request inside is waited for
        Assert.That(service.Process.HasExited, Is.False);
        rest.SetResult();
        using HttpResponseMessage answer = await inFlight.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Embedding(await answer.Content.ReadAsStringAsync()), Is.EqualTo(Embedding(reference)));
        await service.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.That(service.Process.ExitCode, Is.EqualTo(0), "a clean exit");
    }

    private const int Sigterm = 15;

    /// <summary>libc's kill(2): what `kill -TERM` and container runtimes send (no procps needed on a bare machine).</summary>
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>The probe's status; a refused connection fails the test: the drain window closed before a probe saw it.</summary>
    private static async Task<HttpStatusCode> StatusOrRefused(HttpClient probe, string url)
    {
        try
        {
            using var response = await probe.GetAsync(url);
            return response.StatusCode;
        }
        catch (HttpRequestException e)
        {
            Assert.Fail($"{url} refused during the drain window ({e.Message}): the machine may be too loaded for the 3 s window");
            throw;
        }
    }

    /// <summary>A stream that hides its length, so the client sends it chunked (no Content-Length).</summary>
    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    /// <summary>Sends the first <paramref name="first"/> bytes, then waits for <paramref name="more"/> before the rest.</summary>
    private sealed class SlowStream(byte[] data, int first, Task more) : Stream
    {
        private int _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= first) await more.WaitAsync(cancellationToken);
            int end = _position < first ? first : data.Length;
            int n = Math.Min(buffer.Length, end - _position);
            data.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
