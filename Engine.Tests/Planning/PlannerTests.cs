using Cardinal.Formats.Onnx;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Tensors;
using Cardinal.Tests.TestUtilities;
using B = Cardinal.Formats.Onnx.OnnxWriter;

namespace Cardinal.Tests.Planning;

/// <summary>Shape inference and constant folding: what the planner leaves for the run.</summary>
[TestFixture]
public class PlannerTests
{
    /// <summary>
    /// The PyTorch exporter's flatten-by-reshape chain with a symbolic batch:
    /// Shape(X) → Gather(0) → Unsqueeze → Concat([N], [-1]) → Reshape(X, ·).
    /// </summary>
    private static byte[] ExporterReshapeChain() => B.Model(13,
        [
            B.Node("Shape", ["X"], ["shape"], "shape"),
            B.Node("Gather", ["shape", "zero"], ["n"], "gather"),
            B.Node("Unsqueeze", ["n", "axes0"], ["n1"], "unsqueeze"),
            B.Node("Concat", ["n1", "minus_one"], ["target"], "concat", new ProtoWriter().String(1, "axis").Varint(3, 0).Varint(20, 2)),
            B.Node("Reshape", ["X", "target"], ["Y"], "reshape"),
        ],
        [
            new ProtoWriter().Varint(2, B.Int64).String(8, "zero").Bytes(9, BitConverter.GetBytes(0L)),
            new ProtoWriter().Varint(1, 1).Varint(2, B.Int64).String(8, "axes0").Bytes(9, BitConverter.GetBytes(0L)),
            new ProtoWriter().Varint(1, 1).Varint(2, B.Int64).String(8, "minus_one").Bytes(9, BitConverter.GetBytes(-1L)),
        ],
        [SymbolicBatchInput("X", 3, 4)],
        [B.ValueInfo("Y", B.Float, 0, 12)]);

    private static ProtoWriter SymbolicBatchInput(string name, params long[] rest)
    {
        var shape = new ProtoWriter().Message(1, new ProtoWriter().String(2, "N"));
        foreach (long d in rest) shape.Message(1, new ProtoWriter().Varint(1, d));
        var tensorType = new ProtoWriter().Varint(1, B.Float).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }

    private static InferenceSession OpenBytes(byte[] model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"cardinal-plan-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model);
        try { return InferenceSession.Open(OnnxImporter.Load(path), new CpuBackend(new CpuBackendOptions { Threads = 1 })); }
        finally { File.Delete(path); }
    }

    [Test]
    public void ExporterShapeChain_SymbolicBatch_FoldsToOneReshape()
    {
        using var session = OpenBytes(ExporterReshapeChain());
        Assert.That(session.Inputs[0].ShapeText, Is.EqualTo("[N,3,4]"));
        var plan = session.PlanForShapes([[5, 3, 4]]);
        Assert.That(plan.Steps.Select(s => s.Node.OpType), Is.EqualTo(new[] { "Reshape" }), "Shape, Gather, Unsqueeze and Concat fold away");
        Assert.That(plan.Values[plan.Outputs[0]].Dims, Is.EqualTo(new[] { 5, 12 }));
    }

    [Test]
    public void ExporterShapeChain_TwoBatchSizes_EachGetsItsOwnPlanAndRightAnswer()
    {
        using var session = OpenBytes(ExporterReshapeChain());
        foreach (int n in new[] { 1, 3 })
        {
            float[] data = Enumerable.Range(0, n * 12).Select(i => (float)i).ToArray();
            Tensor y = session.Run(Tensor.FromArray(data, n, 3, 4));
            Assert.That(y.Shape(), Is.EqualTo(new[] { n, 12 }));
            Assert.That(y.Floats.ToArray(), Is.EqualTo(data));
        }
    }

    [Test]
    public void Output_NeverAliasesTheCallersInput()
    {
        using var session = OpenBytes(ExporterReshapeChain());
        var x = Tensor.FromArray(new float[12], 1, 3, 4);
        Tensor y = session.Run(x);
        y.Floats[0] = 42;
        Assert.That(x.Floats[0], Is.EqualTo(0f), "a view output must be copied before it reaches the caller");
    }

    [Test]
    public void WindowAttributes_CeilModeDropsWindowStartingInPadding()
    {
        // PyTorch/ONNX rule: with ceil_mode the last window must start inside the input or the leading pad.
        var node = new Cardinal.Graph.Node("p", new IdentityOp(), [], [], 13);
        var attributes = new WindowAttributes([2], [2], null, [1, 1], AutoPad.NotSet, CeilMode: true);
        var g = attributes.Resolve(node, [4], [2]);
        Assert.That(g.Output[0], Is.EqualTo(3));   // (4 + 2 − 2)/2 ceil + 1 = 3; a 4th window would start at 6 ≥ 4 + 1
        var same = new WindowAttributes([3], [2], null, null, AutoPad.SameUpper).Resolve(node, [7], [3]);
        Assert.That((same.Output[0], same.PadBegin[0], same.PadEnd[0]), Is.EqualTo((4, 1, 1)));
        var lower = new WindowAttributes([2], [1], null, null, AutoPad.SameLower).Resolve(node, [5], [2]);
        Assert.That((lower.Output[0], lower.PadBegin[0], lower.PadEnd[0]), Is.EqualTo((5, 1, 0)));
    }

    [Test]
    public void Broadcast_Shapes()
    {
        Assert.That(Broadcast.TryShape([2, 1, 4], [3, 1]), Is.EqualTo(new[] { 2, 3, 4 }));
        Assert.That(Broadcast.TryShape([5], []), Is.EqualTo(new[] { 5 }));
        Assert.That(Broadcast.TryShape([2, 3], [4, 3]), Is.Null);
        Assert.That(Broadcast.StridesFor([3, 1], [2, 3, 4]), Is.EqualTo(new[] { 0, 1, 0 }));
    }
}
