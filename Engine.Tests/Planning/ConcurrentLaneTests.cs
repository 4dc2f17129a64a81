using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Planning;
using Cardinal.Tensors;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Planning;

/// <summary>
/// Lanes (<see cref="PlanStep.Lane"/>, <see cref="ConcurrentRegion"/>): the depth-first prefix's parts run side by side,
/// one thread each. Two lanes running at once must never write into a buffer the other still reads, and the answers
/// must be the same bits as the parts run one after another and as the whole batch.
/// </summary>
[TestFixture]
public class ConcurrentLaneTests
{
    private static IEnumerable<CpuIsa> BlockedTiers => DepthFirstPrefixTests.BlockedTiers;

    private static string Zoo(string name) => DepthFirstPrefixTests.Zoo(name);

    private static CpuBackend Backend(CpuIsa isa, bool sideBySide, bool depthFirst = true) =>
        new(new CpuBackendOptions { Threads = 2, MaxIsa = isa, DepthFirst = depthFirst ? new DepthFirstTuning(1, 0, long.MaxValue, sideBySide) : null });

    [TestCase("tiny_resnet_bottleneck"), TestCase("tiny_resnext_8x4d")]
    public void Lanes_TakeBuffersNoOtherLaneTakes_AndAnswerAsTheWholeBatch(string name)
    {
        string folder = Zoo(name);
        Tensor input = Tensor.FromArray(TestModels.RandomData(5 * 3 * 64 * 64, seed: 23), [5, 3, 64, 64]);
        foreach (CpuIsa isa in BlockedTiers)
        {
            using var lanes = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")), Backend(isa, sideBySide: true));
            ExecutionPlan plan = lanes.PlanForShapes([input.Shape()]);
            ConcurrentRegion region = ConcurrentRegion.Find(plan).Single();
            Assert.That(region.Lanes, Is.EqualTo(2), $"{name} on {isa}: five parts in two lanes");
            int perPart = (region.End - region.Start) / 5;
            for (int s = region.Start; s < region.End; s++)
                Assert.That(plan.Steps[s].Lane, Is.EqualTo((s - region.Start) / perPart % 2), $"{plan.Steps[s].Node.Name}: part p in lane p mod 2");

            using var backend = Backend(isa, sideBySide: true);
            var executor = (KernelExecutor)backend.Compile(plan);
            AssertLanesKeepTheirBuffers(plan, region, executor);

            using var serial = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")), Backend(isa, sideBySide: false));
            Assert.That(ConcurrentRegion.Find(serial.PlanForShapes([input.Shape()])), Is.Empty, "serial parts have no lanes");
            using var whole = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")), Backend(isa, sideBySide: false, depthFirst: false));
            float[] expected = whole.Run(input).Floats.ToArray();
            Assert.That(serial.Run(input).Floats.ToArray(), Is.EqualTo(expected), $"{name} on {isa}: serial parts");
            // Several runs: a lane that wrote into a buffer the other still read would show as a changed bit sooner or later.
            for (int run = 0; run < 4; run++)
                Assert.That(executor.Run([input])[0].Floats.ToArray(), Is.EqualTo(expected), $"{name} on {isa}: lanes side by side, run {run}");
        }
    }

    [Test]
    public void Lanes_OneThread_NoneMade_TwoImagesOnTwoThreads_MatchPyTorch()
    {
        string folder = Zoo("tiny_resnet_basic");
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy")), expected = NpyFile.Read(Path.Combine(folder, "output.npy"));
        CpuIsa isa = BlockedTiers.First();
        using var one = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")),
            new CpuBackend(new CpuBackendOptions { Threads = 1, MaxIsa = isa, DepthFirst = new DepthFirstTuning(1, 0, long.MaxValue) }));
        Assert.That(ConcurrentRegion.Find(one.PlanForShapes([input.Shape()])), Is.Empty, "one thread: the parts run one after another");
        using var two = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")), Backend(isa, sideBySide: true));
        Assert.That(ConcurrentRegion.Find(two.PlanForShapes([input.Shape()])).Single().Lanes, Is.EqualTo(2));
        TensorAssert.Close(expected, two.Run(input), 1e-3, 1e-4, "two images side by side");
    }

    [Test]
    public void Region_RefusesALaneReadingAnotherLanesValue()
    {
        string folder = Zoo("tiny_resnet_basic");
        using var session = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")), Backend(BlockedTiers.First(), sideBySide: true));
        ExecutionPlan plan = session.PlanForShapes([[2, 3, 64, 64]]);
        ConcurrentRegion region = ConcurrentRegion.Find(plan).Single();
        // Move lane 1's second step into lane 0: it then reads what lane 1's first step made.
        int moved = region.LaneSteps[1][1];
        var steps = plan.Steps.Select((s, i) => i == moved ? s with { Lane = 0 } : s).ToList();
        var broken = new ExecutionPlan { Values = plan.Values, Steps = steps, Inputs = plan.Inputs, Outputs = plan.Outputs };
        var error = Assert.Throws<InvalidOperationException>(() => ConcurrentRegion.Find(broken));
        Assert.That(error!.Message, Does.Contain("made in lane 1"));
    }

    /// <summary>
    /// Two values that share a buffer are never both touched (made or read) by different lanes of the region, and a value
    /// made before the region and read in it shares with nothing the region makes; outside that, plan-order liveness.
    /// </summary>
    private static void AssertLanesKeepTheirBuffers(ExecutionPlan plan, ConcurrentRegion region, KernelExecutor executor)
    {
        var life = Lifetimes.Compute(plan, viewsAlias: true);
        var lanesOf = new Dictionary<int, HashSet<int>>();
        for (int s = region.Start; s < region.End; s++)
            foreach (int v in plan.Steps[s].Inputs.Concat(plan.Steps[s].Outputs).Where(v => v >= 0))
                (lanesOf.TryGetValue(v, out var set) ? set : lanesOf[v] = []).Add(plan.Steps[s].Lane);
        bool MadeInRegion(int v) => life.First[v] >= region.Start && life.First[v] < region.End;
        bool ReadInRegionFromBefore(int v) => lanesOf.ContainsKey(v) && !MadeInRegion(v);
        var pooled = Enumerable.Range(0, plan.Values.Count).Where(v => executor.SlotOf(v) >= 0).ToList();
        int shared = 0;
        foreach (int a in pooled)
            foreach (int b in pooled.Where(b => b > a && executor.SlotOf(b) == executor.SlotOf(a)))
            {
                shared++;
                string pair = $"{plan.Values[a].Name} and {plan.Values[b].Name}";
                if (lanesOf.TryGetValue(a, out var la) && lanesOf.TryGetValue(b, out var lb))
                    Assert.That(la.Concat(lb).Distinct().Count(), Is.EqualTo(1), $"{pair} share a buffer across lanes");
                Assert.That((ReadInRegionFromBefore(a) && MadeInRegion(b)) || (ReadInRegionFromBefore(b) && MadeInRegion(a)), Is.False,
                    $"{pair}: a value from before the region shares with one the region makes");
                bool takenOver = plan.Steps.Any(s => s.Node.Op is BlockedConvOp { Conv.Epilogue.Residual: true } && s.Inputs[3] is var r && s.Outputs[0] is var y
                    && ((r == a && y == b) || (r == b && y == a)));
                Assert.That(life.Overlap(a, b) && !takenOver, Is.False, $"{pair} share a buffer while both alive");
            }
        Assert.That(shared, Is.GreaterThan(0), "buffers are still handed on within a lane");
    }
}
