namespace Cardinal.Tensors;

/// <summary>
/// Element types a tensor can hold. Convolutions and the other numeric kernels are float32 only; the
/// integer and bool types exist for the shape arithmetic exporters emit (Shape, Gather, Concat, Reshape)
/// and for the elementwise operators, which are generic over the number type.
/// </summary>
public enum ElementType
{
    Float32,
    Float64,
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Bool,
}

public static class ElementTypes
{
    public static int SizeInBytes(this ElementType type) => type switch
    {
        ElementType.Float32 or ElementType.Int32 or ElementType.UInt32 => 4,
        ElementType.Float64 or ElementType.Int64 or ElementType.UInt64 => 8,
        ElementType.Int16 or ElementType.UInt16 => 2,
        ElementType.Int8 or ElementType.UInt8 or ElementType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static Type ClrType(this ElementType type) => type switch
    {
        ElementType.Float32 => typeof(float),
        ElementType.Float64 => typeof(double),
        ElementType.Int8 => typeof(sbyte),
        ElementType.Int16 => typeof(short),
        ElementType.Int32 => typeof(int),
        ElementType.Int64 => typeof(long),
        ElementType.UInt8 => typeof(byte),
        ElementType.UInt16 => typeof(ushort),
        ElementType.UInt32 => typeof(uint),
        ElementType.UInt64 => typeof(ulong),
        ElementType.Bool => typeof(bool),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static ElementType Of<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return ElementType.Float32;
        if (typeof(T) == typeof(double)) return ElementType.Float64;
        if (typeof(T) == typeof(sbyte)) return ElementType.Int8;
        if (typeof(T) == typeof(short)) return ElementType.Int16;
        if (typeof(T) == typeof(int)) return ElementType.Int32;
        if (typeof(T) == typeof(long)) return ElementType.Int64;
        if (typeof(T) == typeof(byte)) return ElementType.UInt8;
        if (typeof(T) == typeof(ushort)) return ElementType.UInt16;
        if (typeof(T) == typeof(uint)) return ElementType.UInt32;
        if (typeof(T) == typeof(ulong)) return ElementType.UInt64;
        if (typeof(T) == typeof(bool)) return ElementType.Bool;
        throw new NotSupportedException($"{typeof(T).Name} is not a tensor element type.");
    }

    public static string Name(this ElementType type) => type.ToString().ToLowerInvariant();
}
