using Cardinal.Tensors;

namespace Cardinal.Graph.Ops;

/// <summary>Ops that only change how the same elements are indexed: the output holds the input's data as-is.</summary>
internal abstract class ViewOp : Operator
{
    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs) => 0;
}

/// <summary>ONNX Flatten: [d0…dk-1 | dk…dn-1] → [Π d0…dk-1, Π dk…dn-1].</summary>
internal sealed class FlattenOp(int axis) : ViewOp
{
    public override string OpType => "Flatten";
    public int Axis { get; } = axis;

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "input");
        int axis = Axis < 0 ? Axis + x.Rank : Axis;
        if (axis < 0 || axis > x.Rank) throw Invalid(node, $"axis {Axis} out of range for rank {x.Rank}.");
        int outer = TensorShape.ElementCount(x.Dims.AsSpan(0, axis));
        int inner = TensorShape.ElementCount(x.Dims.AsSpan(axis));
        return [new(x.ElementType, [outer, inner])];
    }
}

/// <summary>ONNX Reshape: 0 copies the input's dimension (unless allowzero), −1 is inferred.</summary>
internal sealed class ReshapeOp(bool allowZero) : ViewOp
{
    public override string OpType => "Reshape";
    public bool AllowZero { get; } = allowZero;

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "data");
        long[] requested = RequireConstant(node, Required(node, inputs, 1, "shape"), "shape").ToInt64Array();
        var dims = new int[requested.Length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < requested.Length; i++)
        {
            long r = requested[i];
            if (r == 0 && !AllowZero)
            {
                if (i >= x.Rank) throw Invalid(node, $"shape[{i}] = 0 copies an input dimension that does not exist.");
                r = x.Dims[i];
            }
            if (r == -1)
            {
                if (inferred >= 0) throw Invalid(node, "shape has more than one -1.");
                inferred = i;
                continue;
            }
            if (r < 0 || r > int.MaxValue) throw Invalid(node, $"shape[{i}] = {requested[i]} is not a valid dimension.");
            dims[i] = (int)r;
            known *= r;
            if (known > TensorShape.MaxElements) throw Invalid(node, "target shape is too large.");
        }
        long total = x.ElementCount;
        if (inferred >= 0)
        {
            if (known == 0 || total % known != 0) throw Invalid(node, $"cannot infer -1: {total} elements into {TensorShape.Format(requested)}.");
            dims[inferred] = (int)(total / known);
        }
        else if (known != total)
            throw Invalid(node, $"cannot reshape {TensorShape.Format(x.Dims)} ({total} elements) to {TensorShape.Format(requested)}.");
        return [new(x.ElementType, dims)];
    }
}

/// <summary>ONNX Squeeze (axes as the optional second input; none means every axis of size 1).</summary>
internal sealed class SqueezeOp : ViewOp
{
    public override string OpType => "Squeeze";

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "data");
        HashSet<int> axes;
        if (inputs.Length > 1 && inputs[1] is { } a)
        {
            axes = RequireConstant(node, a, "axes").ToInt64Array().Select(v => TensorShape.NormalizeAxis(v, x.Rank, node.Describe())).ToHashSet();
            foreach (int axis in axes)
                if (x.Dims[axis] != 1) throw Invalid(node, $"cannot squeeze axis {axis} of size {x.Dims[axis]}.");
        }
        else axes = Enumerable.Range(0, x.Rank).Where(i => x.Dims[i] == 1).ToHashSet();
        return [new(x.ElementType, x.Dims.Where((_, i) => !axes.Contains(i)).ToArray())];
    }
}

/// <summary>ONNX Unsqueeze (axes as the second input, relative to the output's rank).</summary>
internal sealed class UnsqueezeOp : ViewOp
{
    public override string OpType => "Unsqueeze";

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "data");
        long[] raw = RequireConstant(node, Required(node, inputs, 1, "axes"), "axes").ToInt64Array();
        int rank = x.Rank + raw.Length;
        var axes = raw.Select(v => TensorShape.NormalizeAxis(v, rank, node.Describe())).ToHashSet();
        if (axes.Count != raw.Length) throw Invalid(node, "axes repeat.");
        var dims = new int[rank];
        for (int i = 0, k = 0; i < rank; i++) dims[i] = axes.Contains(i) ? 1 : x.Dims[k++];
        return [new(x.ElementType, dims)];
    }
}

/// <summary>Identity: output is the input.</summary>
internal sealed class IdentityOp : ViewOp
{
    public override string OpType => "Identity";
    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "input");
        return [new(x.ElementType, x.Dims)];
    }
}

/// <summary>Dropout at inference: output = input; the optional mask is all true. Training mode is refused.</summary>
internal sealed class DropoutOp : ViewOp
{
    public override string OpType => "Dropout";

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "data");
        if (inputs.Length > 2 && inputs[2] is { } mode)
        {
            bool training = RequireConstant(node, mode, "training_mode").GetInt64(0) != 0;
            double ratio = inputs[1]?.Constant is { } r ? Convert.ToDouble(r.Data.GetValue(r.Offset)) : 0.5;
            if (training && ratio != 0)
                throw new UnsupportedModelException($"{node.Describe()}: training-mode Dropout (random masks) is not supported; Cardinal runs inference only.");
        }
        return node.Outputs.Length > 1 ? [new(x.ElementType, x.Dims), new(ElementType.Bool, x.Dims)] : [new(x.ElementType, x.Dims)];
    }
}

/// <summary>ONNX Shape with the opset-15 start/end slice.</summary>
internal sealed class ShapeOp(long start, long? end) : Operator
{
    public override string OpType => "Shape";
    public long Start { get; } = start;
    public long? End { get; } = end;

    public (int Start, int End) Range(int rank)
    {
        static int Clamp(long v, int rank) => (int)Math.Clamp(v < 0 ? v + rank : v, 0, rank);
        int s = Clamp(Start, rank), e = Clamp(End ?? rank, rank);
        return (s, Math.Max(s, e));
    }

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "data");
        (int s, int e) = Range(x.Rank);
        return [new(ElementType.Int64, [e - s])];
    }

    public override Tensor FoldFromShapes(ValueInfo?[] inputs)
    {
        int[] dims = inputs[0]!.Dims;
        (int s, int e) = Range(dims.Length);
        return Tensor.FromArray(dims[s..e].Select(d => (long)d).ToArray(), e - s);
    }
}

/// <summary>ONNX Concat along one axis; every other dimension must agree.</summary>
internal sealed class ConcatOp(int axis) : Operator
{
    public override string OpType => "Concat";
    public int Axis { get; } = axis;

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        if (inputs.Length == 0 || inputs.Any(i => i is null)) throw Invalid(node, "needs at least one input, none omitted.");
        ValueInfo first = inputs[0]!;
        int axis = TensorShape.NormalizeAxis(Axis, first.Rank, node.Describe());
        int[] dims = (int[])first.Dims.Clone();
        dims[axis] = 0;
        foreach (ValueInfo v in inputs!)
        {
            if (v.ElementType != first.ElementType || v.Rank != first.Rank)
                throw Invalid(node, $"input '{v.Name}' ({v.ElementType.Name()}{TensorShape.Format(v.Dims)}) does not match '{first.Name}'.");
            for (int i = 0; i < v.Rank; i++)
                if (i != axis && v.Dims[i] != first.Dims[i])
                    throw Invalid(node, $"input '{v.Name}' has {TensorShape.Format(v.Dims)}; only axis {axis} may differ from {TensorShape.Format(first.Dims)}.");
            dims[axis] = checked(dims[axis] + v.Dims[axis]);
        }
        return [new(first.ElementType, dims)];
    }
}

/// <summary>ONNX Split: sizes from the optional second input, else equal parts (the last one smaller, opset 18).</summary>
internal sealed class SplitOp(int axis) : Operator
{
    public override string OpType => "Split";
    public int Axis { get; } = axis;

    public int[] Sizes(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "input");
        int axis = TensorShape.NormalizeAxis(Axis, x.Rank, node.Describe());
        int parts = node.Outputs.Length, length = x.Dims[axis];
        if (inputs.Length > 1 && inputs[1] is { } s)
        {
            long[] sizes = RequireConstant(node, s, "split").ToInt64Array();
            if (sizes.Length != parts || sizes.Any(v => v < 0) || sizes.Sum() != length)
                throw Invalid(node, $"split sizes {TensorShape.Format(sizes)} do not cut axis {axis} of size {length} into {parts} outputs.");
            return sizes.Select(v => (int)v).ToArray();
        }
        int chunk = (length + parts - 1) / parts;
        var result = new int[parts];
        for (int i = 0, left = length; i < parts; i++) { result[i] = Math.Min(chunk, left); left -= result[i]; }
        if (result[^1] <= 0 && length > 0) throw Invalid(node, $"axis of size {length} cannot be split into {parts} parts.");
        return result;
    }

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "input");
        int axis = TensorShape.NormalizeAxis(Axis, x.Rank, node.Describe());
        return Sizes(node, inputs).Select(size =>
        {
            int[] dims = (int[])x.Dims.Clone();
            dims[axis] = size;
            return new TensorType(x.ElementType, dims);
        }).ToArray();
    }
}

/// <summary>ONNX Gather: picks slices along one axis by (possibly negative) integer indices.</summary>
internal sealed class GatherOp(int axis) : Operator
{
    public override string OpType => "Gather";
    public int Axis { get; } = axis;

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo data = Required(node, inputs, 0, "data"), indices = Required(node, inputs, 1, "indices");
        if (indices.ElementType is not (ElementType.Int32 or ElementType.Int64))
            throw Invalid(node, $"indices must be int32 or int64, got {indices.ElementType.Name()}.");
        int axis = TensorShape.NormalizeAxis(Axis, data.Rank, node.Describe());
        if (indices.Constant is { } known)
            for (int i = 0; i < known.Length; i++)
            {
                long v = known.GetInt64(i);
                if (v < -data.Dims[axis] || v >= data.Dims[axis])
                    throw Invalid(node, $"index {v} is out of range for axis {axis} of size {data.Dims[axis]}.");
            }
        int[] dims = [.. data.Dims[..axis], .. indices.Dims, .. data.Dims[(axis + 1)..]];
        return [new(data.ElementType, dims)];
    }
}

internal enum PadMode { Constant, Reflect, Edge }

/// <summary>ONNX Pad in its opset-18 form: pads, optional constant_value and axes as inputs. Negative pads crop.</summary>
internal sealed class PadOp(PadMode mode) : Operator
{
    public override string OpType => "Pad";
    public PadMode Mode { get; } = mode;

    /// <summary>Per-axis (begin, end) pads over all of the input's axes.</summary>
    public (int[] Begin, int[] End) Pads(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "data");
        long[] pads = RequireConstant(node, Required(node, inputs, 1, "pads"), "pads").ToInt64Array();
        int[] axes = inputs.Length > 3 && inputs[3] is { } a
            ? RequireConstant(node, a, "axes").ToInt64Array().Select(v => TensorShape.NormalizeAxis(v, x.Rank, node.Describe())).ToArray()
            : Enumerable.Range(0, x.Rank).ToArray();
        if (pads.Length != 2 * axes.Length) throw Invalid(node, $"pads has {pads.Length} values for {axes.Length} axes.");
        int[] begin = new int[x.Rank], end = new int[x.Rank];
        for (int i = 0; i < axes.Length; i++)
        {
            begin[axes[i]] = checked((int)pads[i]);
            end[axes[i]] = checked((int)pads[i + axes.Length]);
        }
        return (begin, end);
    }

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "data");
        (int[] begin, int[] end) = Pads(node, inputs);
        var dims = new int[x.Rank];
        for (int i = 0; i < x.Rank; i++)
        {
            long d = (long)x.Dims[i] + begin[i] + end[i];
            if (d < 0 || d > int.MaxValue) throw Invalid(node, $"padding axis {i} gives size {d}.");
            if (Mode == PadMode.Reflect && (begin[i] >= x.Dims[i] || end[i] >= x.Dims[i]) && (begin[i] > 0 || end[i] > 0))
                throw Invalid(node, $"reflect pad of {Math.Max(begin[i], end[i])} needs an axis longer than {x.Dims[i]}.");
            if (Mode == PadMode.Edge && x.Dims[i] == 0 && d > 0) throw Invalid(node, "edge pad of an empty axis.");
            dims[i] = (int)d;
        }
        if (inputs.Length > 2 && inputs[2] is { } v && v.ElementType != x.ElementType)
            throw Invalid(node, $"constant_value is {v.ElementType.Name()}, data is {x.ElementType.Name()}.");
        return [new(x.ElementType, dims)];
    }

    public override string Describe() => $"Pad mode={Mode}";
}
