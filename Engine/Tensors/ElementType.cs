namespace Cardinal.Tensors;

/// <summary>
/// Element types a tensor can hold. Convolutions and the other numeric kernels are float32 only; the
/// integer and bool types exist for the shape arithmetic exporters emit (Shape, Gather, Concat, Reshape)
/// and for the elementwise operators, which are generic over the number type.
/// </summary>
public enum ElementType
{
    /// <summary>32-bit float.</summary>
    Float32,
    /// <summary>64-bit float.</summary>
    Float64,
    /// <summary>Signed 8-bit integer.</summary>
    Int8,
    /// <summary>Signed 16-bit integer.</summary>
    Int16,
    /// <summary>Signed 32-bit integer.</summary>
    Int32,
    /// <summary>Signed 64-bit integer.</summary>
    Int64,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16,
    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32,
    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64,
    /// <summary>Boolean, one byte per element.</summary>
    Bool,
}

/// <summary>Facts about each <see cref="ElementType"/>.</summary>
public static class ElementTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeInBytes(this ElementType type) => type switch
    {
        ElementType.Float32 or ElementType.Int32 or ElementType.UInt32 => 4,
        ElementType.Float64 or ElementType.Int64 or ElementType.UInt64 => 8,
        ElementType.Int16 or ElementType.UInt16 => 2,
        ElementType.Int8 or ElementType.UInt8 or ElementType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The .NET type of an element.</summary>
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

    /// <summary>The element type of the .NET type <typeparamref name="T"/>.</summary>
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

    /// <summary>The lower-case name, e.g. "float32".</summary>
    public static string Name(this ElementType type) => type.ToString().ToLowerInvariant();
}
