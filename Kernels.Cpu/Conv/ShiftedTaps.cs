using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Graph.Ops;

namespace Cardinal.Kernels.Cpu.Conv;

/// <summary>
/// A "same" stride-1 2-D convolution's B operand, gathered straight from the input as each GEMM block
/// packs it, with no im2col matrix. Row (c, kh, kw) of B is channel c's plane shifted by
/// (dy, dx) = (kh·DH − PadH, kw·DW − PadW), so an NR-wide panel row is one contiguous read of the input,
/// ANDed with the tap's mask: zero where the shifted pixel falls outside the plane (a wrapped column, a
/// row above or below). The input is small and stays in cache, where im2col wrote, and packing read
/// back, a K×N matrix per layer (7 MiB for ResNet-50's 56×56 layers).
/// </summary>
internal readonly unsafe struct ShiftedTaps : IBPanels
{
    private readonly float* _x;
    private readonly uint* _masks;
    private readonly Window3D _w;
    private readonly long _total;
    private readonly int _maskStride;
    private readonly delegate* managed<float*, uint*, float*, int, void> _maskedCopy;

    /// <param name="x">The group's input planes, [channels][InH][InW].</param>
    /// <param name="masks">From <see cref="TapMasks.Fill"/> for this window and the platform's NR.</param>
    /// <param name="channels">Input channels of the group.</param>
    /// <param name="w">The window geometry (stride 1).</param>
    /// <param name="platform">The tier's kernel table; its NR is the tile width.</param>
    public ShiftedTaps(float* x, int channels, in Window3D w, uint* masks, CpuPlatform platform) : this(x, channels, w, masks, platform.NR, platform)
    {
    }

    /// <summary>Panels <paramref name="nr"/> wide with <paramref name="platform"/>'s masked copy (the twin test covers every tier's NR on any machine).</summary>
    internal ShiftedTaps(float* x, int channels, in Window3D w, uint* masks, int nr, CpuPlatform platform)
    {
        _x = x;
        _w = w;
        _masks = masks;
        _total = (long)channels * w.InSize;
        _maskStride = TapMasks.Stride(w, nr);
        _maskedCopy = platform.MaskedCopy;
    }

    /// <summary>Stride-1, output the input's size, 2-D: the windows whose taps are pure shifts of the plane.</summary>
    public static bool Applies(in Window3D w) =>
        w.IsPlanar && w.SH == 1 && w.SW == 1 && w.OutH == w.InH && w.OutW == w.InW && !w.IsPointwise;

    public void Pack(int p0, int kc, int col0, int nc, int nr, float* dst)
    {
        int taps = _w.KernelSize;
        for (int p = 0; p < kc; p++)
        {
            int r = p0 + p, c = r / taps, t = r % taps, kh = t / _w.KW, kw = t % _w.KW;
            long shift = (long)(kh * _w.DH - _w.PadH) * _w.InW + (kw * _w.DW - _w.PadW);
            long start = (long)c * _w.InSize + col0 + shift;
            uint* mask = _masks + (long)t * _maskStride + col0;
            float* row = dst + (long)p * nr;
            for (int j = 0; j < nc; j += nr, start += nr, mask += nr, row += (long)kc * nr)
            {
                if (start >= 0 && start + nr <= _total)
                    _maskedCopy(_x + start, mask, row, nr);
                else
                    // The first or last channel's panel reaching past the input: element by element.
                    for (int q = 0; q < nr; q++)
                        row[q] = mask[q] != 0 && start + q >= 0 && start + q < _total ? _x[start + q] : 0f;
            }
        }
    }
}
