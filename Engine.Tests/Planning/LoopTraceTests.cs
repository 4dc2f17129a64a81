using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;
using ElementType = Cardinal.Tensors.ElementType;

namespace Cardinal.Tests.Planning;

/// <summary>
/// What Engine.Bench `threads` stands on: a profiled run's step starts and spans, and a traced backend's loops, each
/// published inside the span of the step that ran it.
/// </summary>
[TestFixture]
public class LoopTraceTests
{
    [TestCase(1), TestCase(2)]
    public void ProfiledRun_EveryTracedLoopFallsInOneStepsSpan(int threads)
    {
        string model = Path.Combine(TorchvisionZooTests.ZooFolder, "tiny_resnet_bottleneck", "model.onnx");
        References.Require(model, References.RunTestScript);
        var trace = new LoopTrace();
        using var session = InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(new CpuBackendOptions { Threads = threads, LoopTrace = trace }));
        int[] shape = [1, 3, 64, 64];
        var plan = session.PlanForShapes([shape]);
        var executor = (KernelExecutor)session.CompiledPlanFor([shape]);
        var input = Tensor.Create(ElementType.Float32, shape);
        var output = Tensor.Create(ElementType.Float32, plan.Values[plan.Outputs[0]].Dims);
        executor.Run([input], [output]);
        trace.Take();

        int steps = plan.Steps.Count;
        long[] ticks = new long[steps], starts = new long[steps];
        executor.Profile([input], [output], ticks, starts);
        List<LoopTrace.Loop> loops = trace.Take();
        for (int s = 1; s < steps; s++)
            Assert.That(starts[s], Is.GreaterThanOrEqualTo(starts[s - 1] + ticks[s - 1]), $"step {s} starts after step {s - 1} ends");
        Assert.That(loops, Is.Not.Empty, "the convolutions' loops are traced");
        foreach (LoopTrace.Loop loop in loops)
        {
            int inSteps = Enumerable.Range(0, steps).Count(s => loop.At >= starts[s] && loop.At < starts[s] + ticks[s]);
            Assert.That(inSteps, Is.EqualTo(1), $"{loop.Label}: published inside exactly one step");
            Assert.That(loop.Wall, Is.LessThanOrEqualTo(ticks.Max()), $"{loop.Label}: within a step's time");
        }
        Assert.That(loops.Select(l => l.Label), Has.Some.StartsWith("BlockedDirectPlan").Or.Some.StartsWith("WinogradPlan"), "convolutions named by plan");

        long[] before = (long[])starts.Clone();
        executor.Run([input], [output]);
        Assert.That(starts, Is.EqualTo(before), "a plain run after a profiled one records no starts");
    }
}
