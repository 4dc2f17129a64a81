using Cardinal.Formats.Onnx;
using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Gpu;
using Cardinal.Passes;
using Cardinal.Planning;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;
using ElementType = Cardinal.Tensors.ElementType;

namespace Cardinal.Tests.Planning;

/// <summary>
/// The backend pass seam and the reorder ops in a plan: a test-only CPU backend pass puts a
/// ToBlocked → FromBlocked pair after every convolution, and the model must answer bit for bit as without it.
/// </summary>
[TestFixture]
public class BlockedLayoutPassTests
{
    /// <summary>Conv writes a new value t; ToBlocked(t) → b; FromBlocked(b) → the conv's old output, so no reader changes.</summary>
    private sealed class ReorderAfterEveryConv(int block, bool required = false) : IPlanPass
    {
        public string Name => $"reorder-after-conv({block})";
        public bool Required => required;

        public ExecutionPlan Apply(ExecutionPlan plan)
        {
            var editor = new PlanEditor(plan);
            for (int s = 0; s < editor.Steps.Count; s++)
            {
                if (editor.Steps[s] is not { Node.Op: ConvOp } conv) continue;
                int output = conv.Outputs[0];
                ValueInfo info = editor.Values[output];
                int plain = editor.AddValue(new ValueInfo(info.Name + "/nchw", info.ElementType, info.Dims));
                editor.Replace(s, new PlanStep(editor.NodeFor(conv.Node, conv.Node.Op, conv.Inputs, [plain]), conv.Inputs, [plain]));

                var toBlocked = new ReorderToBlockedOp(block);
                var toNode = new Node(conv.Node.Name + "/to_blocked", toBlocked, [editor.Values[plain].Name], [info.Name + "/blocked"], conv.Node.Opset);
                TensorType blockedType = toBlocked.Infer(toNode, [editor.Values[plain]])[0];
                int blocked = editor.AddValue(new ValueInfo(info.Name + "/blocked", blockedType.ElementType, blockedType.Dims));
                editor.InsertAfter(s, new PlanStep(toNode, [plain], [blocked]));

                var fromBlocked = new ReorderFromBlockedOp(block, info.Dims[1]);
                var fromNode = new Node(conv.Node.Name + "/from_blocked", fromBlocked, [toNode.Outputs[0]], [info.Name], conv.Node.Opset);
                TensorType back = fromBlocked.Infer(fromNode, [editor.Values[blocked]])[0];
                Assert.That(back.Dims, Is.EqualTo(info.Dims));
                editor.InsertAfter(s, new PlanStep(fromNode, [blocked], [output]));
            }
            return editor.Build();
        }
    }

    private string _model = "";

    [OneTimeSetUp] public void WriteModel() => _model = TestModels.WriteTemp(TestModels.SmallResidualNet(), "blocked-layout");
    [OneTimeTearDown] public void DeleteModel() => File.Delete(_model);

    private InferenceSession Open(IPlanPass[] passes, bool fuse = true) =>
        InferenceSession.Open(OnnxImporter.Load(_model), new CpuBackend(new CpuBackendOptions { Threads = 2, ExtraPasses = passes, BlockedLayout = false }), new SessionOptions { Fuse = fuse });

    [Test]
    public void SmallResidualNet_ReordersAfterEveryConv_RunsBitIdenticalAndPlanShowsThem([Values(3, 8, 16)] int block, [Values(1, 3)] int batch)
    {
        using var plain = Open([]);
        using var reordered = Open([new ReorderAfterEveryConv(block)]);
        int[] shape = [batch, 3, 16, 16];
        ExecutionPlan plainPlan = plain.PlanForShapes([shape]), plan = reordered.PlanForShapes([shape]);

        int convs = plainPlan.Steps.Count(s => s.Node.Op is ConvOp);
        Assert.That(convs, Is.EqualTo(2));
        Assert.That(plan.Steps.Count, Is.EqualTo(plainPlan.Steps.Count + 2 * convs));
        string[] ops = plan.Steps.Select(s => s.Node.OpType).ToArray();
        for (int i = 0; i < ops.Length; i++)
            if (ops[i] == "Conv")
                Assert.That(ops[(i + 1)..(i + 3)], Is.EqualTo(new[] { "ReorderToBlocked", "ReorderFromBlocked" }), string.Join(" ", ops));
        PlanStep first = plan.Steps.First(s => s.Node.Op is ReorderToBlockedOp);
        Assert.That(plan.Values[first.Outputs[0]].Dims[1], Is.EqualTo(BlockedLayout.PaddedChannels(8, block)), "the blocked value carries the padded channel count");
        Assert.That(reordered.CompiledPlanFor([shape]).DescribeStep(plan.Steps.ToList().IndexOf(first)), Is.EqualTo($"NCHW → NCHW{block}c"));
        Assert.That(first.Node.Op.Describe(), Does.Contain($"block={block}"));

        float[] data = TestModels.RandomData(batch * 3 * 16 * 16, 11 + batch);
        Tensor x = Tensor.FromArray(data, shape), expected = plain.Run(x), actual = reordered.Run(x);
        Assert.That(actual.Floats.ToArray(), Is.EqualTo(expected.Floats.ToArray()), $"block {block}, batch {batch}: bit for bit");
        var output = Tensor.Create(ElementType.Float32, expected.Dims);
        reordered.Run(x, output); // the allocation-free path runs the same plan
        Assert.That(output.Floats.ToArray(), Is.EqualTo(expected.Floats.ToArray()));
    }

    [Test]
    public void BackendPass_FusionOff_RunsOnlyWhenRequired()
    {
        using var optional = Open([new ReorderAfterEveryConv(8)], fuse: false);
        using var required = Open([new ReorderAfterEveryConv(8, required: true)], fuse: false);
        int[] shape = [1, 3, 16, 16];
        Assert.That(optional.PlanForShapes([shape]).Steps.Any(s => s.Node.Op is ReorderToBlockedOp), Is.False, "an optimising pass is off with fusion");
        ExecutionPlan plan = required.PlanForShapes([shape]);
        Assert.That(plan.Steps.Count(s => s.Node.Op is ReorderToBlockedOp), Is.EqualTo(2), "a required pass runs regardless");
        Assert.That(plan.Steps.Any(s => s.Node.OpType == "Relu"), Is.True, "and fusion stayed off");
        Tensor x = Tensor.FromArray(TestModels.RandomData(3 * 16 * 16, 4), shape);
        Assert.That(required.Run(x).Floats.ToArray(), Is.EqualTo(optional.Run(x).Floats.ToArray()));
    }

    [Test]
    public void CpuBackend_ByDefault_HasTheLayoutPassThenDepthFirst_WhereTheTierHasBlocks()
    {
        using var cpu = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        Assert.That(cpu.Passes.Select(p => p.Name), Is.EqualTo(cpu.Platform.BlockSize > 0 ? new[] { $"nchwc{cpu.Platform.BlockSize}", "depth-first" } : Array.Empty<string>()));
        using var wholeBatch = new CpuBackend(new CpuBackendOptions { Threads = 1, DepthFirst = null });
        Assert.That(wholeBatch.Passes.Select(p => p.Name), Is.EqualTo(cpu.Platform.BlockSize > 0 ? new[] { $"nchwc{cpu.Platform.BlockSize}" } : Array.Empty<string>()));
        using var plain = new CpuBackend(new CpuBackendOptions { Threads = 1, BlockedLayout = false });
        Assert.That(plain.Passes, Is.Empty);
    }

    [Test]
    public void GpuBackend_ReorderStep_IsRefusedClearly()
    {
        var values = new List<ValueInfo> { new("x", ElementType.Float32, [1, 3, 4, 4]), new("y", ElementType.Float32, [1, 8, 4, 4]) };
        var node = new Node("reorder", new ReorderToBlockedOp(8), ["x"], ["y"], 0);
        var plan = new ExecutionPlan { Values = values, Steps = [new PlanStep(node, [0], [1])], Inputs = [0], Outputs = [1] };
        using var gpu = new GpuBackend(Device.IlgpuCpu, new CpuBackend(new CpuBackendOptions { Threads = 1 }));
        Assert.That(((IBackend)gpu).Passes, Is.Empty, "the GPU backend has no layout pass");
        var error = Assert.Throws<UnsupportedModelException>(() =>
        {
            using var compiled = gpu.Compile(plan);
            compiled.Run([Tensor.FromArray(new float[48], 1, 3, 4, 4)]);
        });
        Assert.That(error!.Message, Does.Contain("ReorderToBlocked"));
    }
}
