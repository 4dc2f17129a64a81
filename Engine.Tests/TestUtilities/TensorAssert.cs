using Cardinal.Tensors;

namespace Cardinal.Tests.TestUtilities;

/// <summary>Element-wise closeness, |a − e| ≤ atol + rtol·|e|, with failure messages that name the worst index.</summary>
public static class TensorAssert
{
    public static void Close(Tensor expected, Tensor actual, double rtol, double atol, string context)
    {
        Assert.That(actual.ElementType, Is.EqualTo(expected.ElementType), $"{context}: element type");
        Assert.That(actual.Shape(), Is.EqualTo(expected.Shape()), $"{context}: shape");
        if (expected.ElementType is ElementType.Float32 or ElementType.Float64)
        {
            var (worst, index, a, e) = WorstViolation(expected, actual, rtol, atol);
            Assert.That(worst, Is.LessThanOrEqualTo(1.0),
                $"{context}: element {index}: actual {a} vs expected {e} (|diff| {Math.Abs(a - e):G4} > {atol} + {rtol}·|e|)");
        }
        else
        {
            for (int i = 0; i < expected.Length; i++)
                Assert.That(actual.Data.GetValue(i), Is.EqualTo(expected.Data.GetValue(i)), $"{context}: element {i}");
        }
    }

    /// <summary>The largest |a − e| / (atol + rtol·|e|) (≤ 1 passes); NaN must meet NaN.</summary>
    public static (double Ratio, int Index, double Actual, double Expected) WorstViolation(Tensor expected, Tensor actual, double rtol, double atol)
    {
        double worst = 0; int index = -1; double wa = 0, we = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = Convert.ToDouble(expected.Data.GetValue(i)), a = Convert.ToDouble(actual.Data.GetValue(i));
            double ratio;
            if (double.IsNaN(e) || double.IsNaN(a)) ratio = double.IsNaN(e) && double.IsNaN(a) ? 0 : double.PositiveInfinity;
            else if (double.IsInfinity(e) || double.IsInfinity(a)) ratio = e == a ? 0 : double.PositiveInfinity;
            else ratio = Math.Abs(a - e) / (atol + rtol * Math.Abs(e));
            if (ratio > worst || index < 0) { worst = ratio; index = i; wa = a; we = e; }
        }
        return (worst, index, wa, we);
    }

    public static (double MaxAbs, double MaxRel) Errors(Tensor expected, Tensor actual)
    {
        double maxAbs = 0, maxRel = 0;
        ReadOnlySpan<float> e = expected.Floats, a = actual.Floats;
        for (int i = 0; i < e.Length; i++)
        {
            double d = Math.Abs(a[i] - e[i]);
            maxAbs = Math.Max(maxAbs, d);
            if (e[i] != 0) maxRel = Math.Max(maxRel, d / Math.Abs(e[i]));
        }
        return (maxAbs, maxRel);
    }
}
