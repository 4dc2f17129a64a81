using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cardinal.Tests.Images;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Serving;

/// <summary>
/// The NativeAOT build of the sample service (made by tools/serve-aot.sh, which tools/test.sh runs first) against the
/// JIT build, both as real processes on the same CPU tier: the same bytes from /v1/embed.
/// </summary>
[TestFixture, NonParallelizable]
public partial class ServiceAotTests
{
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Engine.sln"))) return dir.FullName;
            throw new InvalidOperationException("Engine.sln not found above the test folder.");
        }
    }

    public static string AotBinary => Path.Combine(RepositoryRoot, "artifacts", "serve-aot", "cardinal-serve");
    public static string JitAssembly => Path.Combine(RepositoryRoot, "tools", "Cardinal.Serve", "bin", "Release", "net10.0", "cardinal-serve.dll");

    [GeneratedRegex("\"ms\":[0-9.eE+-]+")]
    private static partial Regex Milliseconds();

    [Test]
    public async Task AotService_AnswersEmbedWithTheJitBuildsBytes()
    {
        References.Require(AotBinary, "Run tools/serve-aot.sh (tools/test.sh does) to build the NativeAOT service.");
        References.Require(JitAssembly, "Build the solution first.");
        byte[] photo = File.ReadAllBytes(References.Require(Path.Combine(PreprocessingTests.Folder, "chelsea.png"), References.RunTestScript));

        // The same ISA tier in both: NativeAOT may not reach the widest tier the JIT takes (it compiles for a baseline
        // and checks the rest at run time), and the tier, not the compiler, must decide the bytes.
        await using var aot = await ServiceProcess.StartAsync(AotBinary, []);
        string backend = (await aot.ModelAsync()).GetProperty("backend").GetString()!;   // "cpu (threads=1, avx2 …)"
        string isa = backend.Split(", ")[1].Split(' ')[0];
        await using var jitSameTier = await ServiceProcess.StartAsync("dotnet", [JitAssembly], isa);
        Assert.That((await jitSameTier.ModelAsync()).GetProperty("backend").GetString(), Is.EqualTo(backend), "both builds run the same backend and tier");
        TestContext.Out.WriteLine($"NativeAOT service: {backend}");

        // PNG, and the same photo as a JPEG: the two decoders ImageSharp's AOT warnings could touch (see Cardinal.Serve.csproj).
        byte[] jpeg;
        using (var image = SixLabors.ImageSharp.Image.Load(photo))
        using (var stream = new MemoryStream())
        {
            SixLabors.ImageSharp.ImageExtensions.SaveAsJpeg(image, stream);
            jpeg = stream.ToArray();
        }
        foreach (var (bytes, type) in new[] { (photo, "image/png"), (jpeg, "image/jpeg") })
        {
            string fromJit = await jitSameTier.EmbedAsync(bytes, type), fromAot = await aot.EmbedAsync(bytes, type);
            Assert.That(Milliseconds().Replace(fromAot, "\"ms\":0"), Is.EqualTo(Milliseconds().Replace(fromJit, "\"ms\":0")),
                $"{type}: the same answer, byte for byte, apart from the time taken");
            Assert.That(JsonDocument.Parse(fromAot).RootElement.GetProperty("dimensions").GetInt32(), Is.EqualTo(512));
        }

        // The AOT build's other routes: refusals, probes, metrics.
        using var text = new StringContent("a cat");
        Assert.That((await aot.Client.PostAsync(aot.Url + "/v1/embed", text)).StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        Assert.That((await aot.Client.GetAsync(aot.Url + "/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await aot.Client.GetStringAsync(aot.Url + "/metrics"), Does.Contain("cardinal_session_runs_total"));
    }

    /// <summary>A service process on a free loopback port, killed and waited for on dispose.</summary>
    public sealed class ServiceProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private ServiceProcess(Process process, string url) { _process = process; Url = url; }

        public string Url { get; }
        public HttpClient Client { get; } = new() { Timeout = TimeSpan.FromMinutes(1) };
        public Process Process => _process;

        /// <param name="options">Service options after the defaults (--threads 1 --drain-seconds 0), which they override.</param>
        public static async Task<ServiceProcess> StartAsync(string program, string[] args, string? isa = null, string[]? options = null)
        {
            int port = FreePort();
            var start = new ProcessStartInfo(program, [.. args, "--urls", $"http://127.0.0.1:{port}", "--threads", "1", "--drain-seconds", "0", .. options ?? []])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            };
            if (isa is not null) start.Environment["CARDINAL_CPU_ISA"] = isa;
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var service = new ServiceProcess(process, $"http://127.0.0.1:{port}");
            await service.WaitReadyAsync(TimeSpan.FromMinutes(2));
            return service;
        }

        public async Task WaitReadyAsync(TimeSpan limit)
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < limit)
            {
                if (_process.HasExited) Assert.Fail($"the service exited with {_process.ExitCode} before it was ready");
                try
                {
                    using var ready = await Client.GetAsync(Url + "/health/ready");
                    if (ready.StatusCode == HttpStatusCode.OK) return;
                }
                catch (HttpRequestException) { } // not listening yet
                await Task.Delay(20);
            }
            Assert.Fail($"the service was not ready within {limit}");
        }

        public async Task<JsonElement> ModelAsync() => JsonDocument.Parse(await Client.GetStringAsync(Url + "/v1/model")).RootElement.Clone();

        public async Task<string> EmbedAsync(byte[] photo, string type = "image/png")
        {
            var content = new ByteArrayContent(photo);
            content.Headers.ContentType = new MediaTypeHeaderValue(type);
            using var response = await Client.PostAsync(Url + "/v1/embed", content);
            string body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            return body;
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
