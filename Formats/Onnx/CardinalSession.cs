using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;

namespace Cardinal;

/// <summary>
/// The one-line way in: <c>using var session = CardinalSession.Open("resnet50.onnx", new() { Threads = 2 });</c>.
/// It reads the ONNX model (a path, a stream or bytes), makes the backend <see cref="SessionOptions.Device"/> and
/// <see cref="SessionOptions.Threads"/> ask for, and opens an <see cref="InferenceSession"/> that owns both.
/// </summary>
/// <remarks>
/// It lives in Cardinal.Formats because that is the first assembly that can name both ends: the ONNX reader is here,
/// and the CPU backend (Cardinal.Kernels.Cpu, no dependencies of its own) is referenced from here. The GPU backend is
/// not: ILGPU stays out of every CPU-only program (the NativeAOT service among them), and a GPU device is reached
/// through <see cref="DeviceBackends"/>, which Cardinal.Kernels.Gpu fills when the program calls
/// <c>CardinalGpu.Register()</c>.
/// </remarks>
public static class CardinalSession
{
    /// <summary>Opens an .onnx file (external data beside it is found).</summary>
    public static InferenceSession Open(string path, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Open(OnnxImporter.Load(path), options);
    }

    /// <summary>
    /// Opens a model from a stream, which is left open: a seekable stream is read field by field from its position,
    /// any other is buffered whole, up to <see cref="SessionOptions.MaxModelBytes"/>.
    /// </summary>
    public static InferenceSession Open(Stream model, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new SessionOptions();
        return Open(OnnxImporter.Load(model, options.MaxModelBytes, options.Name ?? "stream"), options);
    }

    /// <summary>Opens a model held in memory (an embedded resource, a download).</summary>
    public static InferenceSession Open(ReadOnlyMemory<byte> model, SessionOptions? options = null) =>
        Open(OnnxImporter.Load(model, options?.Name ?? "model"), options);

    /// <summary>The backend <paramref name="options"/> asks for (what <c>Open</c> uses); the caller owns it.</summary>
    /// <exception cref="DeviceNotRegisteredException">A GPU device without Cardinal.Kernels.Gpu registered.</exception>
    public static IBackend CreateBackend(SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int threads = options.Threads ?? Environment.ProcessorCount;
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(options), threads, "SessionOptions.Threads must be at least 1.");
        switch (options.Device ?? Device.Cpu)
        {
            case Device.Cpu:
                return Cpu(threads, options.ShareThreads);
            case Device.Auto:
                if (!DeviceBackends.GpuRegistered) return Cpu(threads, options.ShareThreads);
                foreach (Device kind in new[] { Device.Cuda, Device.OpenCL })
                {
                    try { return DeviceBackends.Gpu(kind)(kind, Cpu(1, share: false)); }
                    catch (CardinalException) { } // that device is not there: try the next
                }
                return Cpu(threads, options.ShareThreads);
            case var gpu:
                return DeviceBackends.Gpu(gpu)(gpu, Cpu(1, share: false));
        }
    }

    /// <summary>A CPU backend on threads of its own, or on the process's pool for the thread count (SessionOptions.ShareThreads).</summary>
    private static CpuBackend Cpu(int threads, bool share) =>
        new(share ? new CpuBackendOptions { ThreadPool = CpuThreadPool.Shared(threads) } : new CpuBackendOptions { Threads = threads });

    private static InferenceSession Open(Cardinal.Graph.ModelGraph graph, SessionOptions? options)
    {
        options ??= new SessionOptions();
        IBackend backend = CreateBackend(options);
        try
        {
            // The backend is made: what chose it is not the session's to read again.
            return InferenceSession.Open(graph, backend, options with { Device = null, Threads = null, ShareThreads = false }, ownsBackend: true, ownsGraph: true);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }
}
