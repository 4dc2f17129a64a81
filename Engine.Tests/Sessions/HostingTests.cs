using Cardinal.Hosting;
using Cardinal.Tests.TestUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Sessions;

/// <summary>The hosting package: named sessions through IOptions, keyed injection, opening at start-up, and the health check.</summary>
[TestFixture]
public class HostingTests
{
    private string _residual = "";
    private static readonly int[] Shape = [1, 3, 16, 16];

    [OneTimeSetUp] public void WriteModel() => _residual = TestModels.WriteTemp(TestModels.SmallResidualNet(), "hosting");
    [OneTimeTearDown] public void DeleteModel() => File.Delete(_residual);

    private IHost Host(Action<IServiceCollection> configure)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        configure(builder.Services);
        return builder.Build();
    }

    private static async Task<HealthReport> WaitForHealth(IHost host, HealthStatus until)
    {
        var checks = host.Services.GetRequiredService<HealthCheckService>();
        HealthReport report = await checks.CheckHealthAsync();
        for (int i = 0; i < 400 && report.Status != until; i++)
        {
            await Task.Delay(25);
            report = await checks.CheckHealthAsync();
        }
        return report;
    }

    [Test]
    public async Task TwoNamedSessions_OpenAtStartup_AreInjectedByName_AndHealthy()
    {
        byte[] addRelu = TestModels.AddRelu();
        using IHost host = Host(services => services
            .AddCardinalSession("residual", o => { o.ModelPath = _residual; o.Threads = 2; })
            .AddCardinalSession("add-relu", o => { o.OpenModel = _ => new MemoryStream(addRelu); o.Threads = 1; }));
        var sessions = host.Services.GetRequiredService<CardinalSessions>();
        Assert.That(sessions.State("residual").Open, Is.False, "nothing is opened before the host starts");
        Assert.That((await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status, Is.EqualTo(HealthStatus.Unhealthy));

        await host.StartAsync();
        HealthReport report = await WaitForHealth(host, HealthStatus.Healthy);
        Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy), string.Join("; ", report.Entries.Select(e => $"{e.Key}: {e.Value.Description}")));
        Assert.That(report.Entries.Keys, Is.EquivalentTo(new[] { "cardinal:residual", "cardinal:add-relu" }));

        var residual = host.Services.GetRequiredKeyedService<InferenceSession>("residual");
        Assert.That(residual, Is.SameAs(sessions.Get("residual")), "one session per name");
        Assert.That(residual.Name, Is.EqualTo("residual"));
        Assert.That(residual.Backend.Description, Does.StartWith("cpu (threads=2,"), "the options' thread count");
        float[] x = TestModels.RandomData(768, 3);
        using (var direct = CardinalSession.Open(_residual, new SessionOptions { Threads = 1 }))
            Assert.That(residual.Run(Tensor.FromArray(x, Shape)).Floats.ToArray(), Is.EqualTo(direct.Run(Tensor.FromArray(x, Shape)).Floats.ToArray()));
        var addReluSession = host.Services.GetRequiredKeyedService<InferenceSession>("add-relu");
        Assert.That(addReluSession.Run(Tensor.FromArray(new float[] { 1, 1, 1, 1 }, 1, 4)).Floats.ToArray(), Is.EqualTo(new float[] { 2, 0, 4, 0 }));
        Assert.That(host.Services.GetRequiredService<IOptionsMonitor<CardinalSessionOptions>>().Get("add-relu").Threads, Is.EqualTo(1));

        await host.StopAsync();
        host.Dispose();
        Assert.That(() => residual.Run(Tensor.FromArray(x, Shape)), Throws.TypeOf<ObjectDisposedException>(), "disposed with the host");
    }

    [Test]
    public void CpuSessionsOfOneThreadCount_ShareOnePool_UnlessTheyOptOut()
    {
        byte[] addRelu = TestModels.AddRelu();
        using IHost host = Host(services => services
            .AddCardinalSession("a", o => { o.ModelPath = _residual; o.Threads = 2; o.OpenAtStartup = false; })
            .AddCardinalSession("b", o => { o.OpenModel = _ => new MemoryStream(addRelu); o.Threads = 2; o.OpenAtStartup = false; })
            .AddCardinalSession("own", o => { o.ModelPath = _residual; o.Threads = 2; o.ShareThreads = false; o.OpenAtStartup = false; })
            .AddCardinalSession("three", o => { o.ModelPath = _residual; o.Threads = 3; o.OpenAtStartup = false; }));
        var sessions = host.Services.GetRequiredService<CardinalSessions>();
        var runner = (string name) => ((Cardinal.Kernels.Cpu.CpuBackend)sessions.Get(name).Backend).Runner;
        Assert.That(runner("b"), Is.SameAs(runner("a")), "one pool for the sessions of 2 threads");
        Assert.That(runner("own"), Is.Not.SameAs(runner("a")), "ShareThreads off: threads of its own");
        Assert.That(runner("three"), Is.Not.SameAs(runner("a")), "another thread count, another pool");
        Assert.That(runner("three").Threads, Is.EqualTo(3));
        Assert.That(sessions.Get("a").Backend.Description, Does.StartWith("cpu (threads=2, shared pool,"));
        Assert.That(sessions.Get("own").Backend.Description, Does.Not.Contain("shared pool"));

        float[] x = TestModels.RandomData(768, 3);
        using (var direct = CardinalSession.Open(_residual, new SessionOptions { Threads = 1 }))
            foreach (string name in new[] { "a", "own", "three" })
                Assert.That(sessions.Get(name).Run(Tensor.FromArray(x, Shape)).Floats.ToArray(), Is.EqualTo(direct.Run(Tensor.FromArray(x, Shape)).Floats.ToArray()), name);
        Assert.That(sessions.Get("b").Run(Tensor.FromArray(new float[] { 1, 1, 1, 1 }, 1, 4)).Floats.ToArray(), Is.EqualTo(new float[] { 2, 0, 4, 0 }));
        Assert.That(sessions.Get("b").Name, Is.EqualTo("b"));
    }

    [Test]
    public async Task AModelThatFailsToOpen_IsUnhealthyWithTheReason_AndGetRethrowsIt()
    {
        using IHost host = Host(services => services.AddCardinalSession("missing", o => o.ModelPath = "/nonexistent/model.onnx"));
        await host.StartAsync();
        var sessions = host.Services.GetRequiredService<CardinalSessions>();
        for (int i = 0; i < 400 && sessions.State("missing").Error is null; i++) await Task.Delay(25);
        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(report.Entries["cardinal:missing"].Description, Does.Contain("failed to open").And.Contain("not found"));
        Assert.That(() => sessions.Get("missing"), Throws.TypeOf<ModelFormatException>().With.Message.Contains("not found"));
        await host.StopAsync();
    }

    [Test]
    public void BadRegistrations_GetClearErrors()
    {
        using IHost host = Host(services => services
            .AddCardinalSession("none", o => { })
            .AddCardinalSession("both", o => { o.ModelPath = _residual; o.OpenModel = _ => new MemoryStream(); o.OpenAtStartup = false; })
            .AddCardinalSession("lazy", o => { o.ModelPath = _residual; o.OpenAtStartup = false; o.Threads = 0; }));
        var sessions = host.Services.GetRequiredService<CardinalSessions>();
        Assert.That(() => sessions.Get("none"), Throws.TypeOf<OptionsValidationException>().With.Message.Contains("exactly one of ModelPath and OpenModel"));
        Assert.That(() => sessions.Get("both"), Throws.TypeOf<OptionsValidationException>());
        Assert.That(() => sessions.Get("lazy"), Throws.TypeOf<OptionsValidationException>().With.Message.Contains("Threads"));
        Assert.That(() => sessions.Get("other"), Throws.InvalidOperationException.With.Message.Contains("'none', 'both', 'lazy'").Or.Message.Contains("AddCardinalSession(\"other\""));
        Assert.That(() => new ServiceCollection().AddCardinalSession("", o => { }), Throws.ArgumentException);
    }

    [Test]
    public void Options_BindFromConfiguration_ByName()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cardinal:residual:ModelPath"] = _residual, ["Cardinal:residual:Threads"] = "3", ["Cardinal:residual:OpenAtStartup"] = "false",
        }).Build();
        using IHost host = Host(services => services
            .AddCardinalSession("residual", _ => { })
            .Configure<CardinalSessionOptions>("residual", configuration.GetSection("Cardinal:residual")));
        var session = host.Services.GetRequiredService<CardinalSessions>().Get("residual");
        Assert.That(session.Backend.Description, Does.StartWith("cpu (threads=3,"));
    }

    [Test]
    public async Task OpenAtStartupOff_OpensOnFirstUse()
    {
        using IHost host = Host(services => services.AddCardinalSession("lazy", o => { o.ModelPath = _residual; o.OpenAtStartup = false; o.Threads = 1; }));
        await host.StartAsync();
        var sessions = host.Services.GetRequiredService<CardinalSessions>();
        await Task.Delay(200);
        Assert.That(sessions.State("lazy").Open, Is.False);
        Assert.That(sessions.Get("lazy").Inputs[0].Name, Is.EqualTo("X"));
        Assert.That(sessions.State("lazy").Open, Is.True);
        await host.StopAsync();
    }
}
