using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Ops;

/// <summary>Type-agnostic copies over raw bytes: Concat, Split, Gather, Pad.</summary>
internal static class DataMovement
{
    /// <summary>Concat along <paramref name="axis"/>: each input contributes a [outer][its axis·inner] block per outer index.</summary>
    public static void Concat(IReadOnlyList<Tensor> inputs, int axis, Tensor output)
    {
        int outer = TensorShape.ElementCount(output.Dims[..axis]);
        int innerBytes = TensorShape.ElementCount(output.Dims[(axis + 1)..]) * output.ElementType.SizeInBytes();
        int outRow = output.Dims[axis] * innerBytes;
        Span<byte> dst = output.Bytes;
        int offset = 0;
        // Indexed, not foreach: an array behind IReadOnlyList would hand out an enumerator object every run.
        for (int k = 0; k < inputs.Count; k++)
        {
            Tensor t = inputs[k];
            int chunk = t.Dims[axis] * innerBytes;
            ReadOnlySpan<byte> src = t.Bytes;
            for (int o = 0; o < outer; o++) src.Slice(o * chunk, chunk).CopyTo(dst.Slice(o * outRow + offset, chunk));
            offset += chunk;
        }
    }

    public static void Split(Tensor input, int axis, IReadOnlyList<Tensor> outputs)
    {
        int outer = TensorShape.ElementCount(input.Dims[..axis]);
        int innerBytes = TensorShape.ElementCount(input.Dims[(axis + 1)..]) * input.ElementType.SizeInBytes();
        int inRow = input.Dims[axis] * innerBytes;
        ReadOnlySpan<byte> src = input.Bytes;
        int offset = 0;
        for (int k = 0; k < outputs.Count; k++)
        {
            Tensor t = outputs[k];
            int chunk = t.Dims[axis] * innerBytes;
            Span<byte> dst = t.Bytes;
            for (int o = 0; o < outer; o++) src.Slice(o * inRow + offset, chunk).CopyTo(dst.Slice(o * chunk, chunk));
            offset += chunk;
        }
    }

    public static void Gather(Tensor data, Tensor indices, int axis, Tensor output)
    {
        int outer = TensorShape.ElementCount(data.Dims[..axis]);
        int axisLength = data.Dims[axis];
        int innerBytes = TensorShape.ElementCount(data.Dims[(axis + 1)..]) * data.ElementType.SizeInBytes();
        ReadOnlySpan<byte> src = data.Bytes;
        Span<byte> dst = output.Bytes;
        int count = indices.Length;
        for (int i = 0; i < count; i++)
        {
            long index = indices.GetInt64(i);
            if (index < -axisLength || index >= axisLength)
                throw new CardinalException($"Gather: index {index} is out of range for an axis of size {axisLength}.");
            if (index < 0) index += axisLength;
            for (int o = 0; o < outer; o++)
                src.Slice((int)((o * (long)axisLength + index) * innerBytes), innerBytes)
                   .CopyTo(dst.Slice((o * count + i) * innerBytes, innerBytes));
        }
    }

    /// <summary>
    /// Pad (constant, reflect, edge) with possibly negative pads, over any rank: every output element maps
    /// back to one input coordinate per axis, or to the constant.
    /// </summary>
    public static void Pad(Tensor input, int[] begin, Tensor output, Graph.Ops.PadMode mode, Tensor? constant)
    {
        int rank = input.Rank, size = input.ElementType.SizeInBytes();
        ReadOnlySpan<byte> src = input.Bytes;
        Span<byte> dst = output.Bytes;
        Span<byte> fill = stackalloc byte[8];
        fill.Clear();
        if (constant is not null && constant.Length > 0) WriteConstant(constant, input.ElementType, fill);
        if (output.Length == 0) return;
        if (rank == 0) { src.CopyTo(dst); return; }
        int[] inStrides = TensorShape.Strides(input.Dims), outDims = output.Shape();
        var index = new int[rank];
        for (int o = 0; o < output.Length; o++)
        {
            int offset = 0; bool inside = true;
            for (int d = 0; d < rank && inside; d++)
            {
                int n = input.Dims[d], i = index[d] - begin[d];
                if ((uint)i >= (uint)n)
                {
                    if (mode == Graph.Ops.PadMode.Constant) { inside = false; break; }
                    i = mode == Graph.Ops.PadMode.Edge ? Math.Clamp(i, 0, n - 1) : Reflect(i, n);
                }
                offset += i * inStrides[d];
            }
            if (inside) src.Slice(offset * size, size).CopyTo(dst.Slice(o * size, size));
            else fill[..size].CopyTo(dst.Slice(o * size, size));
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < outDims[d]) break;
                index[d] = 0;
            }
        }
    }

    private static int Reflect(int i, int n)
    {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - i;
    }

    /// <summary>Writes the pad value converted to the data's element type (opset-2 pads carry a float value).</summary>
    private static void WriteConstant(Tensor constant, ElementType type, Span<byte> into)
    {
        double v = constant.ElementType is ElementType.Float32 or ElementType.Float64
            ? Convert.ToDouble(constant.Data.GetValue(constant.Offset)) : constant.GetInt64(0);
        switch (type)
        {
            case ElementType.Float32: BitConverter.TryWriteBytes(into, (float)v); break;
            case ElementType.Float64: BitConverter.TryWriteBytes(into, v); break;
            case ElementType.Int64: BitConverter.TryWriteBytes(into, (long)v); break;
            case ElementType.UInt64: BitConverter.TryWriteBytes(into, (ulong)v); break;
            case ElementType.Int32: BitConverter.TryWriteBytes(into, (int)v); break;
            case ElementType.UInt32: BitConverter.TryWriteBytes(into, (uint)v); break;
            case ElementType.Int16: BitConverter.TryWriteBytes(into, (short)v); break;
            case ElementType.UInt16: BitConverter.TryWriteBytes(into, (ushort)v); break;
            case ElementType.Int8: into[0] = (byte)(sbyte)v; break;
            case ElementType.UInt8: into[0] = (byte)v; break;
            case ElementType.Bool: into[0] = v != 0 ? (byte)1 : (byte)0; break;
        }
    }
}
