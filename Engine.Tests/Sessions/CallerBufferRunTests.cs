using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Tests.TestUtilities;
using Cardinal.Tensors;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Sessions;

/// <summary>Runs into caller buffers for models with several inputs and outputs: same answers as the dictionary run, no allocation in steady state.</summary>
[TestFixture]
public class CallerBufferRunTests
{
    /// <summary>
    /// Inputs A, B [N,4] and an unused input U; outputs P = A·B then S = Relu(A + B + bias) — declared in the other
    /// order from the inputs, and U missing from the plan, so the plan's argument order is not the graph's.
    /// </summary>
    private static byte[] TwoInTwoOut() => OnnxWriter.Model(13,
        [
            OnnxWriter.Node("Mul", ["A", "B"], ["P"], "mul"),
            OnnxWriter.Node("Add", ["A", "B"], ["t"], "add"),
            OnnxWriter.Node("Add", ["t", "bias"], ["u"], "bias"),
            OnnxWriter.Node("Relu", ["u"], ["S"], "relu"),
        ],
        [OnnxWriter.Tensor("bias", OnnxWriter.Float, [4], [0.5f, -0.5f, 1, -1])],
        [OnnxWriter.ValueInfo("U", OnnxWriter.Float, 1), OnnxWriter.ValueInfo("A", OnnxWriter.Float, -1, 4), OnnxWriter.ValueInfo("B", OnnxWriter.Float, -1, 4)],
        [OnnxWriter.ValueInfo("P", OnnxWriter.Float, -1, 4), OnnxWriter.ValueInfo("S", OnnxWriter.Float, -1, 4)]);

    /// <summary>Y = Reshape(X, shape): the int64 input decides the output's shape, so plans are keyed by its values.</summary>
    private static byte[] ReshapeByInput() => OnnxWriter.Model(13,
        [OnnxWriter.Node("Reshape", ["X", "shape"], ["Y"], "reshape")],
        [],
        [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 16), OnnxWriter.ValueInfo("shape", OnnxWriter.Int64, 2)],
        [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, -1, -1)]);

    private static InferenceSession Open(byte[] model) => CardinalSession.Open(model, new SessionOptions { Threads = 1 });

    private static (Tensor U, Tensor A, Tensor B) Inputs(int batch, int seed) =>
        (Tensor.FromArray(new float[] { 7 }, 1), Tensor.FromArray(TestModels.RandomData(batch * 4, seed), batch, 4),
         Tensor.FromArray(TestModels.RandomData(batch * 4, seed + 1), batch, 4));

    [Test]
    public void TwoInputsTwoOutputs_EqualTheDictionaryRun_AndTheArithmetic()
    {
        using var session = Open(TwoInTwoOut());
        var (u, a, b) = Inputs(3, 1);
        var expected = session.Run(new Dictionary<string, Tensor> { ["U"] = u, ["A"] = a, ["B"] = b });
        IReadOnlyList<int[]> shapes = session.OutputShapes([1], [3, 4], [3, 4]);
        Assert.That(shapes, Is.EqualTo(new[] { new[] { 3, 4 }, new[] { 3, 4 } }));
        float[] p = new float[12], s = new float[12];
        session.Run([u, a, b], [Tensor.Wrap(ElementType.Float32, [3, 4], p), Tensor.Wrap(ElementType.Float32, [3, 4], s)]);
        Assert.That(p, Is.EqualTo(expected["P"].Floats.ToArray()));
        Assert.That(s, Is.EqualTo(expected["S"].Floats.ToArray()));
        float[] bias = [0.5f, -0.5f, 1, -1];
        for (int i = 0; i < 12; i++)
        {
            Assert.That(p[i], Is.EqualTo(a.Floats[i] * b.Floats[i]), $"P[{i}]");
            Assert.That(s[i], Is.EqualTo(MathF.Max(0, a.Floats[i] + b.Floats[i] + bias[i % 4])), $"S[{i}]");
        }
    }

    [Test]
    public void CallerArraysAtAnOffset_AreWrittenInPlace_AndNothingElse()
    {
        using var session = Open(TwoInTwoOut());
        var (u, a, b) = Inputs(2, 5);
        float[] both = new float[2 + 8 + 8 + 2];
        Array.Fill(both, float.NaN); // guards before, between and after
        session.Run([u, a, b], [Tensor.Over(ElementType.Float32, [2, 4], both, 2), Tensor.Over(ElementType.Float32, [2, 4], both, 10)]);
        Assert.That(float.IsNaN(both[0]) && float.IsNaN(both[1]) && float.IsNaN(both[18]) && float.IsNaN(both[19]), Is.True, "guards untouched");
        Assert.That(both.AsSpan(2, 8).ToArray(), Is.EqualTo(Enumerable.Range(0, 8).Select(i => a.Floats[i] * b.Floats[i]).ToArray()));
    }

    [Test]
    public void SteadyState_AllocatesNothing_AcrossTwoBatchSizes()
    {
        using var session = Open(TwoInTwoOut());
        var (u, a1, b1) = Inputs(1, 2);
        var (_, a4, b4) = Inputs(4, 3);
        Tensor p1 = Tensor.Create(ElementType.Float32, [1, 4]), s1 = Tensor.Create(ElementType.Float32, [1, 4]);
        Tensor p4 = Tensor.Create(ElementType.Float32, [4, 4]), s4 = Tensor.Create(ElementType.Float32, [4, 4]);
        session.Run([u, a1, b1], [p1, s1]);
        session.Run([u, a4, b4], [p4, s4]);
        int gen0 = GC.CollectionCount(0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++)
        {
            session.Run([u, a1, b1], [p1, s1]);
            session.Run([u, a4, b4], [p4, s4]);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0), "bytes allocated by 1,000 steady-state runs");
        Assert.That(GC.CollectionCount(0) - gen0, Is.EqualTo(0));
        Assert.That(p4.Floats[15], Is.EqualTo(a4.Floats[15] * b4.Floats[15]));
    }

    [Test]
    public void SingleInputModel_ThroughTheSpanOfTensors_EqualsTheTensorRun()
    {
        using var session = Open(TestModels.SmallResidualNet());
        var x = Tensor.FromArray(TestModels.RandomData(2 * 768, 9), 2, 3, 16, 16);
        var y = Tensor.Create(ElementType.Float32, [2, 8]);
        session.Run([x], [y]);
        Assert.That(y.Floats.ToArray(), Is.EqualTo(session.Run(x).Floats.ToArray()));
    }

    [Test]
    public void IntegerInputThatDecidesShapes_PlansPerValue()
    {
        using var session = Open(ReshapeByInput());
        var x = Tensor.FromArray(TestModels.RandomData(16, 4), 16);
        var shape = Tensor.FromArray(new long[] { 2, 8 }, 2);
        var y28 = Tensor.Create(ElementType.Float32, [2, 8]);
        session.Run([x, shape], [y28]);
        Assert.That(y28.Floats.ToArray(), Is.EqualTo(x.Floats.ToArray()));
        // The caller changes its buffer: the new values need a new plan, not the cached [2,8] one.
        shape.Span<long>()[0] = 4; shape.Span<long>()[1] = 4;
        Assert.That(() => session.Run([x, shape], [y28]), Throws.TypeOf<InputMismatchException>().With.Message.Contains("[4,4]"));
        var y44 = Tensor.Create(ElementType.Float32, [4, 4]);
        session.Run([x, shape], [y44]);
        Assert.That(y44.Floats.ToArray(), Is.EqualTo(x.Floats.ToArray()));
    }

    [Test]
    public void WrongArguments_GetOurErrors_NamingWhatIsWrong()
    {
        using var session = Open(TwoInTwoOut());
        var (u, a, b) = Inputs(2, 6);
        Tensor p = Tensor.Create(ElementType.Float32, [2, 4]), s = Tensor.Create(ElementType.Float32, [2, 4]);
        Assert.That(() => session.Run([a, b], [p, s]), Throws.TypeOf<InputMismatchException>().With.Message.Contains("3 inputs"));
        Assert.That(() => session.Run([u, a, b], [p]), Throws.TypeOf<InputMismatchException>().With.Message.Contains("2 outputs"));
        Assert.That(() => session.Run([u, a, Tensor.Create(ElementType.Float32, [2, 5])], [p, s]), Throws.TypeOf<InputMismatchException>().With.Message.Contains("'B'"));
        Assert.That(() => session.Run([u, a, Tensor.Create(ElementType.Int64, [2, 4])], [p, s]), Throws.TypeOf<InputMismatchException>().With.Message.Contains("float32"));
        Assert.That(() => session.Run([u, a, b], [p, Tensor.Create(ElementType.Float32, [1, 4])]), Throws.TypeOf<InputMismatchException>().With.Message.Contains("'S'").And.Message.Contains("[2,4]"));
        Assert.That(() => session.Run([u, null!, b], [p, s]), Throws.TypeOf<InputMismatchException>().With.Message.Contains("'A'"));
        session.Run([u, a, b], [p, s]); // and the session runs on
    }

    [Test]
    public void FourCallers_BitIdenticalToSequential()
    {
        using var session = CardinalSession.Open(TwoInTwoOut(), new SessionOptions { Threads = 2 });
        var cases = Enumerable.Range(0, 8).Select(i => Inputs(1 + i % 3, 20 + i)).ToArray();
        float[][] sequential = [.. cases.Select(c =>
        {
            var p = Tensor.Create(ElementType.Float32, c.A.Dims); var s = Tensor.Create(ElementType.Float32, c.A.Dims);
            session.Run([c.U, c.A, c.B], [p, s]);
            return (float[])[.. p.Floats, .. s.Floats];
        })];
        int mismatches = 0;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, caller =>
        {
            for (int i = 0; i < 250; i++)
            {
                int k = (caller * 3 + i) % cases.Length;
                var c = cases[k];
                var p = Tensor.Create(ElementType.Float32, c.A.Dims); var s = Tensor.Create(ElementType.Float32, c.A.Dims);
                session.Run([c.U, c.A, c.B], [p, s]);
                if (!((float[])[.. p.Floats, .. s.Floats]).AsSpan().SequenceEqual(sequential[k])) Interlocked.Increment(ref mismatches);
            }
        });
        Assert.That(mismatches, Is.EqualTo(0));
    }
}
