using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cardinal.Tensors;

/// <summary>
/// A dense, row-major tensor: an element type, a concrete shape and one managed array that owns the data.
/// Float32 tensors are the engine's currency; the other types carry shape arithmetic and elementwise tests.
/// </summary>
public sealed class Tensor
{
    private readonly int[] _dims;

    /// <summary>The type of the elements.</summary>
    public ElementType ElementType { get; }
    /// <summary>The dimensions.</summary>
    public ReadOnlySpan<int> Dims => _dims;
    /// <summary>The number of dimensions.</summary>
    public int Rank => _dims.Length;
    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>
    /// The backing array: <c>float[]</c> for Float32, <c>long[]</c> for Int64, and so on. The tensor's elements
    /// are <see cref="Length"/> elements from <see cref="Offset"/> (0, except for the executor's pooled
    /// buffers, which start on a 64-byte boundary inside a longer pinned array): read through
    /// <see cref="Span{T}"/> or <see cref="Bytes"/>, which account for it.
    /// </summary>
    public Array Data { get; private set; }

    /// <summary>
    /// The data was let go after a backend made its own copy (packed convolution weights): the shape and the
    /// type remain, reading the elements throws. Only a session releases tensors, and only ones it made itself.
    /// </summary>
    internal bool IsReleased { get; private set; }

    /// <summary>Drops the elements (see <see cref="IsReleased"/>); the tensor keeps its identity, shape and type.</summary>
    internal void Release()
    {
        IsReleased = true;
        Data = NewArray(ElementType, 0);
        Offset = 0;
    }

    /// <summary>Index in <see cref="Data"/> of the first element.</summary>
    public int Offset { get; private set; }

    /// <param name="within">The elements are a window of a longer array (see <see cref="Over"/>); else the array is exactly the tensor.</param>
    /// <param name="type">The element type; <paramref name="data"/>'s element type must match it.</param>
    /// <param name="dims">The dimensions, owned by the tensor from now on.</param>
    /// <param name="data">The element storage.</param>
    /// <param name="offset">Index of the first element in <paramref name="data"/>.</param>
    private Tensor(ElementType type, int[] dims, Array data, int offset = 0, bool within = false)
    {
        ElementType = type;
        _dims = dims;
        Length = TensorShape.ElementCount(dims);
        if (offset < 0 || (within ? (long)offset + Length > data.Length : data.Length != Length))
            throw new ArgumentException($"Data holds {data.Length} elements but shape {TensorShape.Format(dims)} needs {Length} from index {offset}.");
        Data = data;
        Offset = offset;
    }

    /// <summary>A zero-filled tensor.</summary>
    public static Tensor Create(ElementType type, ReadOnlySpan<int> dims)
    {
        foreach (int d in dims)
            if (d < 0) throw new ArgumentException($"Negative dimension in {TensorShape.Format(dims)}.");
        int length = TensorShape.ElementCount(dims);
        return new Tensor(type, dims.ToArray(), NewArray(type, length));
    }

    /// <summary>
    /// A float32 tensor whose contents are not zeroed first: for kernel outputs that are written in full
    /// anyway, where clearing megabytes per layer per run would be wasted memory traffic.
    /// </summary>
    public static Tensor CreateUninitialized(ElementType type, ReadOnlySpan<int> dims)
    {
        if (type != ElementType.Float32) return Create(type, dims);
        foreach (int d in dims)
            if (d < 0) throw new ArgumentException($"Negative dimension in {TensorShape.Format(dims)}.");
        return new Tensor(type, dims.ToArray(), GC.AllocateUninitializedArray<float>(TensorShape.ElementCount(dims)));
    }

    private static Array NewArray(ElementType type, int length) => type switch
    {
        ElementType.Float32 => new float[length],
        ElementType.Float64 => new double[length],
        ElementType.Int8 => new sbyte[length],
        ElementType.Int16 => new short[length],
        ElementType.Int32 => new int[length],
        ElementType.Int64 => new long[length],
        ElementType.UInt8 => new byte[length],
        ElementType.UInt16 => new ushort[length],
        ElementType.UInt32 => new uint[length],
        ElementType.UInt64 => new ulong[length],
        ElementType.Bool => new bool[length],
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>A tensor over <paramref name="data"/> (not copied) with the given dimensions.</summary>
    public static Tensor FromArray<T>(T[] data, params int[] dims) where T : unmanaged =>
        new(ElementTypes.Of<T>(), (int[])dims.Clone(), data);

    /// <summary>A tensor over an existing array of the element type's CLR type (no copy).</summary>
    public static Tensor Wrap(ElementType type, ReadOnlySpan<int> dims, Array data)
    {
        if (data.GetType().GetElementType() != type.ClrType())
            throw new ArgumentException($"A {data.GetType().Name} cannot hold {type.Name()} elements.");
        return new Tensor(type, dims.ToArray(), data);
    }

    /// <summary>
    /// A tensor over <paramref name="dims"/>' worth of elements of <paramref name="data"/> from
    /// <paramref name="offset"/> on (no copy): how the executor places values at aligned addresses.
    /// </summary>
    public static Tensor Over(ElementType type, ReadOnlySpan<int> dims, Array data, int offset)
    {
        if (data.GetType().GetElementType() != type.ClrType())
            throw new ArgumentException($"A {data.GetType().Name} cannot hold {type.Name()} elements.");
        return new Tensor(type, dims.ToArray(), data, offset, within: true);
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar<T>(T value) where T : unmanaged => new(ElementTypes.Of<T>(), [], new[] { value });

    /// <summary>A copy of the dimensions.</summary>
    public int[] Shape() => (int[])_dims.Clone();

    /// <summary>The elements as <typeparamref name="T"/>, which must be the element type's .NET type.</summary>
    public Span<T> Span<T>() where T : unmanaged
    {
        if (IsReleased) throw Released();
        if (Data is not T[] array)
            throw new InvalidOperationException($"Tensor holds {ElementType.Name()}, not {typeof(T).Name}.");
        return array.Length == Length ? array : array.AsSpan(Offset, Length);
    }

    /// <summary>The elements of a float32 tensor.</summary>
    public Span<float> Floats => Span<float>();

    /// <summary>The raw bytes of the data, for type-agnostic data movement (Concat, Gather, Pad, …).</summary>
    public Span<byte> Bytes => IsReleased ? throw Released() : MemoryMarshal.CreateSpan(
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Data), Offset * ElementType.SizeInBytes()), Length * ElementType.SizeInBytes());

    private CardinalException Released() =>
        new($"This {ElementType.Name()}{TensorShape.Format(_dims)} tensor's data was released: the backend holds its own packed copy of these weights.");

    /// <summary>Same data, new shape (element counts must agree); the array is shared, not copied.</summary>
    public Tensor Reshaped(ReadOnlySpan<int> dims) => IsReleased ? throw Released() : new(ElementType, dims.ToArray(), Data, Offset, within: Data.Length != Length);

    /// <summary>Reads element <paramref name="index"/> of an integer or float tensor as a long (shape arithmetic).</summary>
    public long GetInt64(int index) => IsReleased ? throw Released() : GetInt64At(index + Offset);

    private long GetInt64At(int index) => Data switch
    {
        long[] a => a[index],
        int[] a => a[index],
        short[] a => a[index],
        sbyte[] a => a[index],
        byte[] a => a[index],
        ushort[] a => a[index],
        uint[] a => a[index],
        ulong[] a => checked((long)a[index]),
        bool[] a => a[index] ? 1 : 0,
        float[] a => (long)a[index],
        double[] a => (long)a[index],
        _ => throw new InvalidOperationException("Unknown tensor storage."),
    };

    /// <summary>The elements of an integer tensor as 64-bit integers.</summary>
    public long[] ToInt64Array()
    {
        var result = new long[Length];
        for (int i = 0; i < result.Length; i++) result[i] = GetInt64(i);
        return result;
    }

    /// <summary>A tensor with its own copy of the elements.</summary>
    public Tensor Clone()
    {
        if (IsReleased) throw Released();
        if (Offset == 0 && Data.Length == Length) return new(ElementType, (int[])_dims.Clone(), (Array)Data.Clone());
        var copy = Create(ElementType, _dims);
        Bytes.CopyTo(copy.Bytes);
        return copy;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{ElementType.Name()}{TensorShape.Format(_dims)}";
}
