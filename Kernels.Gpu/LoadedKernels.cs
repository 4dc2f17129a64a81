using Cardinal.Kernels.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Cardinal.Kernels.Gpu;

/// <summary>Every device kernel, compiled and loaded once for one accelerator (first use of each compiles it).</summary>
internal sealed class LoadedKernels(Accelerator accelerator)
{
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvParams>? _implicitGemm;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvParams>? _direct;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, PoolParams>? _maxPool, _averagePool;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int>? _globalAverage;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int>? _binary;
    private Action<Index1D, ArrayView<float>, ArrayView<float>>? _relu, _sigmoid;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, float, float, int, int>? _clip;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>? _scaleShift;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>? _copyStrided;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, int>? _softmax;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams>? _gemm;

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvParams> ImplicitGemm =>
        _implicitGemm ??= accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvParams>(ConvKernels.ImplicitGemm);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvParams> Direct =>
        _direct ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvParams>(ConvKernels.Direct);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, PoolParams> MaxPool =>
        _maxPool ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolParams>(PoolKernels.Max);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, PoolParams> AveragePool =>
        _averagePool ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolParams>(PoolKernels.Average);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> GlobalAverage =>
        _globalAverage ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(PoolKernels.GlobalAverage);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int> Binary =>
        _binary ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int>(ElementwiseKernels.Binary);
    public Action<Index1D, ArrayView<float>, ArrayView<float>> Relu =>
        _relu ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Relu);
    public Action<Index1D, ArrayView<float>, ArrayView<float>> Sigmoid =>
        _sigmoid ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Sigmoid);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, float, float, int, int> Clip =>
        _clip ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, float, int, int>(ElementwiseKernels.Clip);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> ScaleShift =>
        _scaleShift ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(ElementwiseKernels.ScaleShift);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> CopyStrided =>
        _copyStrided ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(ElementwiseKernels.CopyStrided);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> Softmax =>
        _softmax ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ElementwiseKernels.Softmax);
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams> Gemm =>
        _gemm ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams>(GemmKernels.Gemm);
}
