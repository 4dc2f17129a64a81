using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Kernels.Cpu.Winograd;
using Cardinal.Planning;
using Cardinal.Tensors;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// Each worker's scratch in its own stripe of the whole workspace (<see cref="Workspace.WorkerOffset"/>,
/// <see cref="BlockedTuning.WorkerStripes"/>): where the stripes fall, and the plans that use them — Winograd's V and M,
/// the strided 1×1's subsampled copies — answering bit for bit as with the parts packed at each layer's size, in a
/// workspace shared by several layers and larger than any of them needs, as a run context lends it.
/// </summary>
[TestFixture]
public class WorkerStripesTests
{
    private static readonly ParallelRunner Two = new(2), Three = new(3);

    [Test]
    public unsafe void WorkerOffset_CutsTheWholeWorkspaceInAlignedStripes()
    {
        var buffer = new WorkspaceBuffer(1000 * 64);
        Workspace w = buffer.Workspace;
        Assert.That(w.WorkerOffset(0, 1, w.Bytes), Is.EqualTo(0), "one thread: the start, whatever it takes");
        Assert.That(Enumerable.Range(0, 2).Select(t => w.WorkerOffset(t, 2, 100)), Is.EqualTo(new long[] { 0, 32_000 }));
        // 64,000 / 3 = 21,333.3: stripes of 21,312 bytes, each on a cache line.
        Assert.That(Enumerable.Range(0, 3).Select(t => w.WorkerOffset(t, 3, 21_312)), Is.EqualTo(new long[] { 0, 21_312, 42_624 }));
        Assert.Throws<InvalidOperationException>(() => w.WorkerOffset(1, 3, 21_313), "a part larger than a stripe: the kernel's size is wrong");
        GC.KeepAlive(buffer);
    }

    [Test]
    public void StripedScratch_InASharedLargerWorkspace_BitIdenticalToPacked()
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
        var random = new Random(77);
        ConvShape[] winograd =
        [
            new(2, 21, 35, 1, ConvCase.Planar(13, 11, 3, 1, 1), new(true, true)),
            new(1, 40, 24, 1, ConvCase.Planar(7, 7, 3, 1, 1), new(false, true)),
        ];
        // A strided 1×1 whose filter outweighs its copied pixels: copied per thread on 2 and 3 threads too.
        var strided = new ConvShape(1, 57, 320, 1, ConvCase.Planar(6, 6, 1, 2, 0), new(true, false));
        foreach (CpuIsa isa in CpuIsas.Blocked)
            foreach (ParallelRunner runner in new[] { Two, Three })
            {
                var platform = CpuPlatform.Create(isa);
                var layers = new List<(ConvShape Shape, ConvPlan Striped, ConvPlan Packed)>();
                foreach (ConvShape s in winograd)
                    foreach (WinogradMatrices t in new[] { WinogradMatrices.F4, WinogradMatrices.F2 })
                    {
                        Tensor weights = TestModels.RandomWeights(random, s.WeightLength);
                        layers.Add((s, new WinogradPlan(s, weights, t, platform, runner, null, null), new WinogradPlan(s, weights, t, platform, runner, null, BlockedTuning.PackedScratch)));
                    }
                Tensor pointwise = TestModels.RandomWeights(random, strided.WeightLength);
                var subsampling = new BlockedDirectPlan(strided, pointwise, platform, runner, null, null);
                Assert.That(subsampling.Subsamples, Is.True, $"{isa}: the strided 1×1 reads per-thread copies");
                layers.Add((strided, subsampling, new BlockedDirectPlan(strided, pointwise, platform, runner, null, BlockedTuning.PackedScratch)));

                // One workspace for every layer, three times the largest need, garbage to start with: stripes then lie
                // far past each layer's own size, and a part read before its worker wrote it shows.
                var shared = new WorkspaceBuffer(3 * layers.Max(l => l.Striped.WorkspaceBytes));
                FillWithNaN(shared);
                int b = platform.BlockSize;
                for (int round = 0; round < 3; round++)
                    foreach (var (s, striped, packed) in layers)
                    {
                        int cp = BlockedLayout.PaddedChannels(s.Channels, b), mp = BlockedLayout.PaddedChannels(s.OutChannels, b);
                        float[] x = TestModels.RandomData(random, (long)s.Batch * cp * s.Window.InSize), bias = TestModels.RandomData(random, s.OutChannels);
                        float[] residual = s.Epilogue.Residual ? TestModels.RandomData(random, (long)s.Batch * mp * s.Window.OutSize) : [];
                        long length = (long)s.Batch * mp * s.Window.OutSize;
                        var y = new float[length];
                        striped.Run(x, default, bias, residual, y, shared.Workspace);
                        float[] expected = BlockedOutputAssert.Run(packed, x, bias, residual, length);
                        Assert.That(y, Is.EqualTo(expected.AsSpan(0, (int)length).ToArray()), $"{isa}, {runner.Threads} threads, {striped.Description}, round {round}");
                    }
                GC.KeepAlive(shared);
            }
    }

    private static unsafe void FillWithNaN(WorkspaceBuffer buffer)
    {
        Workspace w = buffer.Workspace;
        new Span<float>(w.Pointer, (int)(w.Bytes / sizeof(float))).Fill(float.NaN);
    }
}
