namespace Cardinal.Kernels.Cpu.Conv;

/// <summary>
/// Unfolds input patches into columns for convolution as GEMM.
/// src [C][InD][InH][InW] → dst [C·KD·KH·KW][OutD·OutH·OutW]; taps that fall in the padding read as 0.
/// </summary>
public static class Im2Col
{
    public static void Unfold(ReadOnlySpan<float> src, int channels, in Window3D w, Span<float> dst)
    {
        int outSize = w.OutSize;
        int row = 0;
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> plane = src.Slice(c * w.InSize, w.InSize);
            for (int kd = 0; kd < w.KD; kd++)
                for (int kh = 0; kh < w.KH; kh++)
                    for (int kw = 0; kw < w.KW; kw++, row++)
                        UnfoldTap(plane, w, kd, kh, kw, dst.Slice(row * outSize, outSize));
        }
    }

    private static void UnfoldTap(ReadOnlySpan<float> plane, in Window3D w, int kd, int kh, int kw, Span<float> dst)
    {
        int o = 0;
        for (int od = 0; od < w.OutD; od++)
        {
            int id = od * w.SD - w.PadD + kd * w.DD;
            bool dInside = (uint)id < (uint)w.InD;
            for (int oh = 0; oh < w.OutH; oh++)
            {
                int ih = oh * w.SH - w.PadH + kh * w.DH;
                Span<float> line = dst.Slice(o, w.OutW);
                o += w.OutW;
                if (!dInside || (uint)ih >= (uint)w.InH) { line.Clear(); continue; }
                ReadOnlySpan<float> srcRow = plane.Slice((id * w.InH + ih) * w.InW, w.InW);
                int offset = kw * w.DW - w.PadW;
                if (w.SW == 1)
                {
                    // Contiguous: zeros where the row reads left/right padding, one copy for the rest.
                    int first = Math.Clamp(-offset, 0, w.OutW);
                    int last = Math.Clamp(w.InW - offset, first, w.OutW);
                    line[..first].Clear();
                    if (last > first) srcRow.Slice(first + offset, last - first).CopyTo(line[first..last]);
                    line[last..].Clear();
                }
                else
                {
                    for (int ow = 0; ow < w.OutW; ow++)
                    {
                        int iw = ow * w.SW + offset;
                        line[ow] = (uint)iw < (uint)w.InW ? srcRow[iw] : 0f;
                    }
                }
            }
        }
    }
}
