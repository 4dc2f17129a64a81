using Cardinal.Serve;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cardinal.Tests.Serving;

/// <summary>A real cardinal-serve on a loopback port the OS picks, for one test fixture.</summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private ServiceHost(WebApplication app, string url) { App = app; Url = url; }

    public WebApplication App { get; }
    public string Url { get; }
    public HttpClient Client { get; } = new() { Timeout = TimeSpan.FromMinutes(2) };

    public static async Task<ServiceHost> StartAsync(params string[] args)
    {
        // No drain delay unless a test asks for one: every fixture's stop would otherwise wait it out.
        string[] drain = args.Contains("--drain-seconds") ? [] : ["--drain-seconds", "0"];
        var app = ServeApp.Build([.. args, .. drain, "--urls", "http://127.0.0.1:0"], builder => builder.Logging.ClearProviders());
        await app.StartAsync();
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ServiceHost(app, url);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
