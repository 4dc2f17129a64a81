using System.Diagnostics;
using System.Text.Json;

namespace Cardinal.Tests.Serving;

/// <summary>
/// The service's container settings evaluate as README "Container" says (the base image cannot be pulled here, so
/// this is the check CI can make): MSBuild's own ComputeContainerConfig target, for the JIT and the NativeAOT publish.
/// </summary>
[TestFixture]
public class ServiceContainerTests
{
    private static JsonElement Evaluate(params string[] extra)
    {
        string project = Path.Combine(ServiceAotTests.RepositoryRoot, "tools", "Cardinal.Serve", "Cardinal.Serve.csproj");
        var start = new ProcessStartInfo("dotnet", ["msbuild", project, "-nologo", "-t:ComputeContainerConfig", "-p:Configuration=Release", .. extra,
            "-getProperty:ContainerBaseImage", "-getProperty:ContainerRepository", "-getProperty:ContainerImageTags", "-getProperty:ContainerUser",
            "-getItem:ContainerPort"])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var msbuild = Process.Start(start)!;
        string output = msbuild.StandardOutput.ReadToEnd();
        msbuild.WaitForExit();
        Assert.That(msbuild.ExitCode, Is.EqualTo(0), output + msbuild.StandardError.ReadToEnd());
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    [TestCase(false, "mcr.microsoft.com/dotnet/aspnet:10.0")]
    [TestCase(true, "mcr.microsoft.com/dotnet/runtime-deps:10.0")]
    public void ContainerSettings_Evaluate(bool aot, string baseImage)
    {
        JsonElement result = aot ? Evaluate("-p:PublishAot=true", "-p:RuntimeIdentifier=linux-x64") : Evaluate();
        JsonElement p = result.GetProperty("Properties");
        Assert.That(p.GetProperty("ContainerBaseImage").GetString(), Does.StartWith(baseImage));
        Assert.That(p.GetProperty("ContainerRepository").GetString(), Is.EqualTo("cardinal-serve"));
        Assert.That(p.GetProperty("ContainerImageTags").GetString(), Is.EqualTo("latest"));
        Assert.That(p.GetProperty("ContainerUser").GetString(), Is.EqualTo("app"), "not root");
        Assert.That(result.GetProperty("Items").GetProperty("ContainerPort").EnumerateArray().Select(i => i.GetProperty("Identity").GetString()),
            Is.EqualTo(new[] { "8080" }));
    }
}
