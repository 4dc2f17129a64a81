using Cardinal.Cli;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Gpu;
using Cardinal.Planning;

namespace Cardinal.Tests.Gpu;

/// <summary>
/// The GPU room stands alone (no reference to the CPU kernels; its constant folder is given to it), and the
/// CLI's <see cref="Backends"/> is the one place a device and a thread count turn into a backend.
/// </summary>
[TestFixture, NonParallelizable]
public class GpuBackendChoiceTests
{
    private sealed class WatchedBackend : IBackend
    {
        public bool Disposed;
        public string Description => "watched";
        public ICompiledPlan Compile(ExecutionPlan plan) => throw new NotSupportedException();
        public void Dispose() => Disposed = true;
    }

    [Test]
    public void KernelsGpu_DoesNotReference_KernelsCpu() =>
        Assert.That(typeof(GpuBackend).Assembly.GetReferencedAssemblies().Select(a => a.Name), Does.Not.Contain("Cardinal.Kernels.Cpu"));

    [Test]
    public void GpuBackend_OwnedFolder_IsItsConstantFolder_AndDisposedWithIt()
    {
        var folder = new WatchedBackend();
        var gpu = new GpuBackend(Device.IlgpuCpu, folder);
        Assert.That(gpu.ConstantFolder, Is.SameAs(folder));
        gpu.Dispose();
        Assert.That(folder.Disposed, Is.True);
    }

    [Test]
    public void GpuBackend_SharedFolder_OutlivesIt()
    {
        var folder = new WatchedBackend();
        new GpuBackend(Device.IlgpuCpu, folder, ownsConstantFolder: false).Dispose();
        Assert.That(folder.Disposed, Is.False);
    }

    [Test]
    public void GpuBackend_NotAnIlgpuKind_Throws_AndDisposesItsOwnedFolder()
    {
        var folder = new WatchedBackend();
        Assert.That(() => new GpuBackend(Device.Cpu, folder), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(folder.Disposed, Is.True);
    }

    [Test]
    public void BackendsCreate_Cpu_UsesTheChoicesThreads()
    {
        using var backend = Backends.Create(new BackendChoice { Device = Device.Cpu, Threads = 3 });
        Assert.That(((CpuBackend)backend).Options.Threads, Is.EqualTo(3));
        Assert.That(backend.Description, Does.StartWith("cpu (threads=3"));
    }

    [Test]
    public void BackendsCreate_IlgpuCpu_FoldsConstantsOnOneCpuThread()
    {
        using var backend = Backends.Create(new BackendChoice { Device = Device.IlgpuCpu, Threads = 3 });
        Assert.That(backend, Is.InstanceOf<GpuBackend>());
        Assert.That(((CpuBackend)backend.ConstantFolder).Options.Threads, Is.EqualTo(1));
    }

    [Test]
    public void BackendsCreate_ZeroThreads_Throws() =>
        Assert.That(() => Backends.Create(new BackendChoice { Threads = 0 }), Throws.InstanceOf<ArgumentOutOfRangeException>());

    [TestCase("cpu", Device.Cpu), TestCase("CUDA", Device.Cuda), TestCase("opencl", Device.OpenCL),
     TestCase("ilgpu-cpu", Device.IlgpuCpu), TestCase("IlgpuCpu", Device.IlgpuCpu), TestCase("auto", Device.Auto)]
    public void BackendsParse_KnownName_GivesTheDevice(string text, Device expected) =>
        Assert.That(Backends.Parse(text), Is.EqualTo(expected));

    [Test]
    public void BackendsParse_UnknownName_ListsTheNames() =>
        Assert.That(() => Backends.Parse("tpu"), Throws.ArgumentException.With.Message.EqualTo("unknown device 'tpu' (cpu, cuda, opencl, ilgpu-cpu, auto)"));
}
